/**
 * The one door for record data. Every path out (pages, REST, CLI, exports, view-as) comes
 * through these operations, which take the caller's decision (lib/policy) once, compile its
 * scopes into every query, build DTOs in record-view and audit what was seen or changed.
 */
import 'server-only';
import { sql, type RawBuilder } from 'kysely';
import { randomUUID } from 'node:crypto';
import { defineOperation, type OperationContext, type OperationInput } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { msg, type Locale } from '@/lib/i18n';
import { canSortBy, mayAssign, revealOn, revealScope, searchableKeys, shownScope, FALSE, TRUE, type ScopeExpr, type RowFacts } from '@/lib/policy';
import { LOOKUP_KINDS } from '@/lib/crypto/blind-index';
import { env } from '@/lib/env';
import { SYSTEM_USER_ID } from '@/lib/auth/principal';
import { formAccessPrefetch, listFormAccess, loadFormAccess, loadFormAccessOf, type FormAccess, type Subject } from './form-access';
import { compileScope } from './scope-sql';
import { openStored } from './protect';
import {
  explainMiss,
  findRecord,
  insertRecord,
  listDeletedRecordRows,
  listRecordPage,
  restoreInScope,
  softDeleteInScope,
  updateInScope,
  type CompiledScope,
  type Filter,
  type Miss,
  type RecordRow,
} from './record-query';
import { formView, keysToSelect, recordView, type RecordView } from './record-view';
import { invalidValues, lookupsWritten, planWrite, sealWritten } from './record-write';
import { listColumns, type FormView, type RecordDTO, type RecordPage } from './dto';
import { uuidSchema as uuid } from '@/lib/forms/ajv';

export type { FormView, RecordDTO, RecordPage } from './dto';
export type { Subject } from './form-access';
export {
  anyRecordOfUsersOutside,
  countPlainValues,
  countVisibleRecordsByForm,
  countSealedValues,
  countValuesOfOtherType,
  departmentsWithRecords,
  digestsByLookupVersion,
  purgeFormRecords,
  valuesByKeyVersion,
} from './form-stats';
/** A record version as the database stores it (int4): a larger number is bad input, not a 500. */
const recordVersion = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;

const recordNotFound = (locale: Locale) => new AppError('not_found', msg(locale, 'errors.records.notFound'));

/** Denied action on a form the caller can see at all: an honest 403. */
const notAllowed = (locale: Locale, action: 'create' | 'edit' | 'delete' | 'restore' | 'reveal') =>
  new AppError('forbidden', msg(locale, `errors.records.notAllowed.${action}`));

const conflict = (locale: Locale) => new AppError('conflict', msg(locale, 'errors.records.conflict'));

/** The caller's scope for one action, compiled; `false` when not granted (such a write then matches no row). */
const compiled = (form: FormAccess, expr: ScopeExpr): CompiledScope => compileScope(expr, form.decision.me);
const scopeOf = (form: FormAccess, action: 'view' | 'edit' | 'delete'): CompiledScope =>
  compiled(form, form.decision.actions[action].allowed ? form.decision.actions[action].scope : FALSE);

/** Without view there is nothing to show: the records of the form do not exist for the caller. */
function requireView(form: FormAccess, locale: Locale) {
  if (!form.decision.actions.view.allowed) throw recordNotFound(locale);
}

/** Records the operation's own event, then one per record whose values did not all decrypt. */
function auditWithView(ctx: OperationContext, view: RecordView, entry: Parameters<OperationContext['audit']>[0]) {
  ctx.audit(entry);
  for (const failure of view.failures()) ctx.audit(failure);
}

/** The field keys a DTO showed in plain (the audit records what was seen, by name). */
const plainKeys = (items: RecordDTO[]) => [...new Set(items.flatMap((i) => Object.entries(i.modes).filter(([, m]) => m !== 'masked').map(([k]) => k)))];
const maskedKeys = (items: RecordDTO[]) => [...new Set(items.flatMap((i) => Object.entries(i.modes).filter(([, m]) => m === 'masked').map(([k]) => k)))];

/** Finds a live record inside the caller's view scope, or says "not found". */
async function getScopedRow(ctx: OperationContext, form: FormAccess, recordId: string): Promise<RecordRow> {
  requireView(form, ctx.locale);
  const row = await findRecord(ctx.db, { formId: form.formId, recordId, scope: scopeOf(form, 'view'), keys: keysToSelect(form.decision) });
  if (!row) throw recordNotFound(ctx.locale);
  return row;
}

/** The error for a scoped write that touched no row (see explainMiss). */
function missError(locale: Locale, miss: Miss, action: 'edit' | 'delete'): AppError {
  return miss === 'not_found' ? recordNotFound(locale) : miss === 'forbidden' ? notAllowed(locale, action) : conflict(locale);
}

const listInput = {
  type: 'object',
  additionalProperties: false,
  required: ['formId'],
  properties: {
    formId: uuid,
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
    sort: { type: 'string', maxLength: 64, default: 'createdAt' },
    order: { enum: ['asc', 'desc'], default: 'desc' },
    q: { type: 'string', maxLength: 100 },
    // Exact matches by field key, all of which must hold: filter[phone]=13812345678.
    filter: { type: 'object', maxProperties: 5, propertyNames: { maxLength: 64 }, additionalProperties: { type: 'string', maxLength: 200 } },
  },
} as const;
type ListQuery = { page?: number; pageSize?: number; sort?: string; order?: 'asc' | 'desc'; q?: string; filter?: Record<string, string> };

/**
 * Exact searches on encrypted fields per user and hour (FW_LOOKUP_PER_HOUR). Threat: the
 * masked part of a value (the four hidden digits of 138****5678, the birth date of a
 * 身份证号) guessed by trying every candidate as an exact search. Counted from the audit log
 * (each list that looked up names `lookups` in its event), so every instance shares the count,
 * under a per-user lock so concurrent searches cannot overshoot.
 */
async function limitLookups(ctx: OperationContext): Promise<void> {
  await limitPerHour(ctx, { lock: 'fw.lookup', action: 'records.list', counts: sql<boolean>`details ? 'lookups'`, limit: env().lookupPerHour, message: 'errors.records.lookupRateLimited' });
}

/**
 * At most `limit` of the caller's audited `action` events matching `counts` in the last hour,
 * or rate_limited. Counted from the audit log, so every instance shares the count, under a
 * per-user advisory lock so concurrent requests cannot overshoot. (Reveals and exact lookups.)
 */
async function limitPerHour(
  ctx: OperationContext,
  o: { lock: string; action: string; counts: RawBuilder<boolean>; limit: number; message: 'errors.records.lookupRateLimited' | 'errors.records.revealRateLimited' },
): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${o.lock}), hashtext(${ctx.principal.userId}))`.execute(ctx.db);
  const recent = await ctx.db
    .selectFrom('audit_events')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('actor_id', '=', ctx.principal.userId)
    .where('at', '>', sql<Date>`now() - interval '1 hour'`)
    .where('action', '=', o.action)
    .where(o.counts)
    .executeTakeFirstOrThrow();
  if (recent.n >= o.limit) throw new AppError('rate_limited', msg(ctx.locale, o.message, { limit: o.limit }), { retryAfter: 3600 });
}

/** Encrypted fields the caller can find records by (exact value, blind index), with where. */
const lookupFields = (form: FormAccess) =>
  form.fields.filter((f) => f.schema['x-encrypted'] && LOOKUP_KINDS.has(f.kind) && shownScope(form.decision, f.key).t !== 'false');

/**
 * The list's exact filters. A field the caller cannot see, or reads only masked (an equality
 * test would be an oracle for the masked value), is refused with the same words as a field
 * that does not exist; an encrypted field is found by its whole value only (blind index), so a
 * partial value is refused with that reason, and an encrypted field of a kind without a lookup
 * is refused too.
 */
function listFilters(form: FormAccess, filter: Record<string, string> | undefined, locale: Locale): Filter[] {
  const out: Filter[] = [];
  const refused: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter ?? {})) {
    const f = form.fields.find((x) => x.key === key && x.kind !== 'owner');
    const at = `filter.${key}`;
    if (!f || form.decision.ceiling[key] === 'hidden') refused[at] = msg(locale, 'errors.records.cannotFilter');
    else if (f.schema['x-encrypted']) {
      if (!LOOKUP_KINDS.has(f.kind) || shownScope(form.decision, key).t === 'false') refused[at] = msg(locale, 'errors.records.encryptedNoLookup', { field: f.schema.title ?? key });
      else {
        const digests = form.crypto.lookupAny(form.formId, key, f.kind, value, f.schema.format);
        if (!digests.length) refused[at] = msg(locale, 'errors.records.encryptedExactOnly', { field: f.schema.title ?? key });
        else out.push({ kind: 'lookup', key, digests, where: compiled(form, shownScope(form.decision, key)) });
      }
    } else if (form.decision.readScope[key].t === 'false') refused[at] = msg(locale, 'errors.records.cannotFilter');
    else out.push({ kind: 'equals', key, value, where: compiled(form, form.decision.readScope[key]) });
  }
  if (Object.keys(refused).length) throw invalidValues(locale, refused);
  return out;
}

const sortColumns = new Set(['createdAt', 'updatedAt']);
const sortAllowed = (form: FormAccess, key: string) => sortColumns.has(key) || form.fields.some((f) => f.key === key && canSortBy(form.decision, f.key));

/**
 * One page of records as `form.decision` allows: the view scope in the query, only the
 * fields the caller sees selected, search matching a field only where the caller reads it in
 * plain, sort only by fields it reads in plain everywhere (an order is an oracle too).
 */
async function readPage(ctx: OperationContext, form: FormAccess, input: ListQuery, only?: ReadonlySet<string>): Promise<RecordPage> {
  requireView(form, ctx.locale);
  const d = form.decision;
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 20;
  const order = input.order ?? 'desc';
  const sortKey = input.sort ?? 'createdAt';
  const sortField = sortColumns.has(sortKey) ? undefined : form.fields.find((f) => f.key === sortKey && canSortBy(d, f.key));
  if (!sortAllowed(form, sortKey)) {
    // A hidden field is refused with the same words as a field that does not exist.
    throw invalidValues(ctx.locale, { sort: msg(ctx.locale, 'errors.records.cannotSort') });
  }
  const q = input.q?.trim();
  const filters = listFilters(form, input.filter, ctx.locale);
  const searchable = form.fields.filter((f) => searchableKeys(d).includes(f.key) && f.schema.type === 'string');
  // An encrypted phone, e-mail, 身份证号 or bank card matches the whole value only.
  const lookups = q
    ? lookupFields(form).flatMap((f) => {
        const digests = form.crypto.lookupAny(form.formId, f.key, f.kind, q, f.schema.format);
        return digests.length ? [{ key: f.key, digests, where: compiled(form, shownScope(d, f.key)) }] : [];
      })
    : [];
  const lookedUp = [...new Set([...lookups.map((l) => l.key), ...filters.filter((f) => f.kind === 'lookup').map((f) => f.key)])];
  if (lookedUp.length) await limitLookups(ctx);
  const view = recordView(form, only);
  const { rows, total } = await listRecordPage(ctx.db, {
    formId: form.formId,
    scope: scopeOf(form, 'view'),
    keys: keysToSelect(d, only),
    sort: sortField ? { field: sortField.key, type: sortField.schema.type, order } : { column: sortKey as 'createdAt' | 'updatedAt', order },
    search: q
      ? {
          q,
          fields: searchable.map((f) => ({ key: f.key, where: compiled(form, d.readScope[f.key]) })),
          lookups,
        }
      : undefined,
    filters,
    limit: pageSize,
    offset: (page - 1) * pageSize,
    totals: { countedAs: form.subjectId, recordsVersion: form.recordsVersion },
  });
  const items = rows.map((r) => view.toDTO(r));
  auditWithView(ctx, view, {
    action: 'records.list',
    resourceType: 'form',
    resourceId: form.formId,
    formId: form.formId,
    recordIds: items.map((i) => i.id),
    fields: plainKeys(items),
    details: { page, pageSize, total, searched: Boolean(q), filtered: Object.keys(input.filter ?? {}), ...(lookedUp.length ? { lookups: lookedUp } : {}), masked: maskedKeys(items) },
  });
  return { items, total, page, pageSize };
}

async function readRecord(ctx: OperationContext, form: FormAccess, recordId: string): Promise<RecordDTO> {
  const row = await getScopedRow(ctx, form, recordId);
  const view = recordView(form);
  const dto = view.toDTO(row);
  auditWithView(ctx, view, {
    action: 'records.get',
    resourceType: 'record',
    resourceId: row.id,
    formId: form.formId,
    recordIds: [row.id],
    fields: plainKeys([dto]),
    details: { masked: maskedKeys([dto]) },
  });
  return dto;
}

export const listRecords = defineOperation({
  name: 'records.list',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  readOnly: true,
  input: listInput,
  async run(ctx, input): Promise<RecordPage> {
    return readPage(ctx, await loadFormAccess(ctx, input.formId), input);
  },
});
export type ListRecordsInput = OperationInput<typeof listRecords>;

export const getRecord = defineOperation({
  name: 'records.get',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId', 'recordId'], properties: { formId: uuid, recordId: uuid } },
  async run(ctx, input): Promise<RecordDTO> {
    return readRecord(ctx, await loadFormAccess(ctx, input.formId), input.recordId);
  },
});

/** The fields a records page shows (listColumns, dto.ts): the only ones its rows carry. */
const columnsOf = (view: FormView) => new Set(listColumns(view).map((f) => f.key));

/** The form as the caller sees it plus one page of records (or null without view): the records page, one operation. */
export const recordsListPage = defineOperation({
  name: 'records.listPage',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  readOnly: true,
  input: listInput,
  async run(ctx, input): Promise<{ form: FormView; page: RecordPage | null; sort: string }> {
    const form = await loadFormAccess(ctx, input.formId);
    const view = formView(form);
    if (!form.decision.actions.view.allowed) {
      ctx.audit({ action: 'records.listPage', resourceType: 'form', resourceId: form.formId, formId: form.formId });
      return { form: view, page: null, sort: 'updatedAt' };
    }
    // A hand-edited URL with a sort the caller may not use falls back to the default, not an error page.
    const sort = input.sort && sortAllowed(form, input.sort) ? input.sort : 'updatedAt';
    return { form: view, page: await readPage(ctx, form, { ...input, sort }, columnsOf(view)), sort };
  },
});

export interface OwnerOption {
  id: string;
  name: string;
  departmentName: string | null;
}

/**
 * The owners the caller may give a record: itself (on create, when it may create), the
 * current owner (on edit), and whoever falls inside its assign scope for these values. The
 * owner picker offers exactly these; the write checks again.
 */
async function ownerOptions(ctx: OperationContext, form: FormAccess, r: { current?: RowFacts }): Promise<OwnerOption[]> {
  const d = form.decision;
  const keepId = r.current?.ownerId ?? (d.actions.create.allowed ? d.me.userId : undefined);
  if (!d.actions.assign.allowed) {
    if (!keepId) return [];
    const u = await ctx.db
      .selectFrom('users as u')
      .leftJoin('departments as dp', 'dp.id', 'u.department_id')
      .select(['u.id', 'u.name', 'dp.name as department_name'])
      .where('u.id', '=', keepId)
      .executeTakeFirst();
    return u ? [{ id: u.id, name: u.name, departmentName: u.department_name }] : [];
  }
  const users = await ctx.db
    .selectFrom('users as u')
    .leftJoin('departments as dp', 'dp.id', 'u.department_id')
    .select(['u.id', 'u.name', 'u.department_id', 'dp.name as department_name'])
    .where('u.status', '=', 'active')
    .orderBy('u.name')
    .limit(2000)
    .execute();
  const values = r.current?.values ?? {};
  return users
    .filter((u) => u.id === keepId || mayAssign(d, { ownerId: u.id, departmentId: u.department_id, values }))
    .map((u) => ({ id: u.id, name: u.name, departmentName: u.department_name }));
}

/** The record page: the form as the caller sees it, the record, and the owners it may pick. */
export const recordPage = defineOperation({
  name: 'records.page',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId', 'recordId'], properties: { formId: uuid, recordId: uuid } },
  async run(ctx, input): Promise<{ form: FormView; record: RecordDTO; ownerOptions: OwnerOption[] }> {
    const form = await loadFormAccess(ctx, input.formId);
    const record = await readRecord(ctx, form, input.recordId);
    const options = record.can.edit
      ? await ownerOptions(ctx, form, { current: { ownerId: record.owner.id, departmentId: record.departmentId, values: record.values } })
      : [{ id: record.owner.id, name: record.owner.name, departmentName: null }];
    return { form: formView(form), record, ownerOptions: options };
  },
});

/** The new-record page: the form as the caller may fill it in, and the owners it may pick. */
export const newRecordPage = defineOperation({
  name: 'records.newPage',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  readOnly: true,
  audit: false,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<{ form: FormView; ownerOptions: OwnerOption[] }> {
    const form = await loadFormAccess(ctx, input.formId);
    if (!form.decision.actions.create.allowed) throw notAllowed(ctx.locale, 'create');
    return { form: formView(form), ownerOptions: await ownerOptions(ctx, form, {}) };
  },
});

export const createRecord = defineOperation({
  name: 'records.create',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: { type: 'object', additionalProperties: false, required: ['formId', 'values'], properties: { formId: uuid, values: { type: 'object' } } },
  async run(ctx, input): Promise<RecordDTO> {
    const form = await loadFormAccess(ctx, input.formId);
    const d = form.decision;
    if (!d.actions.create.allowed) throw notAllowed(ctx.locale, 'create');
    const plan = await planWrite(ctx.db, form, {
      locale: ctx.locale,
      patch: input.values,
      modes: d.onCreate,
      shown: {},
      current: {},
      keptAsIs: [],
      owner: null,
      me: ctx.principal.userId,
      cacheKey: `${form.formId}:${form.version}:create`,
    });
    // The id is chosen here because the ciphertexts are bound to it.
    const id = randomUUID();
    const inserted = await insertRecord(ctx.db, {
      id,
      formId: form.formId,
      formVersion: form.version,
      values: sealWritten(form, id, plan.written),
      lookups: lookupsWritten(form, plan.written).set,
      ownerId: plan.owner.id,
      ownerName: plan.owner.name,
      departmentId: plan.owner.departmentId,
      by: ctx.principal.userId,
      keys: keysToSelect(d),
    });
    ctx.audit({ action: 'records.create', resourceType: 'record', resourceId: id, formId: form.formId, recordIds: [id], fields: plan.changed });
    // A creator who may not view sees its new record through the view decision like any other:
    // what it cannot see is not in the answer.
    return recordView(form).toDTO(inserted);
  },
});

export const updateRecord = defineOperation({
  name: 'records.update',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'recordId', 'version', 'values'],
    properties: {
      formId: uuid,
      recordId: uuid,
      // The version the editor started from; a newer stored version is a conflict.
      version: recordVersion,
      // Changed fields; null clears a field. Fields not named keep their value.
      values: { type: 'object' },
    },
  },
  async run(ctx, input): Promise<RecordDTO> {
    const form = await loadFormAccess(ctx, input.formId);
    const d = form.decision;
    const editScope = scopeOf(form, 'edit');
    // The read gives the values the change is merged into; it checks nothing. The edit
    // scope and the version are checked by the UPDATE itself, so a record that left the
    // scope after this read cannot be written.
    const row = await getScopedRow(ctx, form, input.recordId);
    if (!d.actions.edit.allowed) throw notAllowed(ctx.locale, 'edit');
    const whyNot = () => explainMiss(ctx.db, { formId: form.formId, recordId: row.id, state: 'live', view: scopeOf(form, 'view'), write: editScope });
    const view = recordView(form);
    const before = view.toDTO(row);
    // Visible but not editable: say so, rather than list field errors for a save that could never happen.
    if (!before.can.edit) throw notAllowed(ctx.locale, 'edit');
    const current = Object.fromEntries(
      form.fields
        .filter((f) => before.modes[f.key] === 'write' && row.values[f.key] !== undefined && !before.unreadable.includes(f.key))
        .map((f) => [f.key, before.values[f.key]]),
    );
    const plan = await planWrite(ctx.db, form, {
      locale: ctx.locale,
      patch: input.values,
      modes: before.modes,
      shown: before.values,
      current,
      keptAsIs: before.unreadable,
      owner: { id: row.owner_id, departmentId: row.department_id },
      me: ctx.principal.userId,
      cacheKey: `${form.formId}:${form.version}:update`,
    });
    const updated = await updateInScope(ctx.db, {
      formId: form.formId,
      recordId: row.id,
      scope: editScope,
      version: input.version,
      keys: keysToSelect(d),
      change: {
        set: sealWritten(form, row.id, plan.written),
        unset: plan.cleared,
        lookups: lookupsWritten(form, plan.written, plan.cleared),
        ownerId: plan.owner.id,
        departmentId: plan.owner.departmentId,
        formVersion: form.version,
        by: ctx.principal.userId,
      },
    });
    if (!updated) throw missError(ctx.locale, await whyNot(), 'edit');
    const dto = view.toDTO(updated);
    auditWithView(ctx, view, {
      action: 'records.update',
      resourceType: 'record',
      resourceId: row.id,
      formId: form.formId,
      recordIds: [row.id],
      fields: plan.changed,
      details: { fromVersion: input.version, toVersion: input.version + 1 },
    });
    return dto;
  },
});
export type UpdateRecordInput = OperationInput<typeof updateRecord>;

export const deleteRecord = defineOperation({
  name: 'records.delete',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: { type: 'object', additionalProperties: false, required: ['formId', 'recordId'], properties: { formId: uuid, recordId: uuid, version: recordVersion } },
  async run(ctx, input): Promise<{ id: string }> {
    const form = await loadFormAccess(ctx, input.formId);
    requireView(form, ctx.locale);
    const deleteScope = scopeOf(form, 'delete');
    // One statement: the delete scope and the version are the UPDATE's own conditions.
    const deleted = await softDeleteInScope(ctx.db, { formId: form.formId, recordId: input.recordId, scope: deleteScope, version: input.version, by: ctx.principal.userId });
    if (!deleted) {
      const miss = await explainMiss(ctx.db, { formId: form.formId, recordId: input.recordId, state: 'live', view: scopeOf(form, 'view'), write: deleteScope });
      throw missError(ctx.locale, miss, 'delete');
    }
    ctx.audit({ action: 'records.delete', resourceType: 'record', resourceId: deleted.id, formId: form.formId, recordIds: [deleted.id] });
    return { id: deleted.id };
  },
});

/** Reveals per user and hour unless configured otherwise (FW_REVEAL_PER_HOUR). */
const revealLimit = () => env().revealPerHour;

/**
 * Shows one masked field of one record in plain, once: the value is answered, never kept in
 * a list, and every reveal is an audit event with the field and the reason. Rate-limited per
 * user (counted from the audit log, so every instance shares the count, under a per-user
 * lock so concurrent reveals cannot overshoot): a colleague with reveal rights cannot
 * unmask a whole customer list one click at a time.
 */
export const revealField = defineOperation({
  name: 'records.reveal',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'recordId', 'field'],
    properties: { formId: uuid, recordId: uuid, field: { type: 'string', maxLength: 64 }, reason: { type: 'string', maxLength: 500 } },
  },
  async run(ctx, input): Promise<{ field: string; value: unknown }> {
    const form = await loadFormAccess(ctx, input.formId);
    const d = form.decision;
    requireView(form, ctx.locale);
    const field = form.fields.find((f) => f.key === input.field && d.ceiling[f.key] !== 'hidden');
    // A hidden field is answered like one that does not exist.
    if (!field) throw invalidValues(ctx.locale, { field: msg(ctx.locale, 'errors.records.unknownField') });
    const row = await findRecord(ctx.db, {
      formId: form.formId,
      recordId: input.recordId,
      scope: scopeOf(form, 'view'),
      keys: [...new Set([field.key, ...keysToSelect(d)])],
    });
    if (!row) throw recordNotFound(ctx.locale);
    const facts = { ownerId: row.owner_id, departmentId: row.department_id, values: row.values };
    const reveal = revealOn(d, facts, field.key);
    if (!reveal.allowed || revealScope(d, field.key).t === 'false') throw notAllowed(ctx.locale, 'reveal');
    const reason = input.reason?.trim() ?? '';
    if (reveal.reasonRequired && !reason) throw invalidValues(ctx.locale, { reason: msg(ctx.locale, 'errors.records.revealReasonRequired') });

    await limitPerHour(ctx, { lock: 'fw.reveal', action: 'records.reveal', counts: sql<boolean>`outcome = 'ok'`, limit: revealLimit(), message: 'errors.records.revealRateLimited' });
    let value: unknown;
    if (field.key === form.ownerKey) value = row.owner_name;
    else {
      const opened = openStored(form, row.id, field, row.values[field.key]);
      if (!opened.ok) throw new AppError('conflict', msg(ctx.locale, 'errors.records.unreadableValue'));
      value = opened.value ?? null;
    }
    ctx.audit({
      action: 'records.reveal',
      resourceType: 'record',
      resourceId: row.id,
      formId: form.formId,
      recordIds: [row.id],
      fields: [field.key],
      details: { reason: reason || null, groups: reveal.from.map((g) => g.groupName) },
    });
    return { field: field.key, value };
  },
});

export interface DeletedRecordDTO extends RecordDTO {
  deletedAt: string;
  deletedBy: string | null;
}

/** The recycle bin: admins see deleted records within their own view scope, as their grants show them. */
export const listDeletedRecords = defineOperation({
  name: 'records.listDeleted',
  prefetch: formAccessPrefetch,
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<DeletedRecordDTO[]> {
    const form = await loadFormAccess(ctx, input.formId);
    requireView(form, ctx.locale);
    const rows = await listDeletedRecordRows(ctx.db, { formId: form.formId, scope: scopeOf(form, 'view'), limit: 500, keys: keysToSelect(form.decision) });
    const view = recordView(form);
    const items = rows.map((r) => ({ ...view.toDTO(r), deletedAt: new Date(r.deleted_at).toISOString(), deletedBy: r.deleted_by_name }));
    auditWithView(ctx, view, {
      action: 'records.listDeleted',
      resourceType: 'form',
      resourceId: form.formId,
      formId: form.formId,
      recordIds: items.map((i) => i.id),
      fields: plainKeys(items),
    });
    return items;
  },
});

/**
 * Restoring undoes a delete, so it takes the delete scope: whoever may not delete a record
 * may not bring it back either (a record a manager removed stays removed for an admin who
 * only views it). A bin record outside the view scope is "not found"; visible but outside
 * the delete scope is 403.
 */
export const restoreRecord = defineOperation({
  name: 'records.restore',
  prefetch: formAccessPrefetch,
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['formId', 'recordId'], properties: { formId: uuid, recordId: uuid } },
  async run(ctx, input): Promise<{ id: string }> {
    const form = await loadFormAccess(ctx, input.formId);
    requireView(form, ctx.locale);
    const deleteScope = scopeOf(form, 'delete');
    const restored = await restoreInScope(ctx.db, { formId: form.formId, recordId: input.recordId, scope: deleteScope });
    if (!restored) {
      const miss = await explainMiss(ctx.db, { formId: form.formId, recordId: input.recordId, state: 'deleted', view: scopeOf(form, 'view'), write: deleteScope });
      throw miss === 'forbidden' ? notAllowed(ctx.locale, 'restore') : recordNotFound(ctx.locale);
    }
    ctx.audit({ action: 'records.restore', resourceType: 'record', resourceId: restored.id, formId: form.formId, recordIds: [restored.id] });
    return { id: restored.id };
  },
});

/** The forms the caller holds any right on, each as the caller may see it. */
export const listUsableForms = defineOperation({
  name: 'records.listForms',
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<FormView[]> {
    const forms = (await listFormAccess(ctx.db, ctx.principal)).map(formView).filter((f) => Object.values(f.can).some(Boolean));
    ctx.audit({ action: 'records.listForms', resourceType: 'form', details: { count: forms.length } });
    return forms;
  },
});

/*
 * For admins' view-as and explain (lib/access): the same reads, decided for another user.
 * They run inside the admin's operation (its transaction and audit); the decision is the
 * subject's, made by the same decide() the subject's own requests use.
 */

/**
 * Runs `fn` with row-level security deciding for `userId` instead of the admin: RLS reads
 * the caller from `app.user_id`, so a view-as read is bound by that user's scope in the
 * database as well as in the query (an admin without grants would otherwise see nothing,
 * and a bug in the query could not show more than that user may see). The admin stays the
 * actor of every audit event (the runner takes it from the principal, not the setting).
 */
async function asSubject<T>(ctx: OperationContext, userId: string, fn: () => Promise<T>): Promise<T> {
  await sql`select set_config('app.user_id', ${userId}, true)`.execute(ctx.db);
  try {
    return await fn();
  } finally {
    await sql`select set_config('app.user_id', ${ctx.principal.userId}, true)`.execute(ctx.db);
  }
}

/** The records list exactly as `userId` would see it. */
export async function listRecordsAs(ctx: OperationContext, userId: string, input: { formId: string } & ListQuery): Promise<{ form: FormView; page: RecordPage | null; subject: Subject }> {
  const { access, subject } = await loadFormAccessOf(ctx.db, userId, input.formId, ctx.locale);
  const view = formView(access);
  // As on the records page: a sort that user may not use falls back to the default.
  const sort = input.sort && sortAllowed(access, input.sort) ? input.sort : 'updatedAt';
  const page = access.decision.actions.view.allowed ? await asSubject(ctx, userId, () => readPage(ctx, access, { ...input, sort }, columnsOf(view))) : null;
  return { form: view, page, subject };
}

/** One record exactly as `userId` would see it. */
export async function getRecordAs(ctx: OperationContext, userId: string, input: { formId: string; recordId: string }): Promise<{ form: FormView; record: RecordDTO; subject: Subject }> {
  const { access, subject } = await loadFormAccessOf(ctx.db, userId, input.formId, ctx.locale);
  return { form: formView(access), record: await asSubject(ctx, userId, () => readRecord(ctx, access, input.recordId)), subject };
}

/**
 * A record's facts as `userId`'s scopes need them (owner, department, the plain values its
 * conditions read), for explain; undefined when the record is outside that user's view.
 */
export async function rowFactsForExplain(ctx: OperationContext, userId: string, input: { formId: string; recordId: string }): Promise<{ facts: RowFacts; access: FormAccess } | undefined> {
  const { access } = await loadFormAccessOf(ctx.db, userId, input.formId, ctx.locale);
  const plain = access.fields.filter((f) => !f.schema['x-encrypted']).map((f) => f.key);
  // Explain answers for records the user cannot see too ("not visible, because …"), so the facts
  // are read unscoped, as the system: they feed the decision and are never shown themselves.
  const row = await asSubject(ctx, SYSTEM_USER_ID, () => findRecord(ctx.db, { formId: access.formId, recordId: input.recordId, scope: compiled(access, TRUE), keys: plain }));
  return row ? { facts: { ownerId: row.owner_id, departmentId: row.department_id, values: row.values }, access } : undefined;
}
