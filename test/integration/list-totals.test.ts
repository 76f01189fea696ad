/**
 * A list's total is counted once and reused while the form's records stay as they were
 * (lib/records/list-totals.ts, migration 2026-12-02-0003): any write to the form's records,
 * through an operation or straight in SQL, makes the next page count again, and a total is
 * never reused for another user, another scope or another search.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type Who, type World } from '../helpers/world';
import { useDatabase } from '@/lib/db/connection';
import { createRecord, deleteRecord, listRecords } from '@/lib/records/operations';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

/** The count statements the app sends while installed (executed: a compile() alone does not count). */
let counts = 0;
const countsRecords = (n: RootOperationNode) => {
  const text = JSON.stringify(n);
  return text.includes('"name":"records"') && text.includes('count(*)');
};
const counting = new WeakSet<object>();
const recorder: KyselyPlugin = {
  transformQuery: (args) => (countsRecords(args.node) && counting.add(args.queryId), args.node),
  transformResult: async (args) => (counting.has(args.queryId) && counts++, args.result),
};
beforeEach(() => {
  counts = 0;
  useDatabase(t.db.withPlugin(recorder) as typeof t.db);
});
afterEach(() => useDatabase(t.db));

/** The total `who` is shown, and whether that page counted. */
async function total(who: Who, extra: { page?: number; q?: string } = {}): Promise<{ total: number; counted: boolean }> {
  const before = counts;
  const page = await listRecords(w.caller(who), { formId: w.formId, pageSize: 2, ...extra });
  return { total: page.total, counted: counts > before };
}

/** Live records of the form owned by sales1, counted by the database owner (no RLS, no app). */
async function sales1Live(): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from records where form_id = ${w.formId}::uuid and deleted_at is null and owner_id = ${w.users.sales1}::uuid`.execute(t.db);
  return r.rows[0].n;
}

describe("a list's total", () => {
  it('is counted once while nothing changes, and counted again after any write, by whatever path', async () => {
    expect(await total('sales1')).toEqual({ total: await sales1Live(), counted: true });
    // Paging and coming back reuse it.
    expect(await total('sales1', { page: 2 })).toEqual({ total: 3, counted: false });
    expect(await total('sales1')).toEqual({ total: 3, counted: false });

    // An operation's write: sales1 creates a customer.
    const created = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '新客户', phone: '13700001234' } });
    expect(await total('sales1')).toEqual({ total: 4, counted: true });
    // Someone else's write to the same form: the manager deletes one of sales1's customers.
    await deleteRecord(w.caller('manager'), { formId: w.formId, recordId: created.id });
    expect(await total('sales1')).toEqual({ total: 3, counted: true });

    // Writes straight in SQL, as the database owner (a migration, a hand-run fix): the
    // triggers give the form a new version all the same.
    await sql`update records set owner_id = ${w.users.sales2}::uuid where id = ${w.records.sales1[0]}::uuid`.execute(t.db);
    expect(await total('sales1')).toEqual({ total: 2, counted: true });
    await sql`insert into records (form_id, form_version, values, owner_id, department_id, created_by)
      select ${w.formId}::uuid, 1, jsonb_build_object('name', 'bulk' || g), ${w.users.sales1}::uuid, ${w.departments.sales1}::uuid, ${w.users.sales1}::uuid
      from generate_series(1, 3) g`.execute(t.db);
    expect(await total('sales1')).toEqual({ total: 5, counted: true });
    await sql`delete from records where form_id = ${w.formId}::uuid and values->>'name' like 'bulk%'`.execute(t.db);
    expect(await total('sales1')).toEqual({ total: 2, counted: true });
    expect(await sales1Live()).toBe(2);
    await sql`update records set owner_id = ${w.users.sales1}::uuid where id = ${w.records.sales1[0]}::uuid`.execute(t.db);
    expect(await total('sales1')).toEqual({ total: 3, counted: true });
  });

  it('counts again when the scope changes: a new grant is a different question', async () => {
    expect((await total('sales1')).total).toBe(await sales1Live());
    const sales = await t.db.selectFrom('groups').select('id').where('name', '=', '销售').executeTakeFirstOrThrow();
    const before = await t.db.selectFrom('grants').select('grant').where('group_id', '=', sales.id).where('form_id', '=', w.formId).executeTakeFirstOrThrow();
    const widened = { ...(before.grant as object), actions: { view: { scope: 'all' } } };
    await t.db.updateTable('grants').set({ grant: JSON.stringify(widened) }).where('group_id', '=', sales.id).where('form_id', '=', w.formId).execute();
    try {
      const all = await sql<{ n: number }>`select count(*)::int as n from records where form_id = ${w.formId}::uuid and deleted_at is null`.execute(t.db);
      expect(await total('sales1')).toEqual({ total: all.rows[0].n, counted: true });
    } finally {
      await t.db.updateTable('grants').set({ grant: JSON.stringify(before.grant) }).where('group_id', '=', sales.id).where('form_id', '=', w.formId).execute();
    }
    // Back to the old grant: the old question, and the records are as they were when it was
    // counted, so its total still holds.
    expect(await total('sales1')).toEqual({ total: await sales1Live(), counted: false });
  });

  it("is never another user's or another search's: each is counted for itself", async () => {
    // 客服 and the manager both see every record of the form: the same statement, counted
    // under a different database identity, so each counts for itself.
    expect((await total('support')).counted).toBe(true);
    expect((await total('manager')).counted).toBe(true);
    expect((await total('support')).counted).toBe(false);
    expect((await total('manager')).counted).toBe(false);
    // Another search is another question.
    const searched = await total('support', { q: 'sales2' });
    expect(searched).toEqual({ total: 3, counted: true });
    expect(await total('support', { q: 'sales2' })).toEqual({ total: 3, counted: false });
    expect((await total('support', { q: 'sales3' })).counted).toBe(true);
  });
});
