/**
 * Record writes inside their scope: UPDATE, soft DELETE and restore carry
 * the caller's scope (and the version) in their own WHERE, and a write that
 * touches no row answers 404 / 403 / 409 for the right reason.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type Who, type World } from '../helpers/world';
import { codeOf } from '../helpers/outcome';
import type { DB } from '@/lib/db/schema';
import { SYSTEM_USER_ID } from '@/lib/auth/principal';
import { createRecord, deleteRecord, getRecord, listDeletedRecords, restoreRecord, updateRecord } from '@/lib/records/operations';

// Runs inside the operation's transaction right after it read the record,
// standing in for a change another request commits between read and write.
const race = vi.hoisted(() => ({ afterRead: undefined as undefined | ((db: Transaction<DB>, recordId: string) => Promise<void>) }));
vi.mock('@/lib/records/record-query', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/records/record-query')>();
  return {
    ...real,
    findRecord: async (...args: Parameters<typeof real.findRecord>) => {
      const row = await real.findRecord(...args);
      const hook = race.afterRead;
      race.afterRead = undefined;
      if (hook && row) await hook(args[0] as Transaction<DB>, row.id);
      return row;
    },
  };
});

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

/** Extra people, called through the world's own caller factory. */
type Extra = 'watcher' | 'binAdmin';
const as = (who: Extra) => w.caller(who as unknown as Who);
const extra = {} as Record<Extra, string>;
/** Bin records: binAdmin's own, one in binAdmin's department, one outside it (only read, never restored). */
const bin = {} as Record<'own' | 'dept' | 'out', string>;

beforeAll(async () => {
  const groupWithGrant = async (name: string, grant: unknown) => {
    const g = await t.db.insertInto('groups').values({ name }).returning('id').executeTakeFirstOrThrow();
    await t.db.insertInto('grants').values({ form_id: w.formId, group_id: g.id, grant: JSON.stringify(grant) }).execute();
    return g.id;
  };
  // Sees every record, may change and delete only their own: "visible but not editable" exists.
  const watchers = await groupWithGrant('观察员', { actions: { view: { scope: 'all' }, create: {}, edit: { scope: 'own' }, delete: { scope: 'own' } }, fields: { '*': 'write' } });
  // An admin whose bin is their department, who may delete (and so restore) only their own records.
  const keepers = await groupWithGrant('回收站管理', { actions: { view: { scope: 'department' }, delete: { scope: 'own' } }, fields: { '*': 'read' } });
  const user = async (who: Extra, dept: string, group: string, isAdmin: boolean) => {
    const u = await t.db
      .insertInto('users')
      .values({ email: `${who}@example.com`, name: who, password_hash: 'x', department_id: dept, is_admin: isAdmin })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('group_members').values({ group_id: group, user_id: u.id }).execute();
    (w.users as Record<string, string>)[who] = u.id;
    extra[who] = u.id;
  };
  await user('watcher', w.departments.sales2, watchers, false);
  await user('binAdmin', w.departments.sales1, keepers, true);

  bin.own = await deletedRecord(extra.binAdmin, w.departments.sales1, '回收站-自己的');
  bin.dept = await deletedRecord(w.users.sales2, w.departments.sales1, '回收站-本部门');
  bin.out = await deletedRecord(w.users.sales3, w.departments.sales2, '回收站-外部门');
});

/** A record already in the recycle bin. */
const deletedRecord = async (owner: string, dept: string, name: string) => {
  const id = randomUUID();
  await t.db
    .insertInto('records')
    .values({
      id,
      form_id: w.formId,
      form_version: 1,
      values: JSON.stringify({ name }),
      owner_id: owner,
      department_id: dept,
      created_by: owner,
      deleted_at: new Date(),
      deleted_by: owner,
    })
    .execute();
  return id;
};
/** A fresh record of the watcher's own, for a test that edits or deletes it: no test depends on another's edits. */
const watchersOwn = async (notes?: string) =>
  (await createRecord(as('watcher'), { formId: w.formId, values: { name: '观察员的客户', phone: '13912340001', ...(notes ? { notes } : {}) } })).id;

const stored = (id: string) =>
  t.db.selectFrom('records').select(['version', 'owner_id', 'values', 'deleted_at']).where('id', '=', id).executeTakeFirstOrThrow();

const lastAudit = (action: string, actor: string) =>
  t.db.selectFrom('audit_events').selectAll().where('action', '=', action).where('actor_id', '=', actor).orderBy('id', 'desc').executeTakeFirstOrThrow();

describe('UPDATE carries the edit scope', () => {
  it('a record visible but outside the edit scope is 403 and nothing is written, whatever the version', async () => {
    const theirs = w.records.sales1[0];
    const before = await stored(theirs);
    for (const version of [before.version, before.version + 5]) {
      const p = updateRecord(as('watcher'), { formId: w.formId, recordId: theirs, version, values: { notes: '越权修改' } });
      expect(await codeOf(p)).toBe('forbidden');
    }
    // Invalid values on a record one may not edit: still the honest 403, not field errors.
    expect(await codeOf(updateRecord(as('watcher'), { formId: w.formId, recordId: theirs, version: before.version, values: { level: 'Z' } }))).toBe('forbidden');
    expect(await stored(theirs)).toEqual(before);
    expect((await lastAudit('records.update', extra.watcher)).outcome).toBe('denied');
  });

  it('a record outside the view scope is 404, like one that does not exist', async () => {
    const p = updateRecord(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales3[0], version: 1, values: { notes: 'x' } });
    expect(await codeOf(p)).toBe('not_found');
  });

  it('a stale version of an editable record is 409', async () => {
    const watched = await watchersOwn('起初');
    const rec = await getRecord(as('watcher'), { formId: w.formId, recordId: watched });
    const ok = await updateRecord(as('watcher'), { formId: w.formId, recordId: watched, version: rec.version, values: { notes: '第一次' } });
    expect(ok.version).toBe(rec.version + 1);
    expect(await codeOf(updateRecord(as('watcher'), { formId: w.formId, recordId: watched, version: rec.version, values: { notes: '旧版本' } }))).toBe('conflict');
    expect(((await stored(watched)).values as { notes: string }).notes).toBe('第一次');
  });

  it('an owner change between the read and the write cannot let the write escape', async () => {
    const watched = await watchersOwn('第一次');
    const rec = await getRecord(as('watcher'), { formId: w.formId, recordId: watched });
    // Reassigned to sales1 by someone else after the edit read it, without a
    // version bump (a bulk reassignment): only the UPDATE's scope stops it.
    // Made as the system: row-level security would refuse it as the watcher (it gives the record away).
    race.afterRead = async (db, id) => {
      const { me } = (await sql<{ me: string }>`select current_setting('app.user_id') as me, set_config('app.user_id', ${SYSTEM_USER_ID}, true)`.execute(db)).rows[0];
      await db.updateTable('records').set({ owner_id: w.users.sales1, department_id: w.departments.sales1 }).where('id', '=', id).execute();
      await sql`select set_config('app.user_id', ${me}, true)`.execute(db);
    };
    const p = updateRecord(as('watcher'), { formId: w.formId, recordId: watched, version: rec.version, values: { notes: '改给别人之后' } });
    // Still visible to the watcher (view: all), no longer theirs: 403.
    expect(await codeOf(p)).toBe('forbidden');
    expect(race.afterRead).toBeUndefined(); // the hook did run
    const row = await stored(watched);
    expect((row.values as { notes?: string }).notes).toBe('第一次');
    expect(row.version).toBe(rec.version);
    // (The failed operation rolled back, reassignment included: the record is still the watcher's.)
    expect(row.owner_id).toBe(extra.watcher);
  });
});

describe('soft DELETE carries the delete scope', () => {
  it('a record visible but outside the delete scope is 403 and stays', async () => {
    expect(await codeOf(deleteRecord(as('watcher'), { formId: w.formId, recordId: w.records.sales2[0] }))).toBe('forbidden');
    expect((await stored(w.records.sales2[0])).deleted_at).toBeNull();
  });

  it('a record outside the view scope is 404 and stays', async () => {
    expect(await codeOf(deleteRecord(w.caller('lead1'), { formId: w.formId, recordId: w.records.sales3[0] }))).toBe('not_found');
    expect((await stored(w.records.sales3[0])).deleted_at).toBeNull();
  });

  it('a stale version is 409 and the record stays; the current one deletes', async () => {
    const watched = await watchersOwn();
    await updateRecord(as('watcher'), { formId: w.formId, recordId: watched, version: 1, values: { notes: '改过一次' } });
    const row = await stored(watched);
    expect(await codeOf(deleteRecord(as('watcher'), { formId: w.formId, recordId: watched, version: row.version - 1 }))).toBe('conflict');
    expect((await stored(watched)).deleted_at).toBeNull();
    await deleteRecord(as('watcher'), { formId: w.formId, recordId: watched, version: row.version });
    expect((await stored(watched)).deleted_at).not.toBeNull();
    // Deleted is gone: a second delete is 404.
    expect(await codeOf(deleteRecord(as('watcher'), { formId: w.formId, recordId: watched }))).toBe('not_found');
  });
});

describe('the recycle bin carries its scope', () => {
  it('lists only deleted records inside the view scope', async () => {
    const ids = (await listDeletedRecords(as('binAdmin'), { formId: w.formId })).map((r) => r.id);
    expect(ids).toContain(bin.own);
    expect(ids).toContain(bin.dept);
    expect(ids).not.toContain(bin.out);
    // Everything listed really is in binAdmin's department.
    const depts = await t.db.selectFrom('records').select('department_id').where('id', 'in', ids).execute();
    expect(new Set(depts.map((d) => d.department_id))).toEqual(new Set([w.departments.sales1]));
  });

  it('restore outside the view scope is 404, visible but outside the delete scope is 403; both stay deleted', async () => {
    expect(await codeOf(restoreRecord(as('binAdmin'), { formId: w.formId, recordId: bin.out }))).toBe('not_found');
    expect((await stored(bin.out)).deleted_at).not.toBeNull();
    expect(await codeOf(restoreRecord(as('binAdmin'), { formId: w.formId, recordId: bin.dept }))).toBe('forbidden');
    expect((await stored(bin.dept)).deleted_at).not.toBeNull();
  });

  it('restores a record inside the delete scope', async () => {
    // Its own deleted record: the list test above still finds bin.own in the bin whatever the order.
    const mine = await deletedRecord(extra.binAdmin, w.departments.sales1, '回收站-待恢复');
    await restoreRecord(as('binAdmin'), { formId: w.formId, recordId: mine });
    expect((await stored(mine)).deleted_at).toBeNull();
    expect(await codeOf(restoreRecord(as('binAdmin'), { formId: w.formId, recordId: mine }))).toBe('not_found');
  });
});
