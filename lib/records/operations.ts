/**
 * The one door for record data. Every path out (pages, REST, CLI, exports)
 * comes through these operations, which ask policy, compile its row scope
 * into the query, and audit what was seen or changed.
 */
import 'server-only';
import { sql, type SqlBool } from 'kysely';
import { defineOperation, type OperationContext, type OperationInput, type Principal } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { msg, type Locale } from '@/lib/i18n';
import { decideAll, type RecordAction, type RowScope } from '@/lib/policy/grants';
import { getRecordValidator } from '@/lib/forms/record-validator';
import { isSearchableField, isSortableField } from '@/lib/forms/definition';
import { formAccessPrefetch, loadFormAccess, type FormAccess } from './form-access';
import { compileScope } from './scope-sql';
import { sealValues } from './protect';
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
  type Miss,
  type RecordRow,
} from './record-query';
import { recordView, type RecordView } from './record-view';
import { randomUUID } from 'node:crypto';
import type { RecordDTO, RecordPage } from './dto';
import { uuidSchema as uuid } from '@/lib/forms/ajv';

export type { RecordDTO, RecordPage } from './dto';
export {
  anyRecordOfUsersOutside,
  countPlainValues,
  countRecordsInScopes,
  countSealedValues,
  countValuesOfOtherType,
  departmentsWithRecords,
  purgeFormRecords,
} from './form-stats';

/** A record version as the database stores it (int4): a larger number is bad input, not a 500. */
const recordVersion = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;

const recordNotFound = (locale: Locale) =>
  new AppError('not_found', msg(locale, 'errors.records.notFound'));

/** Denied action on a form the caller can see at all: an honest 403. */
const notAllowed = (locale: Locale, action: RecordAction | 'restore') =>
  new AppError(
    'forbidden',
    msg(locale, `errors.records.notAllowed.${action}`),
  );

function requireScope(form: FormAccess, principal: Principal, action: RecordAction): RowScope {
  const d = form.decisions[action];
  if (!d.allowed) {
    // Without view there is nothing to show: the form itself is not found.
    if (action === 'view') throw recordNotFound(principal.locale);
    throw notAllowed(principal.locale, action);
  }
  return d.scope;
}

/** The caller's scope for `action`, compiled to SQL for record-query (refuses as requireScope does). */
const scopeFor = (form: FormAccess, principal: Principal, action: RecordAction): CompiledScope =>
  compileScope(requireScope(form, principal, action), principal);

/**
 * The scope of a write action, compiled. Not granted at all compiles to
 * `false`: the write then matches no row and explainMiss tells a record the
 * caller can see (403) from one it cannot (404), as for any out-of-scope row.
 */
const writeScopeFor = (form: FormAccess, principal: Principal, action: 'edit' | 'delete'): CompiledScope => {
  const d = form.decisions[action];
  return d.allowed ? compileScope(d.scope, principal) : () => sql<SqlBool>`false`;
};

const visibleFieldKeys = (form: FormAccess) => form.fields.map((f) => f.key);

/** Records the operation's own event, then one per record whose values did not all decrypt. */
function auditWithView(ctx: OperationContext, view: RecordView, entry: Parameters<OperationContext['audit']>[0]) {
  ctx.audit(entry);
  for (const failure of view.failures()) ctx.audit(failure);
}

/** Finds a live record inside the caller's view scope, or says "not found". */
async function getScopedRow(ctx: OperationContext, form: FormAccess, recordId: string): Promise<RecordRow> {
  const row = await findRecord(ctx.db, { formId: form.formId, recordId, scope: scopeFor(form, ctx.principal, 'view') });
  if (!row) throw recordNotFound(ctx.locale);
  return row;
}

/** The error for a scoped write that touched no row (see explainMiss). */
function missError(locale: Locale, miss: Miss, action: 'edit' | 'delete'): AppError {
  return miss === 'not_found' ? recordNotFound(locale) : miss === 'forbidden' ? notAllowed(locale, action) : conflict(locale);
}

function invalid(locale: Locale, fields: Record<string, string>) {
  return new AppError('invalid_input', msg(locale, 'errors.records.checkFields'), { fields });
}

/**
 * Splits validated values into the stored JSON and the owner column: the
 * owner field is the record's owner, kept in one place.
 */
async function resolveOwner(ctx: OperationContext, form: FormAccess, values: Record<string, unknown>, fallbackOwnerId: string) {
  const { [form.ownerKey ?? '\0']: ownerValue, ...rest } = values;
  const ownerId = typeof ownerValue === 'string' ? ownerValue : fallbackOwnerId;
  const owner = await ctx.db
    .selectFrom('users')
    .select(['id', 'name', 'department_id'])
    .where('id', '=', ownerId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!owner) {
    throw invalid(ctx.locale, { [form.ownerKey ?? 'owner']: msg(ctx.locale, 'errors.records.ownerNotFound') });
  }
  return { stored: rest, ownerId: owner.id, ownerName: owner.name, departmentId: owner.department_id };
}

/**
 * The raw values go to the validator, which refuses keys that are no field by name (`in` on
 * the definition let `constructor` and `__proto__` through, read from Object.prototype).
 * `keptAsIs`: fields whose stored value could not be decrypted and that the
 * edit leaves alone. They keep their stored token, so they count as filled
 * in (an edit of other fields must not need the value nobody can read).
 */
function validateValues(ctx: OperationContext, form: FormAccess, raw: Record<string, unknown>, keptAsIs: string[] = []) {
  const kept = [...keptAsIs].sort();
  const definition = kept.length ? { ...form.definition, required: (form.definition.required ?? []).filter((k) => !kept.includes(k)) } : form.definition;
  const cacheKey = `${form.formId}:${form.version}${kept.length ? `:kept=${kept.join(',')}` : ''}`;
  const result = getRecordValidator(cacheKey, definition)(raw, ctx.locale);
  if (!result.ok) throw invalid(ctx.locale, result.errors);
  return result.values;
}

const sortable = new Set(['createdAt', 'updatedAt']);

export const listRecords = defineOperation({
  name: 'records.list',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  readOnly: true,
  input: {
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
    },
  },
  async run(ctx, input): Promise<RecordPage> {
    const form = await loadFormAccess(ctx, input.formId);
    const scope = scopeFor(form, ctx.principal, 'view');
    const fields = form.fields;
    const page = input.page ?? 1;
    const pageSize = input.pageSize ?? 20;
    const order = input.order ?? 'desc';
    const sortKey = input.sort ?? 'createdAt';
    const sortField = fields.find((f) => f.key === sortKey && isSortableField(f));
    if (!sortable.has(sortKey) && !sortField) {
      throw invalid(ctx.locale, { sort: msg(ctx.locale, 'errors.records.cannotSort') });
    }
    const q = input.q?.trim();
    const { rows, total } = await listRecordPage(ctx.db, {
      formId: form.formId,
      scope,
      sort: sortField ? { field: sortField.key, type: sortField.schema.type, order } : { column: sortKey as 'createdAt' | 'updatedAt', order },
      search: q ? { q, fields: fields.filter(isSearchableField).map((f) => f.key) } : undefined,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    const view = recordView(form, ctx.principal);
    const items = rows.map((r) => view.toDTO(r));
    auditWithView(ctx, view, {
      action: 'records.list',
      resourceType: 'form',
      resourceId: form.formId,
      formId: form.formId,
      recordIds: items.map((i) => i.id),
      fields: visibleFieldKeys(form),
      details: { page, pageSize, total, searched: Boolean(q) },
    });
    return { items, total, page, pageSize };
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
    const form = await loadFormAccess(ctx, input.formId);
    const row = await getScopedRow(ctx, form, input.recordId);
    const view = recordView(form, ctx.principal);
    const dto = view.toDTO(row);
    auditWithView(ctx, view, { action: 'records.get', resourceType: 'record', resourceId: row.id, formId: form.formId, recordIds: [row.id], fields: visibleFieldKeys(form) });
    return dto;
  },
});

export const createRecord = defineOperation({
  name: 'records.create',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'values'],
    properties: { formId: uuid, values: { type: 'object' } },
  },
  async run(ctx, input): Promise<RecordDTO> {
    const form = await loadFormAccess(ctx, input.formId);
    requireScope(form, ctx.principal, 'create');
    const values = validateValues(ctx, form, input.values);
    const { stored, ownerId, ownerName, departmentId } = await resolveOwner(ctx, form, values, ctx.principal.userId);
    // The id is chosen here because the ciphertexts are bound to it.
    const id = randomUUID();
    const inserted = await insertRecord(ctx.db, {
      id,
      formId: form.formId,
      formVersion: form.version,
      values: sealValues(form.crypto, form.formId, id, form.fields, stored),
      ownerId,
      ownerName,
      departmentId,
      by: ctx.principal.userId,
    });
    ctx.audit({ action: 'records.create', resourceType: 'record', resourceId: id, formId: form.formId, recordIds: [id], fields: Object.keys(values) });
    return recordView(form, ctx.principal).toDTO(inserted);
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
    const editScope = writeScopeFor(form, ctx.principal, 'edit');
    const viewScope = scopeFor(form, ctx.principal, 'view');
    // The read gives the values the change is merged into; it checks nothing.
    // The edit scope and the version are checked by the UPDATE itself, so a
    // record that left the scope after this read cannot be written.
    const row = await getScopedRow(ctx, form, input.recordId);
    // No edit right on this form at all (a decision, not a row check): nothing to validate.
    if (!form.decisions.edit.allowed) throw notAllowed(ctx.locale, 'edit');
    const whyNot = () => explainMiss(ctx.db, { formId: form.formId, recordId: row.id, state: 'live', view: viewScope, write: editScope });

    const view = recordView(form, ctx.principal);
    const before = view.toDTO(row);
    const current = before.values;
    // A value that does not decrypt stays as stored unless this edit names it.
    const keptAsIs = before.unreadable.filter((k) => !Object.prototype.hasOwnProperty.call(input.values, k));
    const merged = { ...current, ...input.values };
    let values: Record<string, unknown>;
    try {
      values = validateValues(ctx, form, merged, keptAsIs);
    } catch (e) {
      // Visible but not editable: say so, rather than list field errors for a save that could never happen.
      if ((await whyNot()) === 'forbidden') throw notAllowed(ctx.locale, 'edit');
      throw e;
    }
    const { stored, ownerId, departmentId } = await resolveOwner(ctx, form, values, row.owner_id);
    // Values of fields no longer in the form stay in the record, so a field
    // removed by a publish can be restored with its data.
    const kept = Object.fromEntries(Object.entries(row.values).filter(([k]) => !(k in form.definition.properties) || keptAsIs.includes(k)));
    const changed = Object.keys(form.definition.properties).filter(
      (k) => !keptAsIs.includes(k) && (before.unreadable.includes(k) || JSON.stringify(current[k] ?? null) !== JSON.stringify(values[k] ?? null)),
    );
    const updated = await updateInScope(ctx.db, {
      formId: form.formId,
      recordId: row.id,
      scope: editScope,
      version: input.version,
      change: {
        values: { ...sealValues(form.crypto, form.formId, row.id, form.fields, stored), ...kept },
        ownerId,
        departmentId,
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
      fields: changed,
      details: { fromVersion: input.version, toVersion: input.version + 1 },
    });
    return dto;
  },
});
export type UpdateRecordInput = OperationInput<typeof updateRecord>;

const conflict = (locale: Locale) =>
  new AppError(
    'conflict',
    msg(locale, 'errors.records.conflict'),
  );

export const deleteRecord = defineOperation({
  name: 'records.delete',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'recordId'],
    properties: { formId: uuid, recordId: uuid, version: recordVersion },
  },
  async run(ctx, input): Promise<{ id: string }> {
    const form = await loadFormAccess(ctx, input.formId);
    const viewScope = scopeFor(form, ctx.principal, 'view');
    const deleteScope = writeScopeFor(form, ctx.principal, 'delete');
    // One statement: the delete scope and the version are the UPDATE's own conditions.
    const deleted = await softDeleteInScope(ctx.db, { formId: form.formId, recordId: input.recordId, scope: deleteScope, version: input.version, by: ctx.principal.userId });
    if (!deleted) {
      const miss = await explainMiss(ctx.db, { formId: form.formId, recordId: input.recordId, state: 'live', view: viewScope, write: deleteScope });
      throw missError(ctx.locale, miss, 'delete');
    }
    ctx.audit({ action: 'records.delete', resourceType: 'record', resourceId: deleted.id, formId: form.formId, recordIds: [deleted.id] });
    return { id: deleted.id };
  },
});

export interface DeletedRecordDTO extends RecordDTO {
  deletedAt: string;
  deletedBy: string | null;
}

/** The recycle bin: admins see deleted records within their own view scope. */
export const listDeletedRecords = defineOperation({
  name: 'records.listDeleted',
  prefetch: formAccessPrefetch,
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input): Promise<DeletedRecordDTO[]> {
    const form = await loadFormAccess(ctx, input.formId);
    const rows = await listDeletedRecordRows(ctx.db, { formId: form.formId, scope: scopeFor(form, ctx.principal, 'view'), limit: 500 });
    const view = recordView(form, ctx.principal);
    const items = rows.map((r) => ({
      ...view.toDTO(r),
      deletedAt: new Date(r.deleted_at).toISOString(),
      deletedBy: r.deleted_by_name,
    }));
    auditWithView(ctx, view, { action: 'records.listDeleted', resourceType: 'form', resourceId: form.formId, formId: form.formId, recordIds: items.map((i) => i.id), fields: visibleFieldKeys(form) });
    return items;
  },
});

/**
 * Restoring undoes a delete, so it takes the delete scope: whoever may not
 * delete a record may not bring it back either (a record a manager removed
 * stays removed for an admin who only views it). A bin record outside the
 * view scope is "not found"; visible but outside the delete scope is 403.
 */
export const restoreRecord = defineOperation({
  name: 'records.restore',
  prefetch: formAccessPrefetch,
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['formId', 'recordId'], properties: { formId: uuid, recordId: uuid } },
  async run(ctx, input): Promise<{ id: string }> {
    const form = await loadFormAccess(ctx, input.formId);
    const viewScope = scopeFor(form, ctx.principal, 'view');
    const deleteScope = writeScopeFor(form, ctx.principal, 'delete');
    const restored = await restoreInScope(ctx.db, { formId: form.formId, recordId: input.recordId, scope: deleteScope });
    if (!restored) {
      const miss = await explainMiss(ctx.db, { formId: form.formId, recordId: input.recordId, state: 'deleted', view: viewScope, write: deleteScope });
      throw miss === 'forbidden' ? notAllowed(ctx.locale, 'restore') : recordNotFound(ctx.locale);
    }
    ctx.audit({ action: 'records.restore', resourceType: 'record', resourceId: restored.id, formId: form.formId, recordIds: [restored.id] });
    return { id: restored.id };
  },
});

export interface UsableForm {
  id: string;
  name: string;
  description: string;
  version: number;
  schema: unknown;
  can: { view: boolean; create: boolean };
}

/** The forms the caller holds a grant on, with the published schema. */
export const listUsableForms = defineOperation({
  name: 'records.listForms',
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<UsableForm[]> {
    const rows = await sql<{ id: string; name: string; description: string; published_version: number; schema: unknown; grants: unknown[] }>`
      select f.id, f.name, f.description, f.published_version, fv.schema,
             json_agg(g.grant) as grants
      from forms f
      join form_versions fv on fv.form_id = f.id and fv.version = f.published_version
      join grants g on g.form_id = f.id
      where f.archived_at is null
        and g.group_id in (select gm.group_id from group_members gm where gm.user_id = ${ctx.principal.userId})
      group by f.id, fv.schema
      order by f.name`.execute(ctx.db);
    const forms = rows.rows
      .map((r) => {
        const decisions = decideAll(r.grants);
        return {
          id: r.id,
          name: r.name,
          description: r.description,
          version: r.published_version,
          schema: r.schema,
          can: { view: decisions.view.allowed, create: decisions.create.allowed },
        };
      })
      .filter((f) => f.can.view || f.can.create);
    ctx.audit({ action: 'records.listForms', resourceType: 'form', details: { count: forms.length } });
    return forms;
  },
});
