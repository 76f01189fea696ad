/**
 * The one door for record data. Every path out (pages, REST, CLI, exports)
 * comes through these operations, which ask policy, compile its row scope
 * into the query, and audit what was seen or changed.
 */
import 'server-only';
import { sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { defineOperation, type OperationContext, type Principal } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { say, type Locale } from '@/lib/i18n';
import { actionsOn, decideAll, type RecordAction, type RowFacts, type RowScope } from '@/lib/policy/grants';
import { getRecordValidator } from '@/lib/forms/record-validator';
import { isSearchableField, isSortableField } from '@/lib/forms/definition';
import { formAccessPrefetch, loadFormAccess, type FormAccess } from './form-access';
import { scopeFilter } from './scope-sql';
import { openValue, sealValues } from './protect';
import { randomUUID } from 'node:crypto';
import type { RecordDTO, RecordPage } from './dto';

export type { RecordDTO, RecordPage } from './dto';
export { countPlainValues, countRecordsInScope } from './form-stats';

const uuid = { type: 'string', format: 'uuid' } as const;

const recordNotFound = (locale: Locale) =>
  new AppError('not_found', say(locale, { zh: '记录不存在或无权访问', en: 'Record not found' }));

/** Denied action on a form the caller can see at all: an honest 403. */
const notAllowed = (locale: Locale, action: RecordAction) =>
  new AppError(
    'forbidden',
    say(locale, {
      zh: { view: '无权查看', create: '无权新建记录', edit: '无权编辑此记录', delete: '无权删除此记录' }[action],
      en: { view: 'You may not view these records', create: 'You may not create records here', edit: 'You may not edit this record', delete: 'You may not delete this record' }[action],
    }),
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

interface RecordRowOut {
  id: string;
  form_id: string;
  form_version: number;
  values: Record<string, unknown>;
  owner_id: string;
  owner_name: string;
  department_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The record columns a DTO needs; a write returns them, so no read follows it. */
const written = ['id', 'form_id', 'form_version', 'values', 'owner_id', 'department_id', 'version', 'created_at', 'updated_at'] as const;

function baseSelect(trx: Transaction<DB>, formId: string) {
  return trx
    .selectFrom('records as r')
    .innerJoin('users as ou', 'ou.id', 'r.owner_id')
    .select([
      'r.id',
      'r.form_id',
      'r.form_version',
      'r.values',
      'r.owner_id',
      'ou.name as owner_name',
      'r.department_id',
      'r.version',
      'r.created_at',
      'r.updated_at',
    ])
    .where('r.form_id', '=', formId);
}

function toDTO(row: RecordRowOut, form: FormAccess, principal: Principal): RecordDTO {
  const values: Record<string, unknown> = {};
  for (const f of form.fields) {
    if (f.key === form.ownerKey) values[f.key] = row.owner_id;
    // Only encrypted fields are opened: a plain field stores what was typed, "fw1.…" included.
    else if (row.values[f.key] !== undefined) {
      values[f.key] = f.schema['x-encrypted'] ? openValue(form.crypto, form.formId, row.id, f.key, row.values[f.key]) : row.values[f.key];
    }
  }
  return {
    id: row.id,
    formId: row.form_id,
    formVersion: row.form_version,
    values,
    owner: { id: row.owner_id, name: row.owner_name },
    departmentId: row.department_id,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    can: canOn(form, { ownerId: row.owner_id, departmentId: row.department_id }, principal),
  };
}

const canOn = (form: FormAccess, row: RowFacts, me: Principal) => actionsOn(form.decisions, row, me);

const visibleFieldKeys = (form: FormAccess) => form.fields.map((f) => f.key);

/** Finds a live record inside the caller's view scope, or says "not found". */
async function getScopedRow(ctx: OperationContext, form: FormAccess, recordId: string): Promise<RecordRowOut> {
  const scope = requireScope(form, ctx.principal, 'view');
  const row = await baseSelect(ctx.db, form.formId)
    .where('r.id', '=', recordId)
    .where('r.deleted_at', 'is', null)
    .where((eb) => scopeFilter(eb, scope, ctx.principal))
    .executeTakeFirst();
  if (!row) throw recordNotFound(ctx.locale);
  return row as RecordRowOut;
}

function invalid(locale: Locale, fields: Record<string, string>) {
  return new AppError('invalid_input', say(locale, { zh: '请检查标红的字段', en: 'Please correct the highlighted fields' }), { fields });
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
    throw invalid(ctx.locale, { [form.ownerKey ?? 'owner']: say(ctx.locale, { zh: '负责人不存在或已停用', en: 'Owner not found or disabled' }) });
  }
  return { stored: rest, ownerId: owner.id, ownerName: owner.name, departmentId: owner.department_id };
}

/**
 * The raw values go to the validator, which refuses keys that are no field by name (`in` on
 * the definition let `constructor` and `__proto__` through, read from Object.prototype).
 */
function validateValues(ctx: OperationContext, form: FormAccess, raw: Record<string, unknown>) {
  const result = getRecordValidator(`${form.formId}:${form.version}`, form.definition)(raw, ctx.locale);
  if (!result.ok) throw invalid(ctx.locale, result.errors);
  return result.values;
}

const sortable = new Set(['createdAt', 'updatedAt']);

export interface ListRecordsInput {
  formId: string;
  page?: number;
  pageSize?: number;
  sort?: string;
  order?: 'asc' | 'desc';
  q?: string;
}

export const listRecords = defineOperation<ListRecordsInput, RecordPage>({
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
  async run(ctx, input) {
    const form = await loadFormAccess(ctx, input.formId);
    const scope = requireScope(form, ctx.principal, 'view');
    const fields = form.fields;
    const page = input.page ?? 1;
    const pageSize = input.pageSize ?? 20;
    const order = input.order ?? 'desc';
    const sortKey = input.sort ?? 'createdAt';
    const sortField = fields.find((f) => f.key === sortKey && isSortableField(f));
    if (!sortable.has(sortKey) && !sortField) {
      throw invalid(ctx.locale, { sort: say(ctx.locale, { zh: '不能按此列排序', en: 'Cannot sort by this column' }) });
    }

    const q = input.q?.trim();
    const searchable = fields.filter(isSearchableField);
    const filtered = <O>(qb: SelectQueryBuilder<DB & { r: DB['records'] }, 'r', O>) => {
      let out = qb.where('r.form_id', '=', form.formId).where('r.deleted_at', 'is', null).where((eb) => scopeFilter(eb, scope, ctx.principal));
      if (q) {
        const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        out = out.where((eb) =>
          eb.or(searchable.map((f) => eb(sql`r.values->>${sql.lit(f.key)}`, 'ilike', pattern))),
        );
      }
      return out;
    };

    let listQuery = filtered(baseSelect(ctx.db, form.formId) as unknown as SelectQueryBuilder<DB & { r: DB['records'] }, 'r', RecordRowOut>);
    if (sortField) {
      const expr = sortField.schema.type === 'number' ? sql`(r.values->>${sql.lit(sortField.key)})::numeric` : sql`r.values->>${sql.lit(sortField.key)}`;
      listQuery = listQuery.orderBy(expr, sql.raw(`${order} nulls last`));
    } else {
      listQuery = listQuery.orderBy(sortKey === 'updatedAt' ? 'r.updated_at' : 'r.created_at', order);
    }
    // The total rides along as an uncorrelated subquery (computed once per
    // statement), saving a round trip; an empty page asks for it separately.
    const countQuery = () => filtered(ctx.db.selectFrom('records as r')).select(sql<number>`count(*)::int`.as('n'));
    const rows = (await listQuery
      .select(() => sql<number>`(${countQuery()})`.as('total'))
      .orderBy('r.id', order)
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute()) as (RecordRowOut & { total: number })[];
    const count = { n: rows.length ? rows[0].total : (await countQuery().executeTakeFirstOrThrow()).n };
    const items = (rows as RecordRowOut[]).map((r) => toDTO(r, form, ctx.principal));
    ctx.audit({
      action: 'records.list',
      resourceType: 'form',
      resourceId: form.formId,
      formId: form.formId,
      recordIds: items.map((i) => i.id),
      fields: visibleFieldKeys(form),
      details: { page, pageSize, total: count.n, searched: Boolean(q) },
    });
    return { items, total: count.n, page, pageSize };
  },
});

export const getRecord = defineOperation<{ formId: string; recordId: string }, RecordDTO>({
  name: 'records.get',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId', 'recordId'], properties: { formId: uuid, recordId: uuid } },
  async run(ctx, input) {
    const form = await loadFormAccess(ctx, input.formId);
    const row = await getScopedRow(ctx, form, input.recordId);
    ctx.audit({ action: 'records.get', resourceType: 'record', resourceId: row.id, formId: form.formId, recordIds: [row.id], fields: visibleFieldKeys(form) });
    return toDTO(row, form, ctx.principal);
  },
});

export const createRecord = defineOperation<{ formId: string; values: Record<string, unknown> }, RecordDTO>({
  name: 'records.create',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'values'],
    properties: { formId: uuid, values: { type: 'object' } },
  },
  async run(ctx, input) {
    const form = await loadFormAccess(ctx, input.formId);
    requireScope(form, ctx.principal, 'create');
    const values = validateValues(ctx, form, input.values);
    const { stored, ownerId, ownerName, departmentId } = await resolveOwner(ctx, form, values, ctx.principal.userId);
    // The id is chosen here because the ciphertexts are bound to it.
    const id = randomUUID();
    const inserted = await ctx.db
      .insertInto('records')
      .values({
        id,
        form_id: form.formId,
        form_version: form.version,
        values: JSON.stringify(sealValues(form.crypto, form.formId, id, form.fields, stored)),
        owner_id: ownerId,
        department_id: departmentId,
        created_by: ctx.principal.userId,
        updated_by: ctx.principal.userId,
      })
      .returning(written)
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'records.create', resourceType: 'record', resourceId: id, formId: form.formId, recordIds: [id], fields: Object.keys(values) });
    return toDTO({ ...inserted, owner_name: ownerName }, form, ctx.principal);
  },
});

export interface UpdateRecordInput {
  formId: string;
  recordId: string;
  /** The version the editor started from; a newer stored version is a conflict. */
  version: number;
  /** Changed fields; null clears a field. Fields not named keep their value. */
  values: Record<string, unknown>;
}

export const updateRecord = defineOperation<UpdateRecordInput, RecordDTO>({
  name: 'records.update',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'recordId', 'version', 'values'],
    properties: { formId: uuid, recordId: uuid, version: { type: 'integer', minimum: 1 }, values: { type: 'object' } },
  },
  async run(ctx, input) {
    const form = await loadFormAccess(ctx, input.formId);
    const row = await getScopedRow(ctx, form, input.recordId);
    // Visible but outside the edit scope: an honest 403 (existence is no secret to a viewer).
    if (!canOn(form, { ownerId: row.owner_id, departmentId: row.department_id }, ctx.principal).edit) throw notAllowed(ctx.locale, 'edit');
    if (row.version !== input.version) throw conflict(ctx.locale);

    const current = toDTO(row, form, ctx.principal).values;
    const merged = { ...current, ...input.values };
    const values = validateValues(ctx, form, merged);
    const { stored, ownerId, ownerName, departmentId } = await resolveOwner(ctx, form, values, row.owner_id);
    // Values of fields no longer in the form stay in the record, so a field
    // removed by a publish can be restored with its data.
    const kept = Object.fromEntries(Object.entries(row.values).filter(([k]) => !(k in form.definition.properties)));
    const changed = Object.keys(form.definition.properties).filter(
      (k) => JSON.stringify(current[k] ?? null) !== JSON.stringify(values[k] ?? null),
    );
    const updated = await ctx.db
      .updateTable('records')
      .set({
        values: JSON.stringify({ ...kept, ...sealValues(form.crypto, form.formId, row.id, form.fields, stored) }),
        owner_id: ownerId,
        department_id: departmentId,
        form_version: form.version,
        version: sql`version + 1`,
        updated_by: ctx.principal.userId,
        updated_at: sql`now()`,
      })
      .where('id', '=', row.id)
      .where('version', '=', input.version) // a concurrent save in between wins nothing silently
      .where('deleted_at', 'is', null)
      .returning(written)
      .executeTakeFirst();
    if (!updated) throw conflict(ctx.locale);
    ctx.audit({
      action: 'records.update',
      resourceType: 'record',
      resourceId: row.id,
      formId: form.formId,
      recordIds: [row.id],
      fields: changed,
      details: { fromVersion: input.version, toVersion: input.version + 1 },
    });
    return toDTO({ ...updated, owner_name: ownerName }, form, ctx.principal);
  },
});

const conflict = (locale: Locale) =>
  new AppError(
    'conflict',
    say(locale, {
      zh: '该记录已被他人修改，请刷新后重新编辑（你的修改未保存）',
      en: 'Someone else changed this record. Reload it and edit again (your changes were not saved).',
    }),
  );

export const deleteRecord = defineOperation<{ formId: string; recordId: string; version?: number }, { id: string }>({
  name: 'records.delete',
  prefetch: formAccessPrefetch,
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['formId', 'recordId'],
    properties: { formId: uuid, recordId: uuid, version: { type: 'integer', minimum: 1 } },
  },
  async run(ctx, input) {
    const form = await loadFormAccess(ctx, input.formId);
    const row = await getScopedRow(ctx, form, input.recordId);
    if (!canOn(form, { ownerId: row.owner_id, departmentId: row.department_id }, ctx.principal).delete) {
      throw notAllowed(ctx.locale, 'delete');
    }
    if (input.version !== undefined && row.version !== input.version) throw conflict(ctx.locale);
    await ctx.db
      .updateTable('records')
      .set({ deleted_at: sql`now()`, deleted_by: ctx.principal.userId, version: sql`version + 1` })
      .where('id', '=', row.id)
      .execute();
    ctx.audit({ action: 'records.delete', resourceType: 'record', resourceId: row.id, formId: form.formId, recordIds: [row.id] });
    return { id: row.id };
  },
});

export interface DeletedRecordDTO extends RecordDTO {
  deletedAt: string;
  deletedBy: string | null;
}

/** The recycle bin: admins see deleted records, within their own view grant. */
export const listDeletedRecords = defineOperation<{ formId: string }, DeletedRecordDTO[]>({
  name: 'records.listDeleted',
  prefetch: formAccessPrefetch,
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['formId'], properties: { formId: uuid } },
  async run(ctx, input) {
    const form = await loadFormAccess(ctx, input.formId);
    const scope = requireScope(form, ctx.principal, 'view');
    const rows = await baseSelect(ctx.db, form.formId)
      .leftJoin('users as du', 'du.id', 'r.deleted_by')
      .select(['r.deleted_at', 'du.name as deleted_by_name'])
      .where('r.deleted_at', 'is not', null)
      .where((eb) => scopeFilter(eb, scope, ctx.principal))
      .orderBy('r.deleted_at', 'desc')
      .limit(500)
      .execute();
    const items = rows.map((r) => ({
      ...toDTO(r as RecordRowOut, form, ctx.principal),
      deletedAt: new Date(r.deleted_at as Date).toISOString(),
      deletedBy: r.deleted_by_name,
    }));
    ctx.audit({ action: 'records.listDeleted', resourceType: 'form', resourceId: form.formId, formId: form.formId, recordIds: items.map((i) => i.id), fields: visibleFieldKeys(form) });
    return items;
  },
});

export const restoreRecord = defineOperation<{ formId: string; recordId: string }, { id: string }>({
  name: 'records.restore',
  prefetch: formAccessPrefetch,
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['formId', 'recordId'], properties: { formId: uuid, recordId: uuid } },
  async run(ctx, input) {
    const form = await loadFormAccess(ctx, input.formId);
    const scope = requireScope(form, ctx.principal, 'view');
    const restored = await ctx.db
      .updateTable('records as r')
      .set({ deleted_at: null, deleted_by: null, version: sql`version + 1` })
      .where('r.id', '=', input.recordId)
      .where('r.form_id', '=', form.formId)
      .where('r.deleted_at', 'is not', null)
      .where((eb) => scopeFilter(eb as never, scope, ctx.principal))
      .returning('r.id')
      .executeTakeFirst();
    if (!restored) throw recordNotFound(ctx.locale);
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
export const listUsableForms = defineOperation<Record<string, never>, UsableForm[]>({
  name: 'records.listForms',
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx) {
    const rows = await sql<{ id: string; name: string; description: string; published_version: number; schema: unknown; grants: unknown[] | string }>`
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
        const grants = typeof r.grants === 'string' ? (JSON.parse(r.grants) as unknown[]) : r.grants;
        const decisions = decideAll(grants);
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
