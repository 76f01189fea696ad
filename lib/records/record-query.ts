/**
 * The only builder of record queries: select, count, insert, update, delete
 * and restore, each taking the caller's scope already compiled to SQL. A
 * write carries its scope in its own WHERE (with the version check), so a
 * row that left the scope between a read and a write (a concurrent owner
 * change, a reassignment job) cannot be written: there is no "select, check
 * in JS, update" window to slip through.
 *
 * The scope is opaque here (`CompiledScope`, compiled by scope-sql.ts from the caller's
 * decision). Reads return only the fields they are told to (`keys`): a field hidden from
 * the caller never leaves the database, so it cannot be decrypted or sent by mistake. (The
 * page query passes the stored values from its page subquery to its own projection, inside
 * the one statement; the rows it returns carry `keys` only.)
 */
import 'server-only';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type OrderByItemBuilder, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { FieldSchema } from '@/lib/forms/definition';
import { knownTotal, rememberTotal, totalKey } from './list-totals';

type Db = Transaction<DB> | Kysely<DB>;
export type RecordsDB = DB & { r: DB['records'] };
/** A row scope as SQL over `records as r`. */
export type CompiledScope = (eb: ExpressionBuilder<RecordsDB, 'r'>) => Expression<SqlBool>;

/** What a DTO is built from: the record's columns and its owner's name. */
export interface RecordRow {
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

/** The record columns a DTO needs besides its values; writes return them, so no read follows a write. */
const rowColumns = ['r.id', 'r.form_id', 'r.form_version', 'r.owner_id', 'r.department_id', 'r.version', 'r.created_at', 'r.updated_at'] as const;

/** Only these fields' values, as one JSON object (a stored null is the same as no value). */
const valuesOf = (keys: readonly string[]) =>
  (keys.length
    ? sql<Record<string, unknown>>`jsonb_strip_nulls(jsonb_build_object(${sql.join(keys.flatMap((k) => [sql.lit(k), sql`r.values->${sql.lit(k)}`]))}))`
    : sql<Record<string, unknown>>`'{}'::jsonb`
  ).as('values');

/** The owner's name rides along with a write's RETURNING, so a write is one statement. */
const ownerName = (eb: ExpressionBuilder<RecordsDB, 'r'>) =>
  eb.selectFrom('users as ou').select('ou.name').whereRef('ou.id', '=', 'r.owner_id').as('owner_name');

function selectRecords(db: Db, formId: string, scope: CompiledScope, state: 'live' | 'deleted', keys: readonly string[]) {
  return db
    .selectFrom('records as r')
    .innerJoin('users as ou', 'ou.id', 'r.owner_id')
    .select([...rowColumns, valuesOf(keys), 'ou.name as owner_name'])
    .where('r.form_id', '=', formId)
    .where('r.deleted_at', state === 'live' ? 'is' : 'is not', null)
    .where((eb) => scope(eb));
}

/** A live record inside `scope`, or nothing. */
export async function findRecord(db: Db, q: { formId: string; recordId: string; scope: CompiledScope; keys: readonly string[] }): Promise<RecordRow | undefined> {
  return (await selectRecords(db, q.formId, q.scope, 'live', q.keys).where('r.id', '=', q.recordId).executeTakeFirst()) as RecordRow | undefined;
}

export type RecordSort =
  | { column: 'createdAt' | 'updatedAt'; order: 'asc' | 'desc' }
  | { field: string; type: FieldSchema['type']; order: 'asc' | 'desc' };

/**
 * A field's sort key that cannot fail on a stored value of another type
 * (after a field's type changed, or data loaded from elsewhere): a number
 * field sorts by the numbers it holds and puts anything else last. A cast
 * error would put the stored value into the database's error message.
 */
function sortKey(s: Extract<RecordSort, { field: string }>): RawBuilder<unknown> {
  const key = sql.lit(s.field);
  if (s.type === 'number') return sql`case when jsonb_typeof(r.values->${key}) = 'number' then (r.values->>${key})::numeric end`;
  return sql`r.values->>${key}`;
}

/**
 * An exact match on an encrypted field through its blind-index digest, on the records where
 * the caller sees the field at least masked (`where`).
 */
export interface Lookup {
  key: string;
  /** One per blind-index version not retired (a rebuild may be moving the stored ones). */
  digests: string[];
  where: CompiledScope;
}

export type Filter = ({ kind: 'equals'; value: string } | { kind: 'lookup'; digests: string[] }) & { key: string; where: CompiledScope };

export interface PageQuery {
  formId: string;
  scope: CompiledScope;
  sort: RecordSort;
  /**
   * Case-insensitive substring search: each field matches only on the records where the
   * caller reads it in plain (`where`), so a search cannot be an oracle for masked values.
   */
  search?: { q: string; fields: { key: string; where: CompiledScope }[]; lookups?: Lookup[] };
  /** Exact matches that must all hold: plain fields where read in plain, encrypted ones by lookup. */
  filters?: Filter[];
  /** The fields whose values the page shows. */
  keys: readonly string[];
  limit: number;
  offset: number;
  /**
   * For reusing a total counted before (list-totals.ts): the identity row-level security
   * counts under (the transaction's app.user_id) and the form's records version as the
   * request read it. A total counted at another version is counted again.
   */
  totals: { countedAs: string; recordsVersion: string };
}

/**
 * A blind-index digest match: the ids of the form's records holding the digest, from the
 * `record_lookups` table by fw_rls.records_with_lookup (migration 2026-12-03-0002), evaluated
 * once per statement. A test on `r.blind_index` itself cannot use an index under row-level
 * security (jsonb operators are not leakproof), so it read every record in scope. The rows
 * themselves are read by primary key under every policy, and still meet the caller's scope in
 * the same WHERE. One digest per blind-index version not retired (a rebuild may be under way).
 */
const lookupMatches = (formId: string, key: string, digests: string[]) =>
  sql<SqlBool>`(${sql.join(
    digests.map((d) => sql`r.id = any((select fw_rls.records_with_lookup(${formId}::uuid, ${key}::text, ${d}::text))::uuid[])`),
    sql` or `,
  )})`;

/** The form's records version, read in the statement that counts, so the two belong together. */
const recordsVersionOf = (formId: string) => sql<string>`(select f.records_version::text from forms f where f.id = ${formId}::uuid)`;

/** One page of live records in scope, and how many there are in all. */
export async function listRecordPage(db: Db, p: PageQuery): Promise<{ rows: RecordRow[]; total: number }> {
  const filtered = <Q extends { where: (cb: (eb: ExpressionBuilder<RecordsDB, 'r'>) => Expression<SqlBool>) => Q }>(qb: Q): Q => {
    let out = qb;
    for (const f of p.filters ?? []) {
      out = out.where((eb) => eb.and([f.where(eb), f.kind === 'lookup' ? lookupMatches(p.formId, f.key, f.digests) : eb(sql`r.values->>${sql.lit(f.key)}`, '=', f.value)]));
    }
    if (!p.search || !p.search.q) return out;
    const pattern = `%${p.search.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // ->> never fails, whatever the stored type; a field without strings just does not match.
    return out.where((eb) =>
      eb.or([
        ...p.search!.fields.map((f) => eb.and([f.where(eb), eb(sql`r.values->>${sql.lit(f.key)}`, 'ilike', pattern)])),
        ...(p.search!.lookups ?? []).map((l) => eb.and([l.where(eb), lookupMatches(p.formId, l.key, l.digests)])),
      ]),
    );
  };
  const countQuery = () =>
    filtered(
      db
        .selectFrom('records as r')
        .where('r.form_id', '=', p.formId)
        .where('r.deleted_at', 'is', null)
        .where((eb) => p.scope(eb)),
    ).select(sql<number>`count(*)::int`.as('total'));

  // The order, as the partial indexes are (…, <sort> desc, id desc), so the default page is an index scan.
  const order: [RawBuilder<unknown>, 'asc' | 'desc', boolean][] = [
    'column' in p.sort ? [sql`r.${sql.ref(p.sort.column === 'updatedAt' ? 'updated_at' : 'created_at')}`, p.sort.order, false] : [sortKey(p.sort), p.sort.order, true],
    [sql`r.id`, p.sort.order, false],
  ];
  const direction = (ob: OrderByItemBuilder, dir: 'asc' | 'desc', nullsLast: boolean) => {
    const d = dir === 'asc' ? ob.asc() : ob.desc();
    return nullsLast ? d.nullsLast() : d;
  };
  // Applied to the page's rows and again to the 20 rows built from them (a subquery's order is not kept).
  const ordered = <Q extends { orderBy: (e: RawBuilder<unknown>, m: (ob: OrderByItemBuilder) => OrderByItemBuilder) => Q }>(qb: Q): Q =>
    order.reduce((q, [e, dir, nullsLast]) => q.orderBy(e, (ob) => direction(ob, dir, nullsLast)), qb);
  // The page's rows first (scope, search, order, offset), then the fields it shows, built for
  // those rows only: rows skipped by the offset are never turned into JSON.
  const page = ordered(
    filtered(
      db
        .selectFrom('records as r')
        .select([...rowColumns, 'r.values'])
        .where('r.form_id', '=', p.formId)
        .where('r.deleted_at', 'is', null)
        .where((eb) => p.scope(eb)),
    ),
  )
    .limit(p.limit)
    .offset(p.offset);
  // A total counted at this records version is reused; otherwise it rides along as an
  // uncorrelated subquery (computed once per statement, saving a round trip) with the version
  // it was counted at. An empty page asks for it separately.
  const key = totalKey(p.totals.countedAs, countQuery().compile());
  const known = knownTotal(key, p.totals.recordsVersion);
  const counted = () => [sql<number>`(${countQuery()})`.as('total'), recordsVersionOf(p.formId).as('records_version')];
  const rows = (await ordered(
    db
      .selectFrom(page.as('r'))
      .innerJoin('users as ou', 'ou.id', 'r.owner_id')
      .select([...rowColumns, valuesOf(p.keys), 'ou.name as owner_name', ...(known === undefined ? counted() : [])]),
  ).execute()) as (RecordRow & { total: number; records_version: string })[];
  let total = known;
  if (total === undefined) {
    const c = rows[0] ?? (await countQuery().select(recordsVersionOf(p.formId).as('records_version')).executeTakeFirstOrThrow());
    total = c.total;
    rememberTotal(key, c.records_version, total);
  }
  return { rows: rows.map(({ total: _total, records_version: _version, ...r }) => r as RecordRow), total };
}

/** Live records in scope per form, for many forms in one statement. */
export async function countLiveByForm(db: Db, forms: { formId: string; scope: CompiledScope }[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (forms.length === 0) return out;
  const rows = await db
    .selectFrom('records as r')
    .select(['r.form_id', sql<number>`count(*)::int`.as('n')])
    .where('r.deleted_at', 'is', null)
    .where((eb) => eb.or(forms.map((f) => eb.and([eb('r.form_id', '=', f.formId), f.scope(eb)]))))
    .groupBy('r.form_id')
    .execute();
  for (const f of forms) out.set(f.formId, 0);
  for (const r of rows) out.set(r.form_id, r.n);
  return out;
}

export interface DeletedRecordRow extends RecordRow {
  deleted_at: Date;
  deleted_by_name: string | null;
}

/** The recycle bin: deleted records inside `scope`, newest deletion first. */
export async function listDeletedRecordRows(db: Db, q: { formId: string; scope: CompiledScope; limit: number; keys: readonly string[] }): Promise<DeletedRecordRow[]> {
  return (await selectRecords(db, q.formId, q.scope, 'deleted', q.keys)
    .leftJoin('users as du', 'du.id', 'r.deleted_by')
    .select(['r.deleted_at', 'du.name as deleted_by_name'])
    .orderBy('r.deleted_at', 'desc')
    .limit(q.limit)
    .execute()) as DeletedRecordRow[];
}

export interface NewRecord {
  id: string;
  formId: string;
  formVersion: number;
  /** Stored JSON: plain values and sealed tokens. */
  values: Record<string, unknown>;
  /** Blind-index digests of its encrypted lookup fields. */
  lookups: Record<string, string>;
  ownerId: string;
  departmentId: string | null;
  by: string;
}

/** Inserts a record; what it returns carries only the values of `keys` (the fields the caller may see). */
export async function insertRecord(db: Db, n: NewRecord & { ownerName: string; keys: readonly string[] }): Promise<RecordRow> {
  const row = await db
    .insertInto('records')
    .values({
      id: n.id,
      form_id: n.formId,
      form_version: n.formVersion,
      values: JSON.stringify(n.values),
      blind_index: JSON.stringify(n.lookups),
      owner_id: n.ownerId,
      department_id: n.departmentId,
      created_by: n.by,
      updated_by: n.by,
    })
    .returning(['id', 'form_id', 'form_version', 'values', 'owner_id', 'department_id', 'version', 'created_at', 'updated_at'])
    .executeTakeFirstOrThrow();
  const values = Object.fromEntries(n.keys.filter((k) => row.values[k] !== undefined && row.values[k] !== null).map((k) => [k, row.values[k]]));
  return { ...row, values, owner_name: n.ownerName };
}

export interface RecordChange {
  /** Stored JSON for the fields this change writes (plain values and sealed tokens). */
  set: Record<string, unknown>;
  /** Fields this change clears. Every other stored value stays as it is, unread. */
  unset: string[];
  /** Blind-index digests this change sets and removes. */
  lookups: { set: Record<string, string>; unset: string[] };
  ownerId: string;
  departmentId: string | null;
  formVersion: number;
  by: string;
}

/**
 * Saves a live record only if it is inside `scope` and still at `version`,
 * in one statement. Nothing returned: see `explainMiss`.
 */
export async function updateInScope(
  db: Db,
  q: { formId: string; recordId: string; scope: CompiledScope; version: number; change: RecordChange; keys: readonly string[] },
): Promise<RecordRow | undefined> {
  return (await db
    .updateTable('records as r')
    .set({
      // Merged in SQL: fields the caller may not see or write are kept without being read.
      values: sql`(r.values - ${q.change.unset.length ? sql`array[${sql.join(q.change.unset.map((k) => sql.lit(k)))}]` : sql`'{}'`}::text[]) || ${JSON.stringify(q.change.set)}::jsonb`,
      blind_index: sql`(r.blind_index - ${sql.val(q.change.lookups.unset)}::text[]) || ${JSON.stringify(q.change.lookups.set)}::jsonb`,
      owner_id: q.change.ownerId,
      department_id: q.change.departmentId,
      form_version: q.change.formVersion,
      version: sql`r.version + 1`,
      updated_by: q.change.by,
      updated_at: sql`now()`,
    })
    .where('r.id', '=', q.recordId)
    .where('r.form_id', '=', q.formId)
    .where('r.deleted_at', 'is', null)
    .where('r.version', '=', q.version) // a concurrent save in between wins nothing silently
    .where((eb) => q.scope(eb as unknown as ExpressionBuilder<RecordsDB, 'r'>))
    .returning([...rowColumns, valuesOf(q.keys), ownerName])
    .executeTakeFirst()) as RecordRow | undefined;
}

/** Moves a live record in `scope` (and at `version`, when given) to the recycle bin. */
export async function softDeleteInScope(
  db: Db,
  q: { formId: string; recordId: string; scope: CompiledScope; version?: number; by: string },
): Promise<{ id: string } | undefined> {
  let u = db
    .updateTable('records as r')
    .set({ deleted_at: sql`now()`, deleted_by: q.by, version: sql`r.version + 1` })
    .where('r.id', '=', q.recordId)
    .where('r.form_id', '=', q.formId)
    .where('r.deleted_at', 'is', null)
    .where((eb) => q.scope(eb as unknown as ExpressionBuilder<RecordsDB, 'r'>));
  if (q.version !== undefined) u = u.where('r.version', '=', q.version);
  return u.returning('r.id').executeTakeFirst();
}

/** Brings a deleted record in `scope` back. */
export async function restoreInScope(db: Db, q: { formId: string; recordId: string; scope: CompiledScope }): Promise<{ id: string } | undefined> {
  return db
    .updateTable('records as r')
    .set({ deleted_at: null, deleted_by: null, version: sql`r.version + 1` })
    .where('r.id', '=', q.recordId)
    .where('r.form_id', '=', q.formId)
    .where('r.deleted_at', 'is not', null)
    .where((eb) => q.scope(eb as unknown as ExpressionBuilder<RecordsDB, 'r'>))
    .returning('r.id')
    .executeTakeFirst();
}

export type Miss = 'not_found' | 'forbidden' | 'conflict';

/**
 * Why a scoped write touched no row, asked after the write and only then
 * (the write itself was the guard; this only picks the answer). Outside the
 * view scope the record does not exist for the caller (404, its existence
 * stays secret); visible but outside the write's scope is an honest 403; in
 * scope but at another version is a conflict (409). Each answer is true of
 * the row as this statement sees it, so a concurrent change can make the
 * answer more cautious, never reveal a row the caller cannot see.
 */
export async function explainMiss(
  db: Db,
  q: { formId: string; recordId: string; state: 'live' | 'deleted'; view: CompiledScope; write: CompiledScope; version?: number },
): Promise<Miss> {
  const row = await db
    .selectFrom('records as r')
    .select((eb) => ['r.version', sql<boolean>`${q.view(eb)}`.as('visible'), sql<boolean>`${q.write(eb)}`.as('writable')])
    .where('r.id', '=', q.recordId)
    .where('r.form_id', '=', q.formId)
    .where('r.deleted_at', q.state === 'live' ? 'is' : 'is not', null)
    .executeTakeFirst();
  if (!row || !row.visible) return 'not_found';
  if (!row.writable) return 'forbidden';
  return 'conflict'; // a stale version, or the row changed under the write: reload and retry
}
