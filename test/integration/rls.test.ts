/**
 * Row-level security, the second wall (issue 6 item 9, "RLS alone holds"): with the
 * application's scope filter switched off (every compiled scope is `true`), PostgreSQL alone
 * still lets each caller read and write only what their grants allow, through the operations
 * and through raw SQL as the application's role; invalid grants and conditions it cannot
 * evaluate grant nothing; the role may read and append audit events and nothing more; the
 * privileged statistics count every record, for administrators only.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { freshWorld, useWorld, type World } from '../helpers/world';
import { codeOf } from '../helpers/outcome';
import type { DB } from '@/lib/db/schema';
import type { Database } from '@/lib/db/connection';
import { APP_ROLE } from '@/lib/db/app-role';
import { unsafeCallerAs } from '@/lib/auth/system-caller';
import { SYSTEM_USER_ID } from '@/lib/auth/principal';
import { createRecord, deleteRecord, getRecord, listRecords, updateRecord } from '@/lib/records/operations';
import { countSealedValues, purgeFormRecords } from '@/lib/records/record-stats';

/**
 * The application's scope filter, switched off: every function of lib/records/scope-sql.ts
 * that returns a compiled scope (a function of the expression builder) or an SQL expression
 * returns `true` instead, whatever its name. `compiled` counts them, so the test knows the
 * operations really went through the switched-off filter.
 */
const filter = vi.hoisted(() => ({ compiled: 0 }));
vi.mock('@/lib/records/scope-sql', async (importOriginal) => {
  const { sql: raw } = await import('kysely');
  const real = await importOriginal<Record<string, unknown>>();
  const always = () => raw<boolean>`true`;
  const off = (fn: (...args: unknown[]) => unknown) => (...args: unknown[]) => {
    const out = fn(...args);
    const compiledScope = typeof out === 'function';
    const expression = out !== null && typeof out === 'object' && 'toOperationNode' in out;
    if (!compiledScope && !expression) return out;
    filter.compiled++;
    return compiledScope ? always : always();
  };
  return Object.fromEntries(Object.entries(real).map(([name, v]) => [name, typeof v === 'function' ? off(v as (...args: unknown[]) => unknown) : v]));
});

/** Tests that build a database of their own (a fresh PGlite takes long on a loaded machine). */
const FRESH_WORLD_TIMEOUT = 120_000;

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

interface Extra {
  center: string;
  /** Owned by the support user, in the support department: outside every sales scope. */
  supportRecord: string;
  vip: string[];
  users: Record<'treeLead' | 'vipDesk' | 'watcher' | 'former', string>;
  /** The watcher's own record (view all, edit and delete own). */
  watcherRecord: string;
  /** Owned by `former`, whose grant (their department, 客服部) does not cover it: owning gives nothing by itself. */
  formerRecord: string;
}

/** What every world of this file has besides the common one. */
async function extend(db: Database, world: World): Promise<Extra> {
  const center = (await db.selectFrom('departments').select('parent_id').where('id', '=', world.departments.sales1).executeTakeFirstOrThrow()).parent_id!;
  const record = async (owner: string, department: string | null, values: Record<string, unknown>) =>
    (
      await db
        .insertInto('records')
        .values({ form_id: world.formId, form_version: 1, values: JSON.stringify(values), owner_id: owner, department_id: department, created_by: owner })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const supportRecord = await record(world.users.support, world.departments.support, { name: '客服部的客户' });
  const vip = [world.records.sales1[0], world.records.sales3[1]];
  await db.updateTable('records').set({ values: sql`"values" || '{"level":"VIP"}'::jsonb` }).where('id', 'in', vip).execute();
  const users = {
    treeLead: await userWithGrant(db, world, 'treeLead', center, {
      actions: { view: { scope: 'department-tree' }, edit: { scope: 'department-tree' }, delete: { scope: 'department-tree' } },
      fields: { '*': 'write' },
    }),
    vipDesk: await userWithGrant(db, world, 'vipDesk', world.departments.support, {
      actions: { view: { scope: { field: 'level', eq: 'VIP' } }, edit: { scope: { field: 'level', eq: 'VIP' } } },
      fields: { '*': 'write' },
    }),
    watcher: await userWithGrant(db, world, 'watcher', world.departments.sales2, {
      actions: { view: { scope: 'all' }, create: {}, edit: { scope: 'own' }, delete: { scope: 'own' } },
      fields: { '*': 'write' },
    }),
  };
  const watcherRecord = await record(users.watcher, world.departments.sales2, { name: '观察员的客户', level: 'C' });
  // A salesperson moved to 客服部, whose group now views its department only: their old customer stays in 销售二部.
  const former = await userWithGrant(db, world, 'former', world.departments.support, { actions: { view: { scope: 'department' } }, fields: { '*': 'read' } });
  const formerRecord = await record(former, world.departments.sales2, { name: '调岗前的客户' });
  return { center, supportRecord, vip, users: { ...users, former }, watcherRecord, formerRecord };
}

/** A user in `department` whose only group holds `grant` on the world's form. */
async function userWithGrant(db: Database, world: World, name: string, department: string | null, grant: unknown): Promise<string> {
  const suffix = randomUUID().slice(0, 8);
  const group = (await db.insertInto('groups').values({ name: `${name}-${suffix}` }).returning('id').executeTakeFirstOrThrow()).id;
  await db.insertInto('grants').values({ form_id: world.formId, group_id: group, grant: JSON.stringify(grant) }).execute();
  const user = (
    await db
      .insertInto('users')
      .values({ email: `${name}-${suffix}@example.com`, name, password_hash: 'x', department_id: department })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await db.insertInto('group_members').values({ group_id: group, user_id: user }).execute();
  return user;
}

let x: Extra;
beforeAll(async () => {
  x = await extend(t.db, w);
});

const as = (userId: string) => unsafeCallerAs(userId, { locale: 'en' });
const sorted = (ids: string[]) => [...ids].sort();

/** Every record of the form, as the owner (superuser) sees it. */
async function allRecords(db: Database, formId: string) {
  return db.selectFrom('records').select(['id', 'owner_id', 'department_id', 'values', 'version', 'deleted_at']).where('form_id', '=', formId).execute();
}

/** Runs `work` in a transaction as the application's role, as `userId` (null: nobody). */
function asAppRole<T>(userId: string | null, work: (trx: Transaction<DB>) => Promise<T>, db: Database = t.db): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local role ${sql.id(APP_ROLE)}`.execute(trx);
    await sql`select set_config('app.user_id', ${userId ?? ''}, true)`.execute(trx);
    return work(trx);
  });
}

class RolledBack extends Error {}
/** 'ok' or the SQLSTATE `work` fails with as the role; rolled back either way. */
async function sqlState(userId: string | null, work: (trx: Transaction<DB>) => Promise<unknown>): Promise<string> {
  try {
    await asAppRole(userId, async (trx) => {
      await work(trx);
      throw new RolledBack();
    });
  } catch (e) {
    if (e instanceof RolledBack) return 'ok';
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw e;
  }
  throw new Error('unreachable');
}

const visibleTo = (userId: string | null, formId = w.formId) =>
  asAppRole(userId, async (trx) => sorted((await trx.selectFrom('records').select('id').where('form_id', '=', formId).execute()).map((r) => r.id)));

describe('RLS alone holds: the operations with the application scope filter switched off', () => {
  /** Per scope: who holds it and exactly the records it covers (from the world's layout). */
  const cases = () =>
    [
      { scope: 'own', who: w.users.sales1, covers: w.records.sales1 },
      { scope: 'department', who: w.users.lead1, covers: [...w.records.sales1, ...w.records.sales2] },
      // Owning a record outside one's scope opens nothing.
      { scope: 'department (owning a record outside it)', who: x.users.former, covers: [x.supportRecord] },
      // Everything under 销售中心 (the watcher's and the former salesperson's records are in 销售二部), not 客服部.
      { scope: 'department-tree', who: x.users.treeLead, covers: [...w.records.sales1, ...w.records.sales2, ...w.records.sales3, x.watcherRecord, x.formerRecord] },
      { scope: 'all', who: w.users.support, covers: [...w.records.sales1, ...w.records.sales2, ...w.records.sales3, x.supportRecord, x.watcherRecord, x.formerRecord] },
      { scope: 'condition (level = VIP)', who: x.users.vipDesk, covers: x.vip },
    ] as const;

  it('the filter really is off: the operations compiled scopes, each of them `true`', async () => {
    const before = filter.compiled;
    await listRecords(as(w.users.sales1), { formId: w.formId });
    expect(filter.compiled).toBeGreaterThan(before);
  });

  it('with RLS disabled too, a salesperson would see every record (so RLS is what filters below)', async () => {
    const { t: own, w: world } = await freshWorld();
    await sql`alter table records no force row level security`.execute(own.db);
    await sql`alter table records disable row level security`.execute(own.db);
    const page = await listRecords(as(world.users.sales1), { formId: world.formId, pageSize: 100 });
    expect(page.total).toBe(9);
  }, FRESH_WORLD_TIMEOUT);

  for (const scopeCase of ['own', 'department', 'department (owning a record outside it)', 'department-tree', 'all', 'condition (level = VIP)']) {
    const run = () => cases().find((c) => c.scope === scopeCase)!;
    it(
      `${scopeCase}: list, count and get return exactly the covered records`,
      async () => {
        const c = run();
        const page = await listRecords(as(c.who), { formId: w.formId, pageSize: 200 });
        expect(sorted(page.items.map((i) => i.id))).toEqual(sorted([...c.covers]));
        expect(page.total).toBe(c.covers.length);
        for (const r of await allRecords(t.db, w.formId)) {
          if (r.deleted_at) continue;
          const code = await codeOf(getRecord(as(c.who), { formId: w.formId, recordId: r.id }));
          expect({ record: r.id, code }).toEqual({ record: r.id, code: c.covers.includes(r.id) ? 'ok' : 'not_found' });
        }
      },
    );
  }

  it('raw SQL as the role sees exactly the covered records, for every scope', async () => {
    for (const c of cases()) expect({ scope: c.scope, ids: await visibleTo(c.who) }).toEqual({ scope: c.scope, ids: sorted([...c.covers]) });
  });

  it('a write outside the edit scope changes nothing; inside it works', async () => {
    const before = new Map((await allRecords(t.db, w.formId)).map((r) => [r.id, r]));
    const attempts: { who: string; editable: string[] }[] = [
      { who: w.users.sales1, editable: w.records.sales1 },
      { who: w.users.lead1, editable: [...w.records.sales1, ...w.records.sales2] },
      // Sees everything, may edit only their own: the app (filter off) would write any of them.
      { who: x.users.watcher, editable: [x.watcherRecord] },
    ];
    for (const { who, editable } of attempts) {
      for (const [id, row] of before) {
        if (editable.includes(id)) continue;
        const code = await codeOf(updateRecord(as(who), { formId: w.formId, recordId: id, version: row.version, values: { notes: 'overwritten' } }));
        expect({ who, id, refused: code !== 'ok' }).toEqual({ who, id, refused: true });
      }
    }
    for (const r of await allRecords(t.db, w.formId)) expect({ id: r.id, version: r.version, values: r.values }).toEqual({ id: r.id, version: before.get(r.id)!.version, values: before.get(r.id)!.values });
    // The wall is not simply closed: the watcher's own record saves.
    const own = before.get(x.watcherRecord)!;
    const saved = await updateRecord(as(x.users.watcher), { formId: w.formId, recordId: x.watcherRecord, version: own.version, values: { phone: '13912345678', notes: '跟进' } });
    expect(saved.version).toBe(own.version + 1);
  });

  it('a delete outside the delete scope changes nothing; inside it works', async () => {
    const { t: own, w: world } = await freshWorld();
    const more = await extend(own.db, world);
    for (const r of await allRecords(own.db, world.formId)) {
      if (r.id === more.watcherRecord) continue;
      expect({ id: r.id, code: await codeOf(deleteRecord(as(more.users.watcher), { formId: world.formId, recordId: r.id })) }).not.toEqual({ id: r.id, code: 'ok' });
    }
    for (const id of [...world.records.sales3, more.supportRecord]) {
      expect({ id, code: await codeOf(deleteRecord(as(world.users.lead1), { formId: world.formId, recordId: id })) }).not.toEqual({ id, code: 'ok' });
    }
    expect((await allRecords(own.db, world.formId)).filter((r) => r.deleted_at)).toEqual([]);
    await deleteRecord(as(more.users.watcher), { formId: world.formId, recordId: more.watcherRecord });
    await deleteRecord(as(world.users.lead1), { formId: world.formId, recordId: world.records.sales2[0] });
    expect(sorted((await allRecords(own.db, world.formId)).filter((r) => r.deleted_at).map((r) => r.id))).toEqual(sorted([more.watcherRecord, world.records.sales2[0]]));
  }, FRESH_WORLD_TIMEOUT);

  it('giving a record away or creating one for someone else is refused without an assign grant, and nothing is stored', async () => {
    const mine = (await allRecords(t.db, w.formId)).find((r) => r.id === w.records.sales1[2])!;
    // Refused by the owner rules of record-write (a field error on the owner) before PostgreSQL's
    // WITH CHECK would refuse it as the second wall; never a 500, never written.
    const code = await codeOf(updateRecord(as(w.users.sales1), { formId: w.formId, recordId: mine.id, version: mine.version, values: { owner: w.users.sales3 } }));
    expect(code).toBe('invalid_input');
    const after = (await allRecords(t.db, w.formId)).find((r) => r.id === mine.id)!;
    expect({ owner: after.owner_id, version: after.version }).toEqual({ owner: mine.owner_id, version: mine.version });

    const count = async () => (await allRecords(t.db, w.formId)).length;
    const n = await count();
    expect(await codeOf(createRecord(as(w.users.sales1), { formId: w.formId, values: { name: '代建', phone: '13912345678', owner: w.users.sales3 } }))).toBe('invalid_input');
    expect(await count()).toBe(n);
  });
});

describe('raw SQL as the role', () => {
  const records = () => allRecords(t.db, w.formId);
  type Row = Awaited<ReturnType<typeof records>>[number];
  const level = (r: Row) => (r.values as { level?: unknown }).level;

  it('nobody, a user without groups and a disabled user see nothing; the system sees everything', async () => {
    expect(await visibleTo(null)).toEqual([]);
    expect(await visibleTo(w.users.nobody)).toEqual([]);
    expect(await visibleTo('not-a-uuid')).toEqual([]);
    const disabled = await userWithGrant(t.db, w, 'disabled', w.departments.sales1, { actions: { view: { scope: 'all' } }, fields: { '*': 'read' } });
    expect((await visibleTo(disabled)).length).toBeGreaterThan(0);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled).execute();
    expect(await visibleTo(disabled)).toEqual([]);
    expect(await visibleTo(SYSTEM_USER_ID)).toEqual(sorted((await records()).map((r) => r.id)));
  });

  it('department-tree follows the tree downwards only', async () => {
    const inSales2 = await userWithGrant(t.db, w, 'tree2', w.departments.sales2, { actions: { view: { scope: 'department-tree' } }, fields: { '*': 'read' } });
    const inSupport = await userWithGrant(t.db, w, 'tree3', w.departments.support, { actions: { view: { scope: 'department-tree' } }, fields: { '*': 'read' } });
    const noDepartment = await userWithGrant(t.db, w, 'tree4', null, { actions: { view: { scope: 'department-tree' } }, fields: { '*': 'read' } });
    const rows = await records();
    expect(await visibleTo(inSales2)).toEqual(sorted(rows.filter((r) => r.department_id === w.departments.sales2).map((r) => r.id)));
    expect(await visibleTo(inSupport)).toEqual(sorted([x.supportRecord]));
    expect(await visibleTo(noDepartment)).toEqual([]);
  });

  // Conditions, each against a predicate written here (independent of lib/policy and of RLS).
  const conditions: [string, unknown, (r: Row, me: string) => boolean][] = [
    ['eq', { field: 'level', eq: 'VIP' }, (r) => level(r) === 'VIP'],
    ['ne (a missing value is "not equal")', { field: 'level', ne: 'VIP' }, (r) => level(r) !== 'VIP'],
    ['in', { field: 'level', in: ['VIP', 'C'] }, (r) => level(r) === 'VIP' || level(r) === 'C'],
    ['eq of another JSON type never holds', { field: 'level', eq: 1 }, () => false],
    ['ne of another JSON type always holds', { field: 'level', ne: 1 }, () => true],
    ['gt on text never holds', { field: 'name', gt: 0 }, () => false],
    ['$owner = $me', { field: '$owner', eq: '$me' }, (r, me) => r.owner_id === me],
    ['the owner field means the owner column', { field: 'owner', eq: '$me' }, (r, me) => r.owner_id === me],
    ['$department = $myDepartment', { field: '$department', eq: '$myDepartment' }, (r) => r.department_id === w.departments.sales1],
    ['all', { all: [{ field: 'level', eq: 'VIP' }, { field: '$department', eq: '$myDepartment' }] }, (r) => level(r) === 'VIP' && r.department_id === w.departments.sales1],
    ['any', { any: [{ field: 'level', eq: 'VIP' }, { field: '$owner', eq: '$me' }] }, (r, me) => level(r) === 'VIP' || r.owner_id === me],
    ['not', { not: { field: '$owner', eq: '$me' } }, (r, me) => r.owner_id !== me],
    ['exact text', { field: 'name', eq: 'sales2-客户1' }, (r) => (r.values as { name?: unknown }).name === 'sales2-客户1'],
    ['a literal with quotes and backslashes', { field: 'name', eq: 'a"b\\c' }, () => false],
  ];
  for (const [name, condition, expected] of conditions) {
    it(`condition: ${name}`, async () => {
      const me = await userWithGrant(t.db, w, 'cond', w.departments.sales1, { actions: { view: { scope: condition } }, fields: { '*': 'read' } });
      const rows = await records();
      expect(await visibleTo(me)).toEqual(sorted(rows.filter((r) => expected(r, me)).map((r) => r.id)));
    });
  }

  it('$myDepartment without a department stands for nothing: eq is false, ne is true', async () => {
    const eq = await userWithGrant(t.db, w, 'nodept', null, { actions: { view: { scope: { field: '$department', eq: '$myDepartment' } } }, fields: { '*': 'read' } });
    const ne = await userWithGrant(t.db, w, 'nodept', null, { actions: { view: { scope: { field: '$department', ne: '$myDepartment' } } }, fields: { '*': 'read' } });
    expect(await visibleTo(eq)).toEqual([]);
    expect(await visibleTo(ne)).toEqual(sorted((await records()).map((r) => r.id)));
  });

  it('the union across groups: a department plus a condition', async () => {
    const me = await userWithGrant(t.db, w, 'union', w.departments.sales2, { actions: { view: { scope: 'department' } }, fields: { '*': 'read' } });
    const vipGroup = (await t.db.insertInto('groups').values({ name: `vip-${randomUUID()}` }).returning('id').executeTakeFirstOrThrow()).id;
    await t.db.insertInto('grants').values({ form_id: w.formId, group_id: vipGroup, grant: JSON.stringify({ actions: { view: { scope: { field: 'level', eq: 'VIP' } } }, fields: { '*': 'read' } }) }).execute();
    await t.db.insertInto('group_members').values({ group_id: vipGroup, user_id: me }).execute();
    const rows = await records();
    expect(await visibleTo(me)).toEqual(sorted(rows.filter((r) => r.department_id === w.departments.sales2 || level(r) === 'VIP').map((r) => r.id)));
    expect((await visibleTo(me)).length).toBeGreaterThan(w.records.sales3.length);
  });

  // Each would widen access if it were read loosely; each must grant nothing at all.
  const grantsNothing: [string, unknown][] = [
    ['an unknown scope name', { actions: { view: { scope: 'everyone' } }, fields: { '*': 'read' } }],
    ['an unknown operator', { actions: { view: { scope: { field: 'level', like: 'V%' } } }, fields: { '*': 'read' } }],
    ['an ordering operator on text', { actions: { view: { scope: { field: 'level', gt: 'A' } } }, fields: { '*': 'read' } }],
    ['a condition on an unknown field', { actions: { view: { scope: { field: 'nosuch', eq: 'x' } } }, fields: { '*': 'read' } }],
    ['not of a condition on an unknown field', { actions: { view: { scope: { not: { field: 'nosuch', eq: 'x' } } } }, fields: { '*': 'read' } }],
    ['a condition on an encrypted field', { actions: { view: { scope: { field: 'phone', eq: '13800001000' } } }, fields: { '*': 'read' } }],
    ['not of a condition on an encrypted field', { actions: { view: { scope: { not: { field: 'phone', eq: 'x' } } } }, fields: { '*': 'read' } }],
    ['a condition on a field the grant hides', { actions: { view: { scope: { field: 'level', eq: 'VIP' } } }, fields: { '*': 'read', level: 'hidden' } }],
    ['any with a hidden-field branch (hidden: named nowhere)', { actions: { view: { scope: { any: [{ field: '$owner', eq: '$me' }, { not: { field: 'level', eq: 'B' } }] } } }, fields: { name: 'read' } }],
    ['a condition nested five deep', { actions: { view: { scope: { not: { not: { not: { not: { not: { field: '$owner', eq: '$me' } } } } } } } }, fields: { '*': 'read' } }],
    ['an unknown action next to view', { actions: { view: { scope: 'all' }, peek: {} }, fields: { '*': 'read' } }],
    ['an unknown key in an action', { actions: { view: { scope: 'all', maxRows: 10 } }, fields: { '*': 'read' } }],
    ['an unknown top-level key', { actions: { view: { scope: 'all' } }, fields: { '*': 'read' }, note: 'x' }],
    ['an unknown field mode', { actions: { view: { scope: 'all' } }, fields: { '*': 'everything' } }],
    ['no actions', { fields: { '*': 'read' } }],
    ['not an object', 'all'],
    ['an empty any', { actions: { view: { scope: { any: [] } } }, fields: { '*': 'read' } }],
  ];
  for (const [name, grant] of grantsNothing) {
    it(`grants nothing: ${name}`, async () => {
      expect(await visibleTo(await userWithGrant(t.db, w, 'bad', w.departments.sales1, grant))).toEqual([]);
    });
  }

  it('writes: outside the scope nothing happens or PostgreSQL refuses; hard deletes are refused to the role', async () => {
    const theirs = w.records.sales3[0];
    const mine = w.records.sales1[1];
    // Invisible to sales1: the UPDATE matches no row.
    expect(await asAppRole(w.users.sales1, async (trx) => (await trx.updateTable('records').set({ version: sql`version + 1` }).where('id', '=', theirs).executeTakeFirst()).numUpdatedRows)).toBe(BigInt(0));
    expect(await asAppRole(w.users.sales1, async (trx) => (await trx.updateTable('records').set({ version: sql`version + 1` }).where('id', '=', mine).executeTakeFirst()).numUpdatedRows)).toBe(BigInt(1));
    // 42501: new row violates row-level security policy.
    expect(await sqlState(w.users.sales1, (trx) => trx.updateTable('records').set({ owner_id: w.users.sales3, department_id: w.departments.sales2 }).where('id', '=', mine).execute())).toBe('42501');
    const insert = (owner: string, department: string | null) => (trx: Transaction<DB>) =>
      trx.insertInto('records').values({ form_id: w.formId, form_version: 1, values: '{}', owner_id: owner, department_id: department, created_by: w.users.sales1 }).execute();
    expect(await sqlState(w.users.sales1, insert(w.users.sales1, w.departments.sales1))).toBe('ok');
    expect(await sqlState(w.users.sales1, insert(w.users.sales3, w.departments.sales2))).toBe('42501');
    // Planted in another department under the caller's own name.
    expect(await sqlState(w.users.sales1, insert(w.users.sales1, w.departments.support))).toBe('42501');
    // 客服 may view all but not create.
    expect(await sqlState(w.users.support, insert(w.users.support, w.departments.support))).toBe('42501');
    for (const who of [w.users.sales1, w.users.manager, SYSTEM_USER_ID]) {
      expect(await sqlState(who, (trx) => trx.deleteFrom('records').where('id', '=', mine).execute())).toBe('42501');
    }
  });
});

describe('the role and the audit log', () => {
  const event = { action: 'rls.test', outcome: 'ok' };

  it('may insert and select audit events', async () => {
    expect(await sqlState(w.users.sales1, (trx) => trx.insertInto('audit_events').values(event).execute())).toBe('ok');
    expect(await sqlState(w.users.sales1, (trx) => trx.selectFrom('audit_events').select('id').limit(1).execute())).toBe('ok');
  });

  it('may not update, delete or truncate them (refused by privilege, before any trigger)', async () => {
    expect(await sqlState(w.users.sales1, (trx) => trx.updateTable('audit_events').set({ outcome: 'denied' }).execute())).toBe('42501');
    expect(await sqlState(w.users.sales1, (trx) => trx.deleteFrom('audit_events').execute())).toBe('42501');
    expect(await sqlState(w.users.sales1, (trx) => sql`truncate audit_events`.execute(trx))).toBe('42501');
    expect(await sqlState(SYSTEM_USER_ID, (trx) => trx.deleteFrom('audit_events').execute())).toBe('42501');
  });

  it('is neither superuser nor BYPASSRLS, and owns nothing', async () => {
    const role = (await sql<{ rolsuper: boolean; rolbypassrls: boolean; rolinherit: boolean; rolcanlogin: boolean }>`
      select rolsuper, rolbypassrls, rolinherit, rolcanlogin from pg_roles where rolname = ${APP_ROLE}`.execute(t.db)).rows[0];
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolinherit: false, rolcanlogin: false });
    const owned = await sql<{ n: number }>`select count(*)::int as n from pg_class where relowner = (select oid from pg_roles where rolname = ${APP_ROLE})`.execute(t.db);
    expect(owned.rows[0].n).toBe(0);
  });
});

describe('privileged statistics', () => {
  it('count every record of the form for an administrator whose own scope holds none', async () => {
    // The admin has no grant: RLS shows them nothing, the publish checks still count everything.
    expect(await visibleTo(w.users.admin)).toEqual([]);
    const sealed = (await allRecords(t.db, w.formId)).filter((r) => String((r.values as { phone?: unknown }).phone).startsWith('fw1.')).length;
    expect(sealed).toBeGreaterThanOrEqual(9);
    const n = await asAppRole(w.users.admin, (trx) => countSealedValues(trx, w.formId, ['phone', 'name']));
    expect(n).toEqual({ phone: sealed, name: 0 });
  });

  it('refuse anyone but an administrator or the system, and purge only for them', async () => {
    expect(await sqlState(w.users.sales1, (trx) => countSealedValues(trx, w.formId, ['phone']))).toBe('42501');
    expect(await sqlState(null, (trx) => countSealedValues(trx, w.formId, ['phone']))).toBe('42501');
    expect(await sqlState(w.users.manager, (trx) => purgeFormRecords(trx, w.formId))).toBe('42501');
    // The caller is still themselves afterwards: the function's system identity does not leak out.
    const after = await asAppRole(w.users.admin, async (trx) => {
      const purged = await purgeFormRecords(trx, w.formId);
      const me = (await sql<{ me: string }>`select current_setting('app.user_id') as me`.execute(trx)).rows[0].me;
      throw Object.assign(new RolledBack(), { purged, me });
    }).catch((e: RolledBack & { purged: number; me: string }) => e);
    expect({ purged: after.purged > 0, me: after.me }).toEqual({ purged: true, me: w.users.admin });
    expect((await allRecords(t.db, w.formId)).length).toBeGreaterThan(0); // rolled back
  });
});
