/**
 * Loads a published form together with the caller's grants on it (with the groups that hold
 * them) and the caller's department subtree, in the principal's own statement, and makes the
 * caller's Decision once per request. A form the caller holds no grant on is "not found", so
 * its existence does not leak.
 */
import 'server-only';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { msg, type Locale } from '@/lib/i18n';
import { fieldsOf, policyFieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import type { Principal } from '@/lib/auth/principal';
import { decide, type Decision, type GroupGrant } from '@/lib/policy';
import { fieldCrypto, keyStateSql, type FieldCrypto, type KeyState } from '@/lib/crypto/keyring';
import { UUID_PATTERN } from '@/lib/forms/ajv';

export interface FormAccess {
  formId: string;
  name: string;
  description: string;
  version: number;
  definition: FormDefinition;
  /** The fields in display order, computed once per request. */
  fields: FieldInfo[];
  /** The stored grants the decision was made from, with their groups (explain reads them). */
  grants: GroupGrant[];
  /** Key of the field bound to the record's owner, if the form has one. */
  ownerKey: string | undefined;
  /** Seals and opens encrypted fields for this request. */
  crypto: FieldCrypto;
  /** The caller's decision on this form, made once per request. */
  decision: Decision;
  /** Whose decision it is: the caller, or the user an admin views as (the RLS identity too). */
  subjectId: string;
  /** The form's records version as this request first read it (list-totals.ts). */
  recordsVersion: string;
  /** Fields whose encryption was turned off and whose sealed values a job is still opening (protect.ts openStored). */
  unsealing: ReadonlySet<string>;
}

interface Row {
  id: string;
  name: string;
  description: string;
  published_version: number;
  records_version: string;
  unsealing: string[];
  schema: FormDefinition;
  grants: GroupGrant[];
}

export const formNotFound = (locale: Locale) => new AppError('not_found', msg(locale, 'errors.records.formNotFound'));


/** The grants of `userId`'s groups on form `f` (SQL over `f`), with the groups that hold them. */
const grantsOn = (userSql: RawBuilder<unknown>) =>
  sql`coalesce((select json_agg(json_build_object('groupId', g.group_id, 'groupName', gr.name, 'grant', g.grant) order by gr.name)
       from grants g join groups gr on gr.id = g.group_id
       where g.form_id = f.id and g.group_id in (select gm.group_id from group_members gm where gm.user_id = ${userSql})), '[]'::json)`;

/** A department and every one below it, for `department-tree` scopes. */
export const departmentTreeOf = (departmentSql: RawBuilder<unknown>) =>
  sql`(with recursive t(id) as (select ${departmentSql} where ${departmentSql} is not null
        union all select d.id from departments d join t on d.parent_id = t.id)
      select coalesce(json_agg(t.id), '[]'::json) from t)`;

const formSql = (formId: string, userSql: RawBuilder<unknown>) =>
  sql`(select json_build_object('id', f.id, 'name', f.name, 'description', f.description,
              'published_version', f.published_version, 'records_version', f.records_version::text,
              'unsealing', f.unsealing, 'schema', fv.schema, 'grants', ${grantsOn(userSql)})
       from forms f join form_versions fv on fv.form_id = f.id and fv.version = f.published_version
       where f.id = ${formId}::uuid and f.archived_at is null)`;

/**
 * The published form, the caller's grants on it and the caller's department subtree, as one
 * JSON value. Used as the operation's `prefetch`, so it rides in the principal's statement
 * (`u` is the signed-in user there).
 */
export function formAccessPrefetch(input: { formId?: unknown }): RawBuilder<unknown> | undefined {
  const formId = input?.formId;
  if (typeof formId !== 'string' || !UUID_PATTERN.test(formId)) return undefined;
  return sql`json_build_object('requested', ${formId}::text, 'form', ${formSql(formId, sql`u.id`)},
    'departmentTree', ${departmentTreeOf(sql`u.department_id`)}, 'keys', ${keyStateSql})`;
}

interface Prefetched {
  requested: string;
  form: Row | null;
  departmentTree: string[];
  keys: KeyState;
}

/** Whose decision: the caller, or (view-as, explain) another user as an admin sees them. */
export interface Subject {
  userId: string;
  departmentId: string | null;
  departmentTree: string[];
}

async function accessFrom(db: Transaction<DB>, row: Row | null, subject: Subject, keys: KeyState, locale: Locale): Promise<FormAccess> {
  const grants = row?.grants ?? [];
  if (!row || grants.length === 0) throw formNotFound(locale);
  const fields = fieldsOf(row.schema);
  return {
    formId: row.id,
    name: row.name,
    description: row.description,
    version: row.published_version,
    definition: row.schema,
    fields,
    grants,
    decision: decide({ me: subject, grants, fields: policyFieldsOf(row.schema) }),
    subjectId: subject.userId,
    recordsVersion: row.records_version,
    unsealing: new Set(row.unsealing),
    ownerKey: fields.find((f) => f.kind === 'owner')?.key,
    crypto: await fieldCrypto(db, keys),
  };
}

export async function loadFormAccess(ctx: { db: Transaction<DB>; principal: Principal; prefetched?: unknown }, formId: string): Promise<FormAccess> {
  const prefetched = ctx.prefetched as Prefetched | undefined;
  // The operation must have declared `prefetch: formAccessPrefetch` for this form.
  if (prefetched?.requested !== formId) throw new Error(`Form ${formId} was not prefetched by the operation`);
  const { principal } = ctx;
  return accessFrom(ctx.db, prefetched.form, { userId: principal.userId, departmentId: principal.departmentId, departmentTree: prefetched.departmentTree }, prefetched.keys, principal.locale);
}

/** The same access for another (active) user, for an admin's view-as and explain. */
export async function loadFormAccessOf(db: Transaction<DB>, userId: string, formId: string, locale: Locale): Promise<{ access: FormAccess; subject: Subject }> {
  const r = await sql<{ department_id: string | null; tree: string[]; form: Row | null; keys: KeyState }>`
    select u.department_id, ${departmentTreeOf(sql`u.department_id`)} as tree, ${formSql(formId, sql`u.id`)} as form, ${keyStateSql} as keys
    from users u where u.id = ${userId}::uuid and u.status = 'active'`.execute(db);
  const row = r.rows[0];
  if (!row) throw formNotFound(locale);
  const subject: Subject = { userId, departmentId: row.department_id, departmentTree: row.tree };
  return { access: await accessFrom(db, row.form, subject, row.keys, locale), subject };
}

/** Every published form with the caller's grants on it, for the list of usable forms (one statement). */
export async function listFormAccess(db: Transaction<DB>, principal: Principal): Promise<FormAccess[]> {
  const r = await sql<{ tree: string[]; forms: Row[]; keys: KeyState }>`
    select ${departmentTreeOf(sql`${principal.departmentId}::uuid`)} as tree, ${keyStateSql} as keys,
      coalesce((select json_agg(json_build_object('id', f.id, 'name', f.name, 'description', f.description,
                  'published_version', f.published_version, 'records_version', f.records_version::text,
                  'unsealing', f.unsealing, 'schema', fv.schema, 'grants', ${grantsOn(sql`${principal.userId}::uuid`)}) order by f.name)
                from forms f join form_versions fv on fv.form_id = f.id and fv.version = f.published_version
                where f.archived_at is null
                  and exists (select 1 from grants g where g.form_id = f.id
                              and g.group_id in (select gm.group_id from group_members gm where gm.user_id = ${principal.userId}::uuid))), '[]'::json) as forms`.execute(db);
  const { tree, forms, keys } = r.rows[0];
  const subject: Subject = { userId: principal.userId, departmentId: principal.departmentId, departmentTree: tree };
  const crypto = await fieldCrypto(db, keys);
  return forms.map((row) => {
    const fields = fieldsOf(row.schema);
    return {
      formId: row.id,
      name: row.name,
      description: row.description,
      version: row.published_version,
      definition: row.schema,
      fields,
      grants: row.grants,
      decision: decide({ me: subject, grants: row.grants, fields: policyFieldsOf(row.schema) }),
      subjectId: subject.userId,
      recordsVersion: row.records_version,
      unsealing: new Set(row.unsealing),
      ownerKey: fields.find((f) => f.kind === 'owner')?.key,
      crypto,
    };
  });
}
