/**
 * Property test (issue 5, item 14): random JSON sent to the REST route handlers and to the
 * operations behind the server actions never gets a 500, and a refusal stores nothing.
 * Fixed seed, so a failure replays; fast-check prints the shrunk counterexample.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { freshWorld, useWorld, type World } from '../helpers/world';
import { isAppError } from '@/lib/errors';
import type { Operation } from '@/lib/operation-types';
import type { Caller } from '@/lib/auth/principal';
import * as collection from '@/app/api/v1/forms/[formId]/records/route';
import * as item from '@/app/api/v1/forms/[formId]/records/[recordId]/route';
import * as formsRoute from '@/app/api/v1/forms/route';
import { createRecord, deleteRecord, restoreRecord, updateRecord } from '@/lib/records/operations';
import { createForm, publishForm, saveFormDraft, setFormGrants } from '@/lib/forms/operations';
import { grantPresets } from '@/lib/policy';
import {
  createDepartment,
  createGroup,
  createUser,
  deleteDepartment,
  deleteGroup,
  resetPassword,
  setUserStatus,
  updateDepartment,
  updateGroup,
  updateUser,
} from '@/lib/directory/operations';
import { createApiToken, revokeApiToken } from '@/lib/auth/operations';
import { createFirstAdmin } from '@/lib/setup/operations';

const SEED = 20261201;
const RUNS = 500;
/** About 10 s per property on an idle machine; room for a loaded CI runner. */
const TIME_LIMIT = 120_000;

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

/** Everything a refusal must leave as it was: row counts, record versions, successful writes. */
async function snapshot(db = t.db): Promise<string> {
  const r = await sql<Record<string, number>>`
    select (select count(*)::int from records) as records,
           (select coalesce(sum(version), 0)::int from records) as record_versions,
           (select count(*)::int from records where deleted_at is not null) as deleted,
           (select count(*)::int from forms) as forms,
           (select count(*)::int from form_versions) as form_versions,
           (select count(*)::int from grants) as grants,
           (select count(*)::int from users) as users,
           (select count(*)::int from users where status = 'active') as active_users,
           (select count(*)::int from groups) as groups,
           (select count(*)::int from group_members) as members,
           (select count(*)::int from departments) as departments,
           (select count(*)::int from api_tokens where revoked_at is null) as tokens,
           (select count(*)::int from audit_events where outcome = 'ok' and action not like '%.list%'
              and action not in ('records.get', 'forms.getDraft', 'auth.me')) as writes`.execute(db);
  return JSON.stringify(r.rows[0]);
}

/**
 * The state before a case is the state after the previous one, so only a success needs a new
 * snapshot: half the queries of snapshotting before and after every case.
 */
let known: string | undefined;
async function checkUnchanged(refused: boolean, what: string) {
  const now = await snapshot();
  if (refused) expect(now, what).toBe(known);
  known = now;
}

// ---------------------------------------------------------------------------
// Hostile values

let ids: { forms: string[]; records: string[]; users: string[]; groups: string[]; departments: string[] };

const nastyStrings = () =>
  fc.oneof(
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udc00x',
      'x\ud83d',
      '😀',
      'fw1.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'fw1.',
      '__proto__',
      'constructor',
      'toString',
      "' or '1'='1",
      '%',
      '\\',
      'VIP',
      '13912345678',
      '杭州瑞丰科技有限公司',
      'a'.repeat(28) + '!',
      'x'.repeat(2100),
      '1e309',
      'NaN',
      'urn:uuid:00000000-0000-4000-8000-000000000000',
      '00000000-0000-4000-8000-000000000000',
      'admin@example.com',
      'Str0ng-Passw0rd!2026',
    ),
    fc.constantFrom(...['forms', 'records', 'users', 'groups', 'departments'].map((k) => k)).chain((k) =>
      fc.constantFrom(...ids[k as keyof typeof ids]).chain((id) => fc.constantFrom(id, `urn:uuid:${id}`, id.toUpperCase(), `${id} `)),
    ),
    fc.string({ maxLength: 20 }),
    // Any UTF-16 code units: NULs and unpaired surrogates included.
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  );

const numbers = () =>
  fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -1, 1, 2, 200, 201, 1e21, -1e308, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2, -0),
  );

const KEYS = [
  'formId', 'recordId', 'version', 'values', 'name', 'description', 'definition', 'draft', 'groupId', 'grant',
  'userId', 'status', 'password', 'email', 'isAdmin', 'departmentId', 'groupIds', 'parentId', 'memberIds',
  'tokenId', 'loadExample', 'phone', 'level', 'owner', 'notes', 'page', 'pageSize', 'sort', 'order', 'q',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x-order', 'properties', 'type', '\u0000', '\ud800',
];

/** Objects keyed like real input (so cases get past the first check), values anything. */
const hostile: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyStrings(),
    numbers(),
    fc.boolean(),
    fc.constant(null),
    tie('object'),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
  object: fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie('value')), { maxLength: 6 })
    // fromEntries defines own properties: "__proto__" stays a key, as JSON.parse makes it.
    .map((entries) => Object.fromEntries(entries)),
})).value;

const hostileObject = () =>
  fc
    .array(fc.tuple(fc.constantFrom(...KEYS), hostile), { maxLength: 6 })
    .map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

// ---------------------------------------------------------------------------
// REST

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const routes: { name: string; handler: Handler; method: string; params: string[]; body: boolean }[] = [
  { name: 'POST records', handler: collection.POST, method: 'POST', params: ['formId'], body: true },
  { name: 'GET records', handler: collection.GET, method: 'GET', params: ['formId'], body: false },
  { name: 'GET record', handler: item.GET, method: 'GET', params: ['formId', 'recordId'], body: false },
  { name: 'PATCH record', handler: item.PATCH, method: 'PATCH', params: ['formId', 'recordId'], body: true },
  { name: 'DELETE record', handler: item.DELETE, method: 'DELETE', params: ['formId', 'recordId'], body: false },
  { name: 'GET forms', handler: formsRoute.GET, method: 'GET', params: [], body: false },
];

describe('the refusal snapshot', () => {
  // The fuzz checks below are only as good as this: a snapshot that cannot
  // change (an outcome no event has, say) would pass every refusal.
  it('changes on a successful write, its audit event included', async () => {
    const { t, w } = await freshWorld();
    const before = JSON.parse(await snapshot(t.db)) as Record<string, number>;
    const rec = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '快照', phone: '13912340099' } });
    await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: rec.id, version: rec.version, values: { notes: '改' } });
    const after = JSON.parse(await snapshot(t.db)) as Record<string, number>;
    expect(after.records).toBe(before.records + 1);
    expect(after.record_versions).toBe(before.record_versions + 2);
    expect(after.writes).toBe(before.writes + 2);
  });
});

describe('fuzz: the REST API never answers 500 and stores nothing on refusal', () => {
  beforeAll(async () => {
    const [departments, groups] = await Promise.all([
      t.db.selectFrom('departments').select('id').execute(),
      t.db.selectFrom('groups').select(['id', 'name']).execute(),
    ]);
    ids = {
      forms: [w.formId],
      records: [...w.records.sales1, ...w.records.sales2, ...w.records.sales3],
      // Not the admin or the manager: the callers must keep their rights for the run to mean something.
      users: [w.users.sales3, w.users.support, w.users.nobody],
      groups: groups.filter((g) => g.name !== '管理者').map((g) => g.id),
      departments: departments.map((d) => d.id),
    };
  });

  it(`${RUNS} random requests`, async () => {
    // Values that pass most checks, so one hostile value gets as far as the database.
    const plausibleValues = fc.record(
      {
        name: fc.oneof(fc.constant('杭州瑞丰'), nastyStrings()),
        phone: fc.oneof({ weight: 4, arbitrary: fc.constant('13912345678') }, { weight: 1, arbitrary: hostile }),
        level: fc.oneof(fc.constantFrom('VIP', 'A', 'B', 'C'), hostile),
        owner: fc.oneof(fc.constant(null).chain(() => fc.constantFrom(...ids.users)), nastyStrings()),
        notes: fc.oneof(nastyStrings(), hostile),
      },
      { requiredKeys: ['name', 'phone'] },
    );
    const bodies = fc.oneof(
      // Shaped like a real body…
      {
        weight: 3,
        arbitrary: fc
          .record({ values: fc.oneof({ weight: 4, arbitrary: plausibleValues }, hostileObject(), hostile), version: fc.oneof(fc.constant(1), numbers(), hostile) }, { requiredKeys: [] })
          .map((b) => JSON.stringify(b)),
      },
      // …any JSON at all…
      { weight: 1, arbitrary: hostile.map((v) => JSON.stringify(v) ?? 'null') },
      // …or no JSON.
      { weight: 1, arbitrary: fc.constantFrom('', '{', '{"values": {"name": "x"', 'null', '[]', '\u0000', '{"values": {"name": "\\ud800"}}', '{"values": {"name": "\\u0000"}}') },
    );
    const query = fc.dictionary(fc.constantFrom('page', 'pageSize', 'sort', 'order', 'q', 'version', 'x'), nastyStrings(), { maxKeys: 4 });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        // Writes more often than reads; real ids and a manager's token mostly, so cases get deep.
        fc.oneof(...routes.map((r) => ({ weight: r.body ? 3 : 1, arbitrary: fc.constant(r) }))),
        fc.record({ formId: nastyStrings(), recordId: nastyStrings() }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        bodies,
        query,
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(w.tokens.manager) },
          { weight: 1, arbitrary: fc.constantFrom(w.tokens.sales1, w.tokens.support, 'fw_fake') },
        ),
        fc.constantFrom('zh-CN', 'en'),
        async (route, rawParams, realIds, body, q, token, locale) => {
          const params = Object.fromEntries(
            route.params.map((p) => [p, realIds ? (p === 'formId' ? w.formId : ids.records[0]) : rawParams[p as 'formId' | 'recordId']]),
          );
          const url = `http://localhost/api/v1/x?${new URLSearchParams(q).toString()}`;
          const request = new Request(url, {
            method: route.method,
            headers: { authorization: `Bearer ${token}`, 'accept-language': locale, 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.1' },
            body: route.body ? body : undefined,
          });
          known ??= await snapshot();
          const res = await route.handler(request, { params: Promise.resolve(params) });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const text = await res.text();
          expect(res.status, `${route.name} ${url} ${text}`).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
          // A read changes nothing either way; a write's success may.
          if (res.status >= 400 || route.method !== 'GET') await checkUnchanged(res.status >= 400, `${route.name} refused with ${res.status} but changed the database`);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // The run must reach past authentication and validation, or it proves little.
    console.info('[fuzz] REST statuses', Object.fromEntries([...statuses].sort()));
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, TIME_LIMIT);

  it(`${RUNS} random calls of the operations behind server actions`, async () => {
    const R = ['formId', 'recordId', 'version', 'values'];
    const ops: { name: string; op: Operation<never, unknown>; caller: () => Caller; keys: string[] }[] = [
      { name: 'records.create', op: createRecord as never, caller: () => w.caller('manager'), keys: ['formId', 'values'] },
      { name: 'records.update', op: updateRecord as never, caller: () => w.caller('manager'), keys: R },
      { name: 'records.delete', op: deleteRecord as never, caller: () => w.caller('manager'), keys: ['formId', 'recordId', 'version'] },
      { name: 'records.restore', op: restoreRecord as never, caller: () => w.caller('admin'), keys: ['formId', 'recordId'] },
      { name: 'forms.create', op: createForm as never, caller: () => w.caller('admin'), keys: ['name', 'description', 'definition'] },
      { name: 'forms.saveDraft', op: saveFormDraft as never, caller: () => w.caller('admin'), keys: ['formId', 'name', 'description', 'draft'] },
      { name: 'forms.publish', op: publishForm as never, caller: () => w.caller('admin'), keys: ['formId'] },
      { name: 'forms.setGrants', op: setFormGrants as never, caller: () => w.caller('admin'), keys: ['formId', 'grants'] },
      { name: 'users.create', op: createUser as never, caller: () => w.caller('admin'), keys: ['email', 'name', 'password', 'isAdmin', 'departmentId', 'groupIds'] },
      { name: 'users.update', op: updateUser as never, caller: () => w.caller('admin'), keys: ['userId', 'name', 'isAdmin', 'departmentId', 'groupIds'] },
      { name: 'users.setStatus', op: setUserStatus as never, caller: () => w.caller('admin'), keys: ['userId', 'status'] },
      { name: 'users.resetPassword', op: resetPassword as never, caller: () => w.caller('admin'), keys: ['userId', 'password'] },
      { name: 'departments.create', op: createDepartment as never, caller: () => w.caller('admin'), keys: ['name', 'parentId'] },
      { name: 'departments.update', op: updateDepartment as never, caller: () => w.caller('admin'), keys: ['departmentId', 'name', 'parentId'] },
      { name: 'departments.delete', op: deleteDepartment as never, caller: () => w.caller('admin'), keys: ['departmentId'] },
      { name: 'groups.create', op: createGroup as never, caller: () => w.caller('admin'), keys: ['name', 'description'] },
      { name: 'groups.update', op: updateGroup as never, caller: () => w.caller('admin'), keys: ['groupId', 'name', 'description', 'memberIds'] },
      { name: 'groups.delete', op: deleteGroup as never, caller: () => w.caller('admin'), keys: ['groupId'] },
      { name: 'tokens.create', op: createApiToken as never, caller: () => w.caller('sales1'), keys: ['name'] },
      { name: 'tokens.revoke', op: revokeApiToken as never, caller: () => w.caller('sales1'), keys: ['tokenId'] },
      {
        name: 'setup.createFirstAdmin',
        op: createFirstAdmin as never,
        caller: () => ({ credential: { type: 'anonymous' }, ip: '127.0.0.1', locale: 'zh-CN' }),
        keys: ['email', 'name', 'password', 'loadExample'],
      },
    ];
    /** A value for one input key: mostly plausible (real ids, field-keyed values), else anything. */
    const valueFor = (key: string): fc.Arbitrary<unknown> => {
      const pool: Record<string, () => string[]> = {
        formId: () => ids.forms,
        recordId: () => ids.records,
        userId: () => ids.users,
        groupId: () => ids.groups,
        departmentId: () => ids.departments,
        parentId: () => ids.departments,
      };
      if (pool[key]) return fc.oneof({ weight: 3, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...pool[key]())) }, { weight: 2, arbitrary: hostile });
      if (key === 'values' || key === 'draft' || key === 'definition' || key === 'grant') {
        const fieldKeys = ['name', 'phone', 'level', 'owner', 'notes', '__proto__', 'constructor', 'x-order', 'properties', 'type', 'actions', 'fields'];
        return fc.oneof(
          { weight: 3, arbitrary: fc.array(fc.tuple(fc.constantFrom(...fieldKeys), hostile), { maxLength: 5 }).map((e) => Object.fromEntries(e)) },
          { weight: 1, arbitrary: hostile },
        );
      }
      if (key === 'grants') {
        // A group's grant: a preset (may be saved), near-grant shapes, or anything.
        const grant = fc.oneof(valueFor('grant'), fc.constantFrom(null, ...Object.values(grantPresets)));
        return fc.oneof({ weight: 3, arbitrary: fc.array(fc.record({ groupId: valueFor('groupId'), grant }, { requiredKeys: [] }), { maxLength: 3 }) }, { weight: 1, arbitrary: hostile });
      }
      if (key === 'version') return fc.oneof(fc.constant(1), numbers(), hostile);
      return hostile;
    };
    const opCase = fc.constantFrom(...ops).chain((o) =>
      fc.tuple(
        fc.constant(o),
        fc.oneof(
          { weight: 6, arbitrary: fc.record(Object.fromEntries(o.keys.map((k) => [k, valueFor(k)])), { requiredKeys: [] }) },
          { weight: 1, arbitrary: hostileObject() },
          { weight: 1, arbitrary: fc.constantFrom(undefined, Infinity, NaN, 'x', [], { values: { name: Infinity } }, { formId: randomUUID(), values: { name: NaN } }) },
        ),
      ),
    );
    // Server actions deliver what React can serialise: Infinity, NaN and undefined included (above).
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(opCase, async ([{ name, op, caller }, value]) => {
        known ??= await snapshot();
        let code = 'ok';
        try {
          await op(caller(), value as never);
        } catch (e) {
          if (!isAppError(e)) throw new Error(`${name} threw ${e instanceof Error ? e.name : typeof e}, not an AppError`);
          code = e.code;
        }
        codes.set(code, (codes.get(code) ?? 0) + 1);
        expect(code, `${name} answered internal`).not.toBe('internal');
        await checkUnchanged(code !== 'ok', `${name} refused with ${code} but changed the database`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.info('[fuzz] operation outcomes', Object.fromEntries([...codes].sort()));
    expect(codes.get('invalid_input') ?? 0).toBeGreaterThan(0);
    expect([...codes.keys()].filter((c) => c !== 'invalid_input').length).toBeGreaterThan(0);
  }, TIME_LIMIT);
});
