/**
 * The database half of the differential test (issue 6): generated worlds (department trees,
 * users in groups, a form with plain, encrypted, number, boolean and owner fields, one grant
 * per group with conditions, some grants invalid, records) are seeded into the database, and
 * for every user what the system answers is compared with the independent reference evaluator
 * (test/policy/reference.ts), never with lib/policy:
 *
 * - the operations: the usable-forms list (FormView: modes, create modes, sortable, searchable,
 *   actions), the records list (ids, order, total, every DTO's modes, values, masking, actions,
 *   revealable), pages walked two at a time, get for every record of the world (found or
 *   not_found), search `q` (matches only fields read in plain), sorts (refused on fields not read
 *   in plain everywhere, otherwise the order; the records page falls back instead), reveal
 *   (allowed, refused, reason asked for, the value), the administrators' record count, view-as
 *   (list and every record, as the world's administrator), another world's form, a disabled user;
 * - REST (the route handlers, bearer tokens): the forms list, list, search and get, the same checks;
 * - the SQL compiler (lib/records/scope-sql.ts compileScope) and the JS predicate
 *   (lib/policy/scope.ts covers), for every scoped action and every field's read scope, on the
 *   decision the operations make from the database;
 * - row-level security alone: raw SQL as the application's role (SELECT: the view scope; UPDATE:
 *   view and edit-or-delete), and the list and get operations with the application's scope
 *   filter switched off (every compiled scope `true`), so PostgreSQL's policies decide alone.
 *
 * A "case" is one (world, user, question) check; the run counts them and must reach 1,000.
 * Worlds come from a fixed seed (fc.sample), so a failure replays; each failure names the
 * world (with its placeholder ids), the user and the record.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { codeOf } from '../helpers/outcome';
import { call } from '../helpers/rest';
import { worldArb, renameIds, type GenField, type GenWorld } from '../policy/generators';
import { Reference, refIsValidGrant, type RefRecord, type RefRecordAnswers, type RefUser } from '../policy/reference';
import type { DB } from '@/lib/db/schema';
import type { Database } from '@/lib/db/connection';
import { APP_ROLE } from '@/lib/db/app-role';
import { unsafeCallerAs } from '@/lib/auth/system-caller';
import { hashToken } from '@/lib/auth/principal';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { sealValues } from '@/lib/records/protect';
import { fieldsOf, type FieldSchema, type FormDefinition } from '@/lib/forms/definition';
import { getRecord, listRecords, listUsableForms, recordsListPage, revealField, type FormView, type RecordDTO, type RecordPage } from '@/lib/records/operations';
import { listColumns } from '@/lib/records/dto';
import { loadFormAccessOf } from '@/lib/records/form-access';
import { compileScope } from '@/lib/records/scope-sql';
import { listFormsForAdmin } from '@/lib/forms/operations';
import { viewAsList, viewAsRecord } from '@/lib/access/operations';
import * as formsRoute from '@/app/api/v1/forms/route';
import { covers, FALSE, type ScopeExpr } from '@/lib/policy';
import { recordActions, scopedActions } from '@/lib/policy/vocabulary';
import * as recordsRoute from '@/app/api/v1/forms/[formId]/records/route';
import * as recordRoute from '@/app/api/v1/forms/[formId]/records/[recordId]/route';

/**
 * A switch for the application's scope filter: when `off`, compileScope returns `true` for
 * every scope (and counts it), so what the operations return is decided by RLS alone. Off only
 * around the "RLS alone" calls; everything else runs the real compiler.
 */
const filter = vi.hoisted(() => ({ off: false, bypassed: 0 }));
vi.mock('@/lib/records/scope-sql', async (importOriginal) => {
  const { sql: raw } = await import('kysely');
  const real = await importOriginal<typeof import('@/lib/records/scope-sql')>();
  return {
    ...real,
    compileScope: (...args: Parameters<typeof real.compileScope>) => {
      if (!filter.off) return real.compileScope(...args);
      filter.bypassed++;
      return () => raw<boolean>`true`;
    },
  };
});

const SEED = 20261206;
const WORLDS = Number(process.env.FW_DIFF_WORLDS ?? 100);
const SIZE = { maxUsers: 6, maxGroups: 4, maxRecords: 12 };
const MIN_CASES = 1000;
const WORLD_TIMEOUT = 180_000;

/**
 * Worlds as test/policy/generators.ts makes them, with each user also put into some of the
 * groups that hold a grant (as the policy differential's `worldAndMember` does): otherwise most
 * users of a world hold no grant and see nothing, and agreement would be about empty lists.
 */
const worldWithMembersArb = worldArb(SIZE).chain((w) => {
  const granted = w.grants.map((g) => g.groupId);
  const extraGroups = granted.length ? fc.tuple(...w.users.map(() => fc.subarray(granted))) : fc.constant(w.users.map(() => [] as string[]));
  // Some records stay in a department their owner has left (the owner moved, or the record was
  // filed elsewhere): scopes must read the record's department, never its owner's.
  const moved = fc.tuple(
    ...w.records.map(() =>
      fc.oneof({ arbitrary: fc.constant<'kept'>('kept'), weight: 5 }, { arbitrary: fc.constantFrom<string | null>(null, ...w.departments.map((d) => d.id)), weight: 1 }),
    ),
  );
  return fc.tuple(extraGroups, moved).map(
    ([extra, departments]): GenWorld => ({
      ...w,
      users: w.users.map((u, i) => ({ ...u, groups: [...new Set([...u.groups, ...extra[i]])].sort() })),
      records: w.records.map((r, i) => (departments[i] === 'kept' ? r : { ...r, departmentId: departments[i] as string | null })),
    }),
  );
});
const worlds = fc.sample(worldWithMembersArb, { seed: SEED, numRuns: WORLDS });

// ------------------------------------------------------------------------------ seeding

/** Deterministic ids, so a failure replays with the same ids: kind 1 department, 2 user, 3 group, 4 record, 5 form. */
const idOf = (kind: number, world: number, i: number) =>
  `${kind}${world.toString(16).padStart(7, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

interface SeededRecord {
  id: string;
  /** What the reference reads: owner, department and the plain values. */
  ref: RefRecord;
  createdAt: number;
}

interface SeededUser extends RefUser {
  name: string;
  token: string;
  isAdmin: boolean;
  /** The index in the generated world (u<i>). */
  index: number;
}

interface Seeded {
  index: number;
  gen: GenWorld;
  formId: string;
  fields: GenField[];
  /** The world with real ids (what the reference evaluates). */
  departments: { id: string; parentId: string | null }[];
  users: SeededUser[];
  grants: { groupId: string; grant: unknown }[];
  records: SeededRecord[];
}

function definitionOf(fields: readonly GenField[]): FormDefinition {
  const schemaOf = (f: GenField): FieldSchema => {
    if (f.kind === 'owner') return { type: 'string', title: f.key, 'x-widget': 'owner' };
    if (f.kind === 'number') return { type: 'number', title: f.key, 'x-widget': 'number' };
    if (f.kind === 'boolean') return { type: 'boolean', title: f.key, 'x-widget': 'checkbox' };
    return { type: 'string', title: f.key, 'x-widget': 'text', ...(f.encrypted ? { 'x-encrypted': true } : {}) };
  };
  return {
    type: 'object',
    title: 'generated',
    'x-order': fields.map((f) => f.key),
    properties: Object.fromEntries(fields.map((f) => [f.key, schemaOf(f)])),
  };
}

const BASE_TIME = Date.UTC(2026, 0, 1);

async function seed(db: Database, index: number, gen: GenWorld): Promise<Seeded> {
  const ids = new Map<string, string>();
  gen.departments.forEach((d, i) => ids.set(d.id, idOf(1, index, i)));
  gen.users.forEach((u, i) => ids.set(u.id, idOf(2, index, i)));
  gen.groups.forEach((g, i) => ids.set(g, idOf(3, index, i)));
  const departments = renameIds(gen.departments, ids);
  const grants = renameIds(gen.grants, ids);
  const users: SeededUser[] = renameIds(gen.users, ids).map((u, i) => ({
    ...u,
    name: `w${index}-u${i}`,
    // Deterministic too (from the world and user), and never a real secret.
    token: `fw_${createHash('sha256').update(`differential ${SEED} ${index} ${i}`).digest('base64url').slice(0, 32)}`,
    // The first user of each world is an administrator: admin rights configure, they open nothing.
    isAdmin: i === 0,
    index: i,
  }));
  const formId = idOf(5, index, 0);
  const definition = definitionOf(gen.fields);

  if (departments.length) {
    await db
      .insertInto('departments')
      .values(departments.map((d) => ({ id: d.id, name: `w${index}-${d.id.slice(-4)}`, parent_id: d.parentId })))
      .execute();
  }
  await db
    .insertInto('groups')
    .values(gen.groups.map((g) => ({ id: ids.get(g)!, name: `w${index}-${g}` })))
    .execute();
  await db
    .insertInto('users')
    .values(users.map((u) => ({ id: u.id, email: `${u.name}@example.com`, name: u.name, password_hash: 'x', department_id: u.departmentId, is_admin: u.isAdmin })))
    .execute();
  const members = users.flatMap((u) => u.groups.map((g) => ({ group_id: g, user_id: u.id })));
  if (members.length) await db.insertInto('group_members').values(members).execute();
  await db
    .insertInto('api_tokens')
    .values(users.map((u) => ({ user_id: u.id, name: 'differential', token_hash: hashToken(u.token), token_prefix: u.token.slice(0, 10) })))
    .execute();
  await db
    .insertInto('forms')
    .values({ id: formId, name: `generated ${index}`, draft: JSON.stringify(definition), published_version: 1, created_by: users[0].id })
    .execute();
  await db.insertInto('form_versions').values({ form_id: formId, version: 1, schema: JSON.stringify(definition) }).execute();
  if (grants.length) {
    await db
      .insertInto('grants')
      .values(grants.map((g) => ({ form_id: formId, group_id: g.groupId, grant: JSON.stringify(g.grant) })))
      .execute();
  }

  const crypto = await fieldCrypto(db);
  const infos = fieldsOf(definition);
  const records: SeededRecord[] = renameIds(gen.records, ids).map((r, i) => {
    const values = { ...r.values };
    // A null under an encrypted field would be sealed as a value; nothing reads it anyway.
    for (const f of gen.fields) if (f.encrypted && values[f.key] === null) delete values[f.key];
    return { id: idOf(4, index, i), ref: { ...r, values }, createdAt: BASE_TIME + i * 60_000 };
  });
  if (records.length) {
    await db
      .insertInto('records')
      .values(
        records.map((r) => ({
          id: r.id,
          form_id: formId,
          form_version: 1,
          values: JSON.stringify(sealValues(crypto, formId, r.id, infos, r.ref.values as Record<string, unknown>)),
          owner_id: r.ref.ownerId,
          department_id: r.ref.departmentId,
          created_by: r.ref.ownerId,
          created_at: new Date(r.createdAt),
          updated_at: new Date(r.createdAt),
        })),
      )
      .execute();
  }
  return { index, gen, formId, fields: gen.fields, departments, users, grants, records };
}

// ------------------------------------------------------------------------------ expectations

const referenceOf = (w: Seeded, u: RefUser) => new Reference(w.departments, u, w.fields, w.grants);

/** What `->>` gives for a stored JSON value (null for none). */
function textOf(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The columns a list page carries (the product's rule, not policy: which fields are short). */
const columnsOf = (view: FormView): ReadonlySet<string> => new Set(listColumns(view).map((f) => f.key));

const storedValue = (r: SeededRecord, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(r.ref.values, key) ? r.ref.values[key] : undefined;

/**
 * Everything one DTO must say about one record for this caller, per the reference. A list page
 * (the records page, view-as) carries only its columns: `columns` names them, and any other
 * field must be absent, whatever its mode.
 */
function dtoProblems(w: Seeded, user: SeededUser, rec: SeededRecord, a: RefRecordAnswers, dto: RecordDTO, columns?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const where = `record ${rec.id}`;
  const carried = (key: string) => a.modes[key] !== 'hidden' && (!columns || columns.has(key));
  if (dto.id !== rec.id) out.push(`${where}: id ${dto.id}`);
  if (dto.owner.id !== rec.ref.ownerId) out.push(`${where}: owner ${dto.owner.id}`);
  if (dto.departmentId !== rec.ref.departmentId) out.push(`${where}: department ${dto.departmentId}`);
  const modes = Object.fromEntries(w.fields.filter((f) => carried(f.key)).map((f) => [f.key, a.modes[f.key]]));
  if (!isDeepStrictEqual({ ...dto.modes }, modes)) out.push(`${where}: modes ${JSON.stringify(dto.modes)}, expected ${JSON.stringify(modes)}`);
  const values = dto.values as Record<string, unknown>;
  for (const f of w.fields) {
    const mode = a.modes[f.key];
    const has = Object.prototype.hasOwnProperty.call(values, f.key);
    if (!carried(f.key)) {
      if (has) out.push(`${where}: ${mode === 'hidden' ? 'hidden field' : 'field outside the columns'} ${f.key} present`);
      continue;
    }
    const got = values[f.key];
    if (f.owner) {
      const owner = w.users.find((u) => u.id === rec.ref.ownerId)!;
      if (mode === 'masked') {
        if (typeof got !== 'string' || got === owner.id || got === owner.name) out.push(`${where}: owner field ${f.key} masked as ${JSON.stringify(got)}`);
      } else if (got !== owner.id) out.push(`${where}: owner field ${f.key} is ${JSON.stringify(got)}`);
      continue;
    }
    const stored = storedValue(rec, f.key);
    if (stored === undefined || stored === null) {
      if (has) out.push(`${where}: ${f.key} has ${JSON.stringify(got)} though nothing is stored`);
    } else if (mode === 'masked') {
      if (typeof got !== 'string' || got === textOf(stored)) out.push(`${where}: ${f.key} masked as ${JSON.stringify(got)}`);
    } else if (!isDeepStrictEqual(got, stored)) out.push(`${where}: ${f.key} is ${JSON.stringify(got)}, stored ${JSON.stringify(stored)}`);
  }
  if (!isDeepStrictEqual({ ...dto.can }, a.actions)) out.push(`${where}: can ${JSON.stringify(dto.can)}, expected ${JSON.stringify(a.actions)}`);
  // A masked value present on the record (the owner always is), that the caller may reveal.
  const revealable = w.fields
    .filter((f) => carried(f.key) && a.modes[f.key] === 'masked' && a.reveal[f.key].allowed && (f.owner || storedValue(rec, f.key) != null))
    .map((f) => ({ field: f.key, reasonRequired: a.reveal[f.key].reasonRequired }));
  const gotRevealable = [...dto.revealable].map((x) => ({ field: x.field, reasonRequired: x.reasonRequired })).sort((x, y) => w.fields.findIndex((f) => f.key === x.field) - w.fields.findIndex((f) => f.key === y.field));
  if (!isDeepStrictEqual(gotRevealable, revealable)) out.push(`${where}: revealable ${JSON.stringify(dto.revealable)}, expected ${JSON.stringify(revealable)}`);
  if (dto.unreadable.length) out.push(`${where}: unreadable ${JSON.stringify(dto.unreadable)}`);
  return out;
}

type Order = 'asc' | 'desc';
type SortKey = { column: 'createdAt' | 'updatedAt' } | { field: GenField };

/** The expected order of `recs`: nulls last either way, ties by id in the same direction. */
function ordered(recs: SeededRecord[], sort: SortKey, order: Order): string[] {
  const dir = order === 'asc' ? 1 : -1;
  const keyOf = (r: SeededRecord): number | string | null => {
    if ('column' in sort) return r.createdAt;
    const v = storedValue(r, sort.field.key);
    if (sort.field.kind === 'number') return typeof v === 'number' ? v : null;
    return textOf(v);
  };
  const cmp = (x: number | string, y: number | string) => (x < y ? -1 : x > y ? 1 : 0);
  return [...recs]
    .sort((a, b) => {
      const ka = keyOf(a);
      const kb = keyOf(b);
      if (ka === null && kb !== null) return 1;
      if (kb === null && ka !== null) return -1;
      const byKey = ka === null || kb === null ? 0 : cmp(ka, kb) * dir;
      return byKey || cmp(a.id, b.id) * dir;
    })
    .map((r) => r.id);
}

/** Whether `q` matches `rec` for this caller: some plain string field it reads in plain there contains q (case-insensitive). */
function searchHits(w: Seeded, a: RefRecordAnswers, rec: SeededRecord, q: string): boolean {
  return w.fields.some((f) => {
    if (f.kind !== 'string' || !a.search[f.key]) return false;
    const text = textOf(storedValue(rec, f.key));
    return text !== null && text.toLowerCase().includes(q.toLowerCase());
  });
}

// ------------------------------------------------------------------------------ the database

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

/** Runs `work` as the application's role for `userId`; rolled back. */
class RolledBack<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back');
  }
}
async function asAppRole<T>(userId: string, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  try {
    await t.db.transaction().execute(async (trx) => {
      await sql`set local role ${sql.id(APP_ROLE)}`.execute(trx);
      await sql`select set_config('app.user_id', ${userId}, true)`.execute(trx);
      throw new RolledBack(await work(trx));
    });
  } catch (e) {
    if (e instanceof RolledBack) return e.value as T;
    throw e;
  }
  throw new Error('unreachable');
}

const sortedIds = (ids: string[]) => [...ids].sort();

/** What the run saw, so agreement is known to be about interesting cases. */
const seen = {
  cases: 0,
  users: 0,
  visible: 0,
  hiddenRecords: 0,
  viewByCondition: 0,
  departmentTree: 0,
  masked: 0,
  hiddenField: 0,
  revealable: 0,
  searchHit: 0,
  searchMissByMode: 0,
  sortRefused: 0,
  sortAllowedField: 0,
  noView: 0,
  rlsUpdatable: 0,
  invalidGrant: 0,
  movedRecords: 0,
  pageWalks: 0,
  revealed: 0,
  revealRefused: 0,
  reasonAsked: 0,
};

// ------------------------------------------------------------------------------ the checks

async function checkUser(w: Seeded, user: SeededUser, other: Seeded | undefined): Promise<string[]> {
  const problems: string[] = [];
  const report = (what: string, list: string[]) => {
    seen.cases++;
    for (const p of list) problems.push(`${what}: ${p}`);
  };
  const ref = referenceOf(w, user);
  const answers = new Map(w.records.map((r) => [r.id, ref.on(r.ref)]));
  const viewAllowed = ref.allowed('view');
  const visible = w.records.filter((r) => answers.get(r.id)!.actions.view);
  const defaultOrder = ordered(visible, { column: 'createdAt' }, 'desc');
  const caller = unsafeCallerAs(user.id, { locale: 'en' });
  seen.users++;
  if (!viewAllowed) seen.noView++;
  seen.visible += visible.length;
  seen.hiddenRecords += w.records.length - visible.length;
  for (const r of visible) {
    const a = answers.get(r.id)!;
    if (Object.values(a.modes).includes('masked')) seen.masked++;
    if (Object.values(a.modes).includes('hidden')) seen.hiddenField++;
    if (Object.values(a.reveal).some((x) => x.allowed)) seen.revealable++;
  }
  const myGrants = w.grants.filter((g) => user.groups.includes(g.groupId));
  if (myGrants.some((g) => typeof (g.grant as { actions?: { view?: { scope?: unknown } } })?.actions?.view?.scope === 'object') && visible.length) seen.viewByCondition++;
  if (myGrants.some((g) => (g.grant as { actions?: { view?: { scope?: unknown } } })?.actions?.view?.scope === 'department-tree') && visible.length) seen.departmentTree++;

  /** A page against the expected ids in order (and its total), each DTO checked. */
  const pageProblems = (page: RecordPage, expected: string[], columns?: ReadonlySet<string>): string[] => {
    const out: string[] = [];
    const got = page.items.map((i) => i.id);
    if (!isDeepStrictEqual(got, expected)) out.push(`ids ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    if (page.total !== expected.length) out.push(`total ${page.total}, expected ${expected.length}`);
    for (const item of page.items) {
      const rec = w.records.find((r) => r.id === item.id);
      if (rec && expected.includes(rec.id)) out.push(...dtoProblems(w, user, rec, answers.get(rec.id)!, item, columns));
    }
    return out;
  };
  /** The outcome of a list call: a page when view is allowed, else not_found. */
  const listOutcome = async (input: Parameters<typeof listRecords>[1]): Promise<{ code: string; page?: RecordPage }> => {
    try {
      return { code: 'ok', page: await listRecords(caller, input) };
    } catch (e) {
      return { code: await codeOf(Promise.reject(e)) };
    }
  };

  // --- the form as the caller may see it
  {
    const forms = await listUsableForms(caller, {});
    const view = forms.find((f) => f.id === w.formId);
    const out: string[] = [];
    const anyAllowed = recordActions.some((a) => ref.allowed(a));
    if (Boolean(view) !== anyAllowed) out.push(`form listed: ${Boolean(view)}, expected ${anyAllowed}`);
    if (view) {
      const ceiling = ref.ceiling();
      const onCreate = ref.onCreate();
      const searchable = ref.searchable();
      const expectedFields = w.fields
        .filter((f) => ceiling[f.key] !== 'hidden' || onCreate[f.key] !== 'hidden')
        .map((f) => ({ key: f.key, mode: ceiling[f.key], onCreate: onCreate[f.key], sortable: ref.sortable(f.key), searchable: f.kind === 'string' && searchable.includes(f.key) }));
      const gotFields = view.fields.map((f) => ({ key: f.key, mode: f.mode, onCreate: f.onCreate, sortable: f.sortable, searchable: f.searchable }));
      if (!isDeepStrictEqual(gotFields, expectedFields)) out.push(`fields ${JSON.stringify(gotFields)}, expected ${JSON.stringify(expectedFields)}`);
      // JSONB keeps no key order: the schema's keys as a set, its x-order in order.
      const keys = expectedFields.map((f) => f.key);
      if (!isDeepStrictEqual(Object.keys(view.schema.properties).sort(), [...keys].sort())) out.push(`schema keys ${JSON.stringify(Object.keys(view.schema.properties))}`);
      if (!isDeepStrictEqual(view.schema['x-order'], keys)) out.push(`schema x-order ${JSON.stringify(view.schema['x-order'])}`);
      const can = Object.fromEntries(recordActions.map((a) => [a, ref.allowed(a)]));
      if (!isDeepStrictEqual({ ...view.can }, can)) out.push(`can ${JSON.stringify(view.can)}, expected ${JSON.stringify(can)}`);
    }
    report('usable forms', out);
  }

  // --- list (the default order), and the same with the application's filter off: RLS alone
  for (const rlsAlone of [false, true]) {
    const before = filter.bypassed;
    filter.off = rlsAlone;
    let r: Awaited<ReturnType<typeof listOutcome>>;
    try {
      r = await listOutcome({ formId: w.formId, pageSize: 200 });
    } finally {
      filter.off = false;
    }
    const what = rlsAlone ? 'list (RLS alone)' : 'list';
    if (rlsAlone && viewAllowed && filter.bypassed === before) throw new Error('the scope filter was not switched off');
    report(what, viewAllowed ? (r.page ? pageProblems(r.page, defaultOrder) : [`refused with ${r.code}`]) : r.code === 'not_found' ? [] : [`answered ${r.code}, expected not_found`]);
  }

  // --- get every record of the world (and again with RLS alone)
  for (const rlsAlone of [false, true]) {
    for (const rec of w.records) {
      const a = answers.get(rec.id)!;
      filter.off = rlsAlone;
      let dto: RecordDTO | undefined;
      let code: string;
      try {
        dto = await getRecord(caller, { formId: w.formId, recordId: rec.id });
        code = 'ok';
      } catch (e) {
        code = await codeOf(Promise.reject(e));
      } finally {
        filter.off = false;
      }
      const expected = a.actions.view ? 'ok' : 'not_found';
      report(rlsAlone ? 'get (RLS alone)' : 'get', code !== expected ? [`record ${rec.id}: ${code}, expected ${expected}`] : dto ? dtoProblems(w, user, rec, a, dto) : []);
    }
  }

  // --- search: q matches only fields the caller reads in plain on that record
  const uuidPart = w.users[0].id.slice(0, 13);
  const qs = ['x', 'Y', '1', uuidPart, 'fw1', '%', 'true'];
  for (const q of qs) {
    const expected = defaultOrder.filter((id) => searchHits(w, answers.get(id)!, w.records.find((r) => r.id === id)!, q));
    // Records whose stored text contains q in a field the caller does not read in plain there.
    const byMode = defaultOrder.filter((id) => {
      const rec = w.records.find((r) => r.id === id)!;
      return !expected.includes(id) && w.fields.some((f) => f.kind === 'string' && textOf(storedValue(rec, f.key))?.toLowerCase().includes(q.toLowerCase()));
    });
    seen.searchHit += expected.length;
    seen.searchMissByMode += byMode.length;
    const r = await listOutcome({ formId: w.formId, pageSize: 200, q });
    report(`search ${JSON.stringify(q)}`, viewAllowed ? (r.page ? pageProblems(r.page, expected) : [`refused with ${r.code}`]) : r.code === 'not_found' ? [] : [`answered ${r.code}`]);
  }

  // --- sorts: refused on a field not read in plain on every visible record (and unknown keys); otherwise the order
  const sorts: { key: string; sort?: SortKey }[] = [
    { key: 'createdAt', sort: { column: 'createdAt' } },
    { key: 'updatedAt', sort: { column: 'createdAt' } },
    ...w.fields.map((f) => ({ key: f.key, sort: { field: f } as SortKey })),
    { key: 'zz' },
  ];
  for (const [i, s] of sorts.entries()) {
    const order: Order = (i + user.index) % 2 ? 'asc' : 'desc';
    const allowed = s.sort !== undefined && ('column' in s.sort || ref.sortable(s.key));
    const r = await listOutcome({ formId: w.formId, pageSize: 200, sort: s.key, order });
    let out: string[];
    if (!viewAllowed) out = r.code === 'not_found' ? [] : [`answered ${r.code}`];
    else if (!allowed) {
      seen.sortRefused++;
      out = r.code === 'invalid_input' ? [] : [`answered ${r.code}, expected invalid_input`];
    } else {
      if (!('column' in s.sort!)) seen.sortAllowedField++;
      out = r.page ? pageProblems(r.page, ordered(visible, s.sort!, order)) : [`refused with ${r.code}`];
    }
    report(`sort ${s.key} ${order}`, out);
  }

  // --- REST: list, a search and get, with the user's bearer token
  {
    const expectStatus = (status: number, want: number) => (status === want ? [] : [`status ${status}, expected ${want}`]);
    const list = await call(recordsRoute.GET, { token: user.token, params: { formId: w.formId }, query: 'pageSize=200' });
    report('REST list', viewAllowed ? [...expectStatus(list.status, 200), ...(list.status === 200 ? pageProblems(list.body, defaultOrder) : [])] : expectStatus(list.status, 404));
    const q = 'x';
    const expected = defaultOrder.filter((id) => searchHits(w, answers.get(id)!, w.records.find((r) => r.id === id)!, q));
    const search = await call(recordsRoute.GET, { token: user.token, params: { formId: w.formId }, query: `pageSize=200&q=${q}` });
    report('REST search', viewAllowed ? [...expectStatus(search.status, 200), ...(search.status === 200 ? pageProblems(search.body, expected) : [])] : expectStatus(search.status, 404));
    for (const rec of w.records) {
      const a = answers.get(rec.id)!;
      const res = await call(recordRoute.GET, { token: user.token, params: { formId: w.formId, recordId: rec.id } });
      report('REST get', a.actions.view ? [...expectStatus(res.status, 200), ...(res.status === 200 ? dtoProblems(w, user, rec, a, res.body) : [])] : expectStatus(res.status, 404));
    }
  }

  // --- the administrators' record count is the admin's own view count
  if (user.isAdmin) {
    const summary = (await listFormsForAdmin(caller, {})).find((f) => f.id === w.formId);
    const expected = viewAllowed ? visible.length : null;
    report('admin record count', summary?.recordCount === expected ? [] : [`recordCount ${summary?.recordCount}, expected ${expected}`]);
  }

  // --- pages: walking the list two at a time gives the same records in the same order
  if (visible.length >= 3) {
    seen.pageWalks++;
    const out: string[] = [];
    const walked: string[] = [];
    for (let page = 1; page <= Math.ceil(visible.length / 2) + 1; page++) {
      const p = await listRecords(caller, { formId: w.formId, pageSize: 2, page });
      if (p.total !== visible.length) out.push(`page ${page}: total ${p.total}, expected ${visible.length}`);
      walked.push(...p.items.map((i) => i.id));
    }
    if (!isDeepStrictEqual(walked, defaultOrder)) out.push(`walked ${JSON.stringify(walked)}, expected ${JSON.stringify(defaultOrder)}`);
    report('page walk', out);
  }

  // --- the forms the REST API lists, with the caller's mode per field
  {
    const res = await call(formsRoute.GET, { token: user.token });
    const form = res.status === 200 ? (res.body.items as { id: string; fields: { key: string; mode: string }[]; can: Record<string, boolean> }[]).find((f) => f.id === w.formId) : undefined;
    const anyAllowed = recordActions.some((a) => ref.allowed(a));
    const ceiling = ref.ceiling();
    const onCreate = ref.onCreate();
    const expected = anyAllowed
      ? {
          fields: w.fields.filter((f) => ceiling[f.key] !== 'hidden' || onCreate[f.key] !== 'hidden').map((f) => ({ key: f.key, mode: ceiling[f.key] })),
          can: Object.fromEntries(recordActions.map((a) => [a, ref.allowed(a)])),
        }
      : undefined;
    const got = form ? { fields: form.fields.map((f) => ({ key: f.key, mode: f.mode })), can: form.can } : undefined;
    report('REST forms', res.status !== 200 ? [`status ${res.status}`] : isDeepStrictEqual(got, expected) ? [] : [`${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`]);
  }

  // --- view-as: the world's administrator sees the list and each record exactly as this user does
  {
    const admin = unsafeCallerAs(w.users.find((u) => u.isAdmin)!.id, { locale: 'en' });
    const hasGrants = myGrants.length > 0;
    for (const rlsAlone of [false, true]) {
      filter.off = rlsAlone;
      let outcome: { code: string; page?: RecordPage; columns?: ReadonlySet<string> };
      try {
        const seen = await viewAsList(admin, { userId: user.id, formId: w.formId, pageSize: 200 });
        outcome = { code: 'ok', page: seen.page, columns: columnsOf(seen.view) };
      } catch (e) {
        outcome = { code: await codeOf(Promise.reject(e)) };
      } finally {
        filter.off = false;
      }
      const what = rlsAlone ? 'view-as list (RLS alone)' : 'view-as list';
      // Without any grant the form does not exist for that user; with grants but no view, an empty page.
      if (!hasGrants) report(what, outcome.code === 'not_found' ? [] : [`answered ${outcome.code}, expected not_found`]);
      else report(what, outcome.page ? pageProblems(outcome.page, viewAllowed ? defaultOrder : [], outcome.columns) : [`refused with ${outcome.code}`]);
    }
    for (const rec of w.records) {
      const a = answers.get(rec.id)!;
      let code: string;
      let dto: RecordDTO | undefined;
      try {
        dto = (await viewAsRecord(admin, { userId: user.id, formId: w.formId, recordId: rec.id })).record;
        code = 'ok';
      } catch (e) {
        code = await codeOf(Promise.reject(e));
      }
      const expected = a.actions.view ? 'ok' : 'not_found';
      report('view-as record', code !== expected ? [`record ${rec.id}: ${code}, expected ${expected}`] : dto ? dtoProblems(w, user, rec, a, dto) : []);
    }
  }

  // --- the records page: a sort the caller may not use falls back to the default instead of failing
  {
    const refused = w.fields.find((f) => !ref.sortable(f.key))?.key ?? 'zz';
    let outcome: { code: string; value?: Awaited<ReturnType<typeof recordsListPage>> };
    try {
      outcome = { code: 'ok', value: await recordsListPage(caller, { formId: w.formId, pageSize: 200, sort: refused }) };
    } catch (e) {
      outcome = { code: await codeOf(Promise.reject(e)) };
    }
    let out: string[];
    if (myGrants.length === 0) out = outcome.code === 'not_found' ? [] : [`answered ${outcome.code}, expected not_found`];
    else if (!outcome.value) out = [`refused with ${outcome.code}`];
    else if (!viewAllowed) out = outcome.value.page === null ? [] : ['a page without view'];
    else out = [...(outcome.value.sort === 'updatedAt' ? [] : [`sort ${outcome.value.sort}`]), ...(outcome.value.page ? pageProblems(outcome.value.page, defaultOrder, columnsOf(outcome.value.form)) : ['no page'])];
    report(`records page sorted by ${refused}`, out);
  }

  // --- reveal: masked values open exactly where the reference says, with a reason where it asks for one
  {
    const ceiling = ref.ceiling();
    const attempts: { rec: SeededRecord; f: GenField }[] = [];
    for (const rec of visible) for (const f of w.fields) if (answers.get(rec.id)!.modes[f.key] === 'masked') attempts.push({ rec, f });
    // And a few that must be refused: fields not masked on a visible record, a record out of sight.
    if (visible.length) for (const f of w.fields) if (answers.get(visible[0].id)!.modes[f.key] !== 'masked') attempts.push({ rec: visible[0], f });
    const unseen = w.records.find((r) => !answers.get(r.id)!.actions.view);
    if (unseen) attempts.push({ rec: unseen, f: w.fields.find((f) => ceiling[f.key] !== 'hidden') ?? w.fields[0] });
    let opened = 0;
    for (const { rec, f } of attempts) {
      const a = answers.get(rec.id)!;
      const may = a.reveal[f.key];
      let expected: string;
      if (!viewAllowed) expected = 'not_found';
      else if (ceiling[f.key] === 'hidden') expected = 'invalid_input';
      else if (!a.actions.view) expected = 'not_found';
      else if (!may.allowed) expected = 'forbidden';
      else expected = may.reasonRequired ? 'invalid_input' : 'ok';
      // At most 30 reveals per user and hour (FW_REVEAL_PER_HOUR): stay below it.
      if (may.allowed && a.actions.view && opened >= 25) continue;
      const out: string[] = [];
      const attempt = async (reason?: string) => {
        try {
          return { code: 'ok', value: (await revealField(caller, { formId: w.formId, recordId: rec.id, field: f.key, ...(reason ? { reason } : {}) })).value };
        } catch (e) {
          return { code: await codeOf(Promise.reject(e)), value: undefined };
        }
      };
      let r = await attempt();
      if (r.code !== expected) out.push(`record ${rec.id} field ${f.key}: ${r.code}, expected ${expected}`);
      else if (expected === 'invalid_input' && may.allowed) {
        seen.reasonAsked++;
        r = await attempt('differential test');
        if (r.code !== 'ok') out.push(`record ${rec.id} field ${f.key} with a reason: ${r.code}`);
      }
      if (r.code === 'ok') {
        opened++;
        seen.revealed++;
        const plain = f.owner ? w.users.find((u) => u.id === rec.ref.ownerId)!.name : (storedValue(rec, f.key) ?? null);
        if (!isDeepStrictEqual(r.value, plain)) out.push(`record ${rec.id} field ${f.key}: revealed ${JSON.stringify(r.value)}, stored ${JSON.stringify(plain)}`);
      } else seen.revealRefused++;
      report('reveal', out);
    }
  }

  // --- another world's form does not exist for this user, in the operations or in PostgreSQL
  if (other) {
    const code = await codeOf(listRecords(caller, { formId: other.formId, pageSize: 200 }));
    const rows = await asAppRole(user.id, async (trx) => (await trx.selectFrom('records').select('id').where('form_id', '=', other.formId).execute()).length);
    report('another form', [...(code === 'not_found' ? [] : [`list answered ${code}`]), ...(rows === 0 ? [] : [`RLS shows ${rows} records`])]);
  }

  // --- the SQL compiler and the JS predicate, on the decision the operations make from the database
  await t.db.transaction().execute(async (trx) => {
    let access: Awaited<ReturnType<typeof loadFormAccessOf>>['access'] | undefined;
    try {
      access = (await loadFormAccessOf(trx, user.id, w.formId, 'en')).access;
    } catch (e) {
      if ((await codeOf(Promise.reject(e))) !== 'not_found') throw e;
    }
    const scopes: { name: string; expected: (a: RefRecordAnswers) => boolean; expr: ScopeExpr }[] = [
      ...scopedActions.map((act) => ({
        name: act,
        expected: (a: RefRecordAnswers) => a.inScope[act],
        expr: access?.decision.actions[act].allowed ? access.decision.actions[act].scope : FALSE,
      })),
      ...w.fields.map((f) => ({ name: `read ${f.key}`, expected: (a: RefRecordAnswers) => a.search[f.key], expr: access?.decision.readScope[f.key] ?? FALSE })),
    ];
    const me = access?.decision.me ?? { userId: user.id, departmentId: user.departmentId, departmentTree: [] };
    const rows = await trx
      .selectFrom('records as r')
      .select((eb) => ['r.id', 'r.owner_id', 'r.department_id', 'r.values', ...scopes.map((s, i) => sql<boolean>`${compileScope(s.expr, me)(eb as never)}`.as(`s${i}`))])
      .where('r.form_id', '=', w.formId)
      .execute();
    for (const [i, s] of scopes.entries()) {
      const sqlOut: string[] = [];
      const jsOut: string[] = [];
      for (const rec of w.records) {
        const expected = s.expected(answers.get(rec.id)!);
        const row = rows.find((x) => x.id === rec.id) as unknown as Record<string, unknown> & { owner_id: string; department_id: string | null; values: Record<string, unknown> };
        if (Boolean(row[`s${i}`]) !== expected) sqlOut.push(`record ${rec.id}: ${row[`s${i}`]}, expected ${expected} (${JSON.stringify(s.expr)})`);
        const inHand = covers(s.expr, { ownerId: row.owner_id, departmentId: row.department_id, values: row.values }, me);
        if (inHand !== expected) jsOut.push(`record ${rec.id}: ${inHand}, expected ${expected} (${JSON.stringify(s.expr)})`);
      }
      report(`SQL compiler, ${s.name} scope`, sqlOut);
      report(`JS predicate, ${s.name} scope`, jsOut);
    }
  });

  // --- RLS, raw SQL as the application's role
  {
    const selectable = await asAppRole(user.id, async (trx) => (await trx.selectFrom('records').select('id').where('form_id', '=', w.formId).execute()).map((r) => r.id));
    const expected = visible.map((r) => r.id);
    report('RLS select', isDeepStrictEqual(sortedIds(selectable), sortedIds(expected)) ? [] : [`${JSON.stringify(sortedIds(selectable))}, expected ${JSON.stringify(sortedIds(expected))}`]);
    const updatable = await asAppRole(user.id, async (trx) =>
      (await trx.updateTable('records').set({ version: sql`version` }).where('form_id', '=', w.formId).returning('id').execute()).map((r) => r.id),
    );
    const expectedUpdatable = w.records.filter((r) => {
      const a = answers.get(r.id)!;
      return a.inScope.view && (a.inScope.edit || a.inScope.delete);
    });
    seen.rlsUpdatable += expectedUpdatable.length;
    report('RLS update', isDeepStrictEqual(sortedIds(updatable), sortedIds(expectedUpdatable.map((r) => r.id))) ? [] : [`${JSON.stringify(sortedIds(updatable))}, expected ${JSON.stringify(sortedIds(expectedUpdatable.map((r) => r.id)))}`]);
  }
  return problems;
}

/** The world as generated (placeholder ids), short enough to read in a failure. */
const describeWorld = (w: Seeded) =>
  JSON.stringify({ departments: w.gen.departments, users: w.gen.users, fields: w.gen.fields.map(({ key, kind, encrypted }) => ({ key, kind, encrypted })), grants: w.gen.grants, records: w.gen.records });

/** Worlds seeded so far (a later world's users must see nothing of an earlier world's form). */
const seededWorlds = new Map<number, Seeded>();

describe('operations, REST, the SQL compiler, the JS predicate and RLS agree with the reference evaluator', () => {
  for (const [index, gen] of worlds.entries()) {
    it(
      `world ${index}: ${gen.users.length} users, ${gen.records.length} records, ${gen.grants.length} grants`,
      async () => {
        const w = await seed(t.db, index, gen);
        seen.invalidGrant += w.grants.filter((g) => !refIsValidGrant(g.grant)).length;
        const problems: string[] = [];
        seen.movedRecords += gen.records.filter((r) => r.departmentId !== gen.users.find((u) => u.id === r.ownerId)!.departmentId).length;
        const other = seededWorlds.get(index - 1);
        for (const user of w.users) {
          for (const p of await checkUser(w, user, other)) problems.push(`user u${user.index} (${user.id}): ${p}`);
        }
        seededWorlds.set(index, w);

        // A disabled user is nobody: refused by the operations and REST, and PostgreSQL shows them nothing.
        const gone = w.users[w.users.length - 1];
        await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', gone.id).execute();
        const code = await codeOf(listRecords(unsafeCallerAs(gone.id, { locale: 'en' }), { formId: w.formId, pageSize: 200 }));
        const rest = await call(recordsRoute.GET, { token: gone.token, params: { formId: w.formId }, query: 'pageSize=200' });
        // The refused token counts against the caller's IP (20 an hour lock it): forget it, or later worlds' REST calls would be 429.
        await t.db.deleteFrom('auth_throttle').execute();
        const selectable = await asAppRole(gone.id, async (trx) => (await trx.selectFrom('records').select('id').where('form_id', '=', w.formId).execute()).length);
        const updatable = await asAppRole(gone.id, async (trx) => (await trx.updateTable('records').set({ version: sql`version` }).where('form_id', '=', w.formId).returning('id').execute()).length);
        seen.cases++;
        expect({ refused: code !== 'ok', rest: rest.status, selectable, updatable }, `disabled user u${gone.index}`).toEqual({ refused: true, rest: 401, selectable: 0, updatable: 0 });
        expect(problems, describeWorld(w)).toEqual([]);
      },
      WORLD_TIMEOUT,
    );
  }

  it(`checked at least ${MIN_CASES} cases, and the generators reached the interesting ones`, () => {
    console.info(`[authorization-differential] ${JSON.stringify(seen)}`);
    expect(seen.cases).toBeGreaterThanOrEqual(MIN_CASES);
    const rare = ['invalidGrant', 'departmentTree', 'reasonAsked'];
    for (const [k, n] of Object.entries(seen)) expect(n, `${k} seen ${n} times`).toBeGreaterThan(rare.includes(k) ? 10 : 30);
  });
});
