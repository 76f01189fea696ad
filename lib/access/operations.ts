/**
 * 权限查询: explain a decision, the permission overview (by user, by form, as CSV for the
 * periodic access review), and view-as. Administrators only, every call audited with the
 * user it was about.
 *
 * All of it comes from the decision the operations enforce (lib/policy's decide and
 * explain, fed by lib/records/grant-loader), never from a second evaluator. Record facts and
 * records seen as another user come through lib/records' public face only: this module
 * never names the records table.
 *
 * Explain on a record and view-as show an administrator facts about customer records that
 * their own grants may not open (view-as shows the records themselves, as the other user
 * sees them). That is what they are for; the threat left is quiet snooping, so each call is
 * an audit event naming the target user, the form and the records shown, and view-as is
 * read-only (it runs no write and the page offers none).
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { defineOperation, type OperationContext } from '@/lib/operation';
import type { AuditEntry } from '@/lib/audit/append';
import { AppError } from '@/lib/errors';
import { msg, type Locale, type MessageKeyUnder } from '@/lib/i18n';
import { uuidSchema as uuid } from '@/lib/forms/ajv';
import { explain, fieldModes, recordActions, type Explanation, type RowFacts } from '@/lib/policy';
import { getRecordAs, listRecords, listRecordsAs, rowFactsForExplain, type FormView, type RecordDTO, type RecordPage } from '@/lib/records/operations';
import { decisionFor, grantsOf, loadFormPolicyInputs, loadSubjects, type FormPolicyInput, type Subject } from '@/lib/records/grant-loader';
import { directoryNames, formSummary, rightsOf, subjectSummary, type FormRights, type FormSummary, type SubjectSummary } from './overview';
import { modeText, scopeText, type Wording } from './wording';
import { toCsv } from './csv';

export type { FormRights, FormSummary, SubjectSummary } from './overview';


type AccessError = MessageKeyUnder<'access.errors'>;
const notFound = (locale: Locale, key: AccessError) => new AppError('not_found', msg(locale, key));

const fieldKey = { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,62}$' } as const;

async function requireSubject(ctx: OperationContext, userId: string): Promise<Subject> {
  const [subject] = await loadSubjects(ctx.db, [userId]);
  if (!subject) throw notFound(ctx.locale, 'access.errors.userNotFound');
  return subject;
}

async function requireForm(ctx: OperationContext, formId: string): Promise<FormPolicyInput> {
  const [form] = await loadFormPolicyInputs(ctx.db, [formId]);
  if (!form) throw notFound(ctx.locale, 'access.errors.formNotFound');
  return form;
}

/** Users and published forms to pick from on the 权限查询 page. */
export const accessOptions = defineOperation({
  name: 'access.options',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<{ users: SubjectSummary[]; forms: FormSummary[] }> {
    const [subjects, forms, names] = [await loadSubjects(ctx.db), await loadFormPolicyInputs(ctx.db), await directoryNames(ctx.db)];
    ctx.audit({ action: 'access.options', resourceType: 'access', details: { users: subjects.length, forms: forms.length } });
    return { users: subjects.map((s) => subjectSummary(s, names)), forms: forms.map(formSummary) };
  },
});

export interface ExplainResult {
  subject: SubjectSummary;
  form: FormSummary;
  recordId: string | null;
  /** The one field asked about; the explanation's fields hold only it then. */
  field: string | null;
  explanation: Explanation;
  /** Department names by id, for conditions that compare with a department. */
  names: Record<string, string>;
}

/**
 * The decision for one user on one form (optionally one record and one field) and the grants
 * that made it: explain() over the very decision the operations use.
 */
export const explainAccess = defineOperation({
  name: 'access.explain',
  permission: 'admin',
  readOnly: true,
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['userId', 'formId'],
    properties: { userId: uuid, formId: uuid, recordId: uuid, field: fieldKey },
  },
  async run(ctx, input): Promise<ExplainResult> {
    // Audited from the start, so a refused or failed explain names whom it was about too.
    ctx.audit({
      action: 'access.explain',
      resourceType: 'user',
      resourceId: input.userId,
      formId: input.formId,
      recordIds: input.recordId ? [input.recordId] : undefined,
      details: { userId: input.userId, field: input.field ?? null },
    });
    const subject = await requireSubject(ctx, input.userId);
    const form = await requireForm(ctx, input.formId);
    if (input.field !== undefined && !form.fields.some((f) => f.key === input.field)) {
      const text = msg(ctx.locale, 'access.errors.fieldNotFound');
      throw new AppError('invalid_input', text, { fields: { field: text } });
    }
    let row: RowFacts | undefined;
    if (input.recordId) {
      row = (await rowFactsForExplain(ctx, subject.userId, { formId: form.id, recordId: input.recordId }))?.facts;
      if (!row) throw notFound(ctx.locale, 'access.errors.recordNotFound');
    }
    const full = explain(decisionFor(subject, form), grantsOf(subject, form), row);
    const explanation = input.field ? { ...full, fields: full.fields.filter((f) => f.key === input.field) } : full;
    const names = await directoryNames(ctx.db);
    return {
      subject: subjectSummary(subject, names),
      form: formSummary(form),
      recordId: input.recordId ?? null,
      field: input.field ?? null,
      explanation,
      names: Object.fromEntries(names.departments),
    };
  },
});

export interface UserAccess {
  subject: SubjectSummary;
  forms: { form: FormSummary; rights: FormRights }[];
}

async function userAccess(ctx: OperationContext, subjects: Subject[], forms: FormPolicyInput[]): Promise<UserAccess[]> {
  const names = await directoryNames(ctx.db);
  return subjects.map((s) => ({
    subject: subjectSummary(s, names),
    forms: forms.flatMap((f) => {
      const rights = rightsOf(s, f);
      return rights ? [{ form: formSummary(f), rights }] : [];
    }),
  }));
}

/** Every form and right one user holds, with the groups that give each. */
export const accessByUser = defineOperation({
  name: 'access.byUser',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId: uuid } },
  async run(ctx, input): Promise<UserAccess> {
    const subject = await requireSubject(ctx, input.userId);
    const [result] = await userAccess(ctx, [subject], await loadFormPolicyInputs(ctx.db));
    ctx.audit({ action: 'access.byUser', resourceType: 'user', resourceId: subject.userId, details: { userId: subject.userId, forms: result.forms.length } });
    return result;
  },
});

export interface FormAccessOverview {
  form: FormSummary;
  users: { subject: SubjectSummary; rights: FormRights }[];
}

async function formAccess(ctx: OperationContext, forms: FormPolicyInput[]): Promise<FormAccessOverview[]> {
  const [subjects, names] = [await loadSubjects(ctx.db), await directoryNames(ctx.db)];
  // A disabled user can do nothing until enabled again: the review lists who can act now.
  const active = subjects.filter((s) => s.status === 'active');
  return forms.map((f) => ({
    form: formSummary(f),
    users: active.flatMap((s) => {
      const rights = rightsOf(s, f);
      return rights ? [{ subject: subjectSummary(s, names), rights }] : [];
    }),
  }));
}

/** Every active user who holds a right on one form (view, reveal, export, …), with scopes and groups. */
export const accessByForm = defineOperation({
  name: 'access.byForm',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<FormAccessOverview> {
    const form = await requireForm(ctx, input.formId);
    const [result] = await formAccess(ctx, [form]);
    ctx.audit({ action: 'access.byForm', resourceType: 'form', resourceId: form.id, formId: form.id, details: { users: result.users.length } });
    return result;
  },
});

/** One line per user and form: the rights with scopes and groups, and the fields by mode. */
function csvRows(locale: Locale, lines: { subject: SubjectSummary; form: FormSummary; rights: FormRights }[], names: Record<string, string>) {
  const t = (key: Parameters<typeof msg>[1]) => msg(locale, key);
  const header = [
    t('access.columns.user'),
    t('access.columns.email'),
    t('access.columns.status'),
    t('access.columns.department'),
    t('access.columns.groups'),
    t('access.columns.form'),
    ...recordActions.map((a) => t(`access.actionLabels.${a}`)),
    // write-on-create reads as read on existing records (the modes below are those): no column of its own.
    ...fieldModes.filter((m) => m !== 'write-on-create').map((m) => `${t('access.columns.fields')}: ${modeText(locale, m)}`),
    t('access.columns.revealFields'),
  ];
  const rows = lines.map(({ subject, form, rights }) => {
    const w: Wording = { locale, userName: subject.name, fields: form.fields, onRecord: false, names };
    const titles = (keys: string[]) => keys.map((k) => form.fields.find((f) => f.key === k)?.title ?? k).join(t('access.condition.list'));
    const cell = (action: (typeof recordActions)[number]) => {
      const a = rights.actions.find((x) => x.action === action);
      // create and import carry no row scope: the cell says granted, and by whom.
      return a ? a.because.map((b) => `${b.scope === null ? t('access.csv.granted') : scopeText(w, b.scope)} (${b.group.groupName})`).join(t('access.because.join')) : '';
    };
    return [
      subject.name,
      subject.email,
      t(subject.status === 'active' ? 'access.statuses.active' : 'access.statuses.disabled'),
      subject.department?.name ?? '',
      rights.groups.map((g) => g.groupName).join(t('access.condition.list')),
      form.name,
      ...recordActions.map(cell),
      ...fieldModes.filter((m) => m !== 'write-on-create').map((m) => titles(rights.modes[m])),
      titles(rights.revealFields),
    ];
  });
  return [header, ...rows];
}

/**
 * The overview as CSV for the periodic access review: by user (one user, or every user) or by
 * form (one form, or every form). UTF-8 with a BOM for Excel; every cell neutralised against
 * formula injection (lib/access/csv.ts). Audited with the row count and the file's SHA-256,
 * so a copy found later can be matched to this export.
 */
export const exportAccessOverview = defineOperation({
  name: 'access.exportOverview',
  permission: 'admin',
  readOnly: true,
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['by'],
    properties: { by: { enum: ['user', 'form'] }, id: uuid },
  },
  async run(ctx, input): Promise<{ filename: string; contentType: string; body: string; rows: number }> {
    let lines: { subject: SubjectSummary; form: FormSummary; rights: FormRights }[];
    if (input.by === 'user') {
      const subjects = input.id ? [await requireSubject(ctx, input.id)] : await loadSubjects(ctx.db);
      const access = await userAccess(ctx, subjects, await loadFormPolicyInputs(ctx.db));
      lines = access.flatMap((u) => u.forms.map((f) => ({ subject: u.subject, form: f.form, rights: f.rights })));
    } else {
      const forms = input.id ? [await requireForm(ctx, input.id)] : await loadFormPolicyInputs(ctx.db);
      const access = await formAccess(ctx, forms);
      lines = access.flatMap((f) => f.users.map((u) => ({ subject: u.subject, form: f.form, rights: u.rights })));
    }
    const names = Object.fromEntries((await directoryNames(ctx.db)).departments);
    const body = toCsv(csvRows(ctx.locale, lines, names));
    const sha256 = createHash('sha256').update(body, 'utf8').digest('hex');
    ctx.audit({
      action: 'access.exportOverview',
      resourceType: input.by === 'user' ? 'user' : 'form',
      resourceId: input.id,
      formId: input.by === 'form' ? input.id : undefined,
      details: { by: input.by, id: input.id ?? null, rows: lines.length, sha256 },
    });
    const day = new Date().toISOString().slice(0, 10);
    const base = msg(ctx.locale, input.by === 'user' ? 'access.csv.filenameByUser' : 'access.csv.filenameByForm');
    return { filename: `${base}-${day}.csv`, contentType: 'text/csv; charset=utf-8', body, rows: lines.length };
  },
});

/**
 * The view-as audit event, recorded before the read: the runner audits a failed run with its
 * first event, so a refused or failed view-as is also an access.viewAs naming the target
 * user. The records shown are filled in once the read succeeded.
 */
function viewAsEvent(ctx: OperationContext, userId: string, formId: string, view: 'list' | 'record', details: Record<string, unknown> = {}): AuditEntry {
  const entry: AuditEntry = { action: 'access.viewAs', resourceType: 'user', resourceId: userId, formId, details: { asUser: userId, view, ...details } };
  ctx.audit(entry);
  return entry;
}

const shownFields = (view: FormView) => view.fields.filter((f) => f.mode !== 'hidden').map((f) => f.key);

const { formId: _formId, ...listQuery } = listRecords.inputSchema.properties;

/** The records list exactly as one user sees it (their scope, fields and masking); read-only. */
export const viewAsList = defineOperation({
  name: 'access.viewAsList',
  permission: 'admin',
  readOnly: true,
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['userId', 'formId'],
    // The list's own query parameters, one source: view-as accepts exactly what the list does.
    properties: { userId: uuid, formId: uuid, ...listQuery },
  },
  async run(ctx, input): Promise<{ subject: SubjectSummary; page: RecordPage; view: FormView }> {
    const { userId, ...query } = input;
    const entry = viewAsEvent(ctx, userId, query.formId, 'list', { page: query.page ?? 1, searched: Boolean(query.q?.trim()) });
    const subject = await requireSubject(ctx, userId);
    const { form: view, page } = await listRecordsAs(ctx, subject.userId, query);
    const shown = page ?? { items: [], total: 0, page: query.page ?? 1, pageSize: query.pageSize ?? 20 };
    entry.recordIds = shown.items.map((i) => i.id);
    entry.fields = shownFields(view);
    return { subject: subjectSummary(subject, await directoryNames(ctx.db)), page: shown, view };
  },
});

/** One record exactly as one user sees it; read-only. */
export const viewAsRecord = defineOperation({
  name: 'access.viewAsRecord',
  permission: 'admin',
  readOnly: true,
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['userId', 'formId', 'recordId'],
    properties: { userId: uuid, formId: uuid, recordId: uuid },
  },
  async run(ctx, input): Promise<{ subject: SubjectSummary; record: RecordDTO; view: FormView }> {
    const entry = viewAsEvent(ctx, input.userId, input.formId, 'record');
    entry.recordIds = [input.recordId];
    const subject = await requireSubject(ctx, input.userId);
    const { record, form: view } = await getRecordAs(ctx, subject.userId, { formId: input.formId, recordId: input.recordId });
    entry.fields = shownFields(view);
    return { subject: subjectSummary(subject, await directoryNames(ctx.db)), record, view };
  },
});
