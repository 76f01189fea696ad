/**
 * Counts over every record of a form, whatever the caller's own scope: what the builder's
 * publish checks and the example removal need (a type change over values nobody may see still
 * breaks them). Row-level security limits the application's role to the caller's scope, so
 * these run as SECURITY DEFINER functions of the migration (fw_rls.*, migrations/
 * 2026-12-02-0001-app-role-and-rls.ts) that answer counts and yes/no only, never rows, and
 * refuse anyone but an active administrator or the system. Only lib/records calls them; other
 * modules get them through lib/records/operations.ts.
 */
import 'server-only';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { FieldSchema } from '@/lib/forms/definition';

type Db = Transaction<DB> | Kysely<DB>;

/** JSON Schema types as jsonb_typeof names them. */
const JSONB_TYPES: Record<FieldSchema['type'], string> = { string: 'string', number: 'number', boolean: 'boolean', array: 'array' };

/** A per-key count answer, with 0 for every key asked about. */
function perKey(keys: string[], counts: Record<string, number> | null | undefined): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, Number(counts?.[k] ?? 0)]));
}

/**
 * Per field, how many records (live or in the recycle bin) hold a plain
 * value that is not of the field's type. Sealed values are not counted:
 * their type is not visible to SQL (see `countSealedValues`).
 */
export async function countValuesOfOtherType(db: Db, formId: string, fields: { key: string; type: FieldSchema['type'] }[]): Promise<Record<string, number>> {
  if (fields.length === 0) return {};
  const types = JSON.stringify(Object.fromEntries(fields.map((f) => [f.key, JSONB_TYPES[f.type]])));
  const { rows } = await sql<{ counts: Record<string, number> }>`select fw_rls.count_values_of_other_type(${formId}::uuid, ${types}::jsonb) as counts`.execute(db);
  return perKey(fields.map((f) => f.key), rows[0]?.counts);
}

/** Per field, how many records (live or deleted) hold a sealed value in it. */
export async function countSealedValues(db: Db, formId: string, keys: string[]): Promise<Record<string, number>> {
  if (keys.length === 0) return {};
  const { rows } = await sql<{ counts: Record<string, number> }>`select fw_rls.count_sealed_values(${formId}::uuid, ${keys}::text[]) as counts`.execute(db);
  return perKey(keys, rows[0]?.counts);
}

/** Per field, how many records (live or deleted) hold a value that is not sealed. */
export async function countPlainValues(db: Db, formId: string, keys: string[]): Promise<Record<string, number>> {
  if (keys.length === 0) return {};
  const { rows } = await sql<{ counts: Record<string, number> }>`select fw_rls.count_plain_values(${formId}::uuid, ${keys}::text[]) as counts`.execute(db);
  return perKey(keys, rows[0]?.counts);
}

/**
 * Whether any record outside `formId` (live or deleted) is owned or was
 * created by one of `userIds`: such records are real data, so the example's
 * users may not be removed. A yes/no answer, never a count or an id.
 */
export async function anyRecordOfUsersOutside(db: Db, formId: string, userIds: string[]): Promise<boolean> {
  if (userIds.length === 0) return false;
  const { rows } = await sql<{ found: boolean }>`select fw_rls.any_record_of_users_outside(${formId}::uuid, ${userIds}::uuid[]) as found`.execute(db);
  return rows[0]?.found === true;
}

/** The departments among `departmentIds` that some record (live or deleted) belongs to. */
export async function departmentsWithRecords(db: Db, departmentIds: string[]): Promise<Set<string>> {
  if (departmentIds.length === 0) return new Set();
  const { rows } = await sql<{ ids: string[] }>`select fw_rls.departments_with_records(${departmentIds}::uuid[]) as ids`.execute(db);
  return new Set(rows[0]?.ids ?? []);
}

/** Deletes every record of a form for good (live and in the recycle bin), before the form itself goes; how many. */
export async function purgeFormRecords(db: Db, formId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select fw_rls.purge_form_records(${formId}::uuid) as n`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Per data key version, how many stored values (any form, live or deleted) are sealed under it. */
export async function valuesByKeyVersion(db: Db): Promise<Map<number, number>> {
  const { rows } = await sql<{ counts: Record<string, number> }>`select fw_rls.values_by_key_version() as counts`.execute(db);
  return new Map(Object.entries(rows[0]?.counts ?? {}).map(([v, n]) => [Number(v), Number(n)]));
}

/** Per blind-index key version, how many digests the records (live or deleted) hold under it. */
export async function digestsByLookupVersion(db: Db): Promise<Map<number, number>> {
  const { rows } = await sql<{ counts: Record<string, number> }>`select fw_rls.digests_by_lookup_version() as counts`.execute(db);
  return new Map(Object.entries(rows[0]?.counts ?? {}).map(([v, n]) => [Number(v), Number(n)]));
}
