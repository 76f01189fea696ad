/**
 * What the records list costs: the UI's default page (updatedAt desc, id
 * desc) is served by an index in that order for every row scope, the scope's
 * owner or department is that index's condition (not a filter over every
 * record of the form), and the admin's form list counts records in one
 * statement, not one per form.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type Who, type World } from '../helpers/world';
import { builtUnderLimit, outermost, sortsUnderLimit, type PlanNode } from '../helpers/plans';
import { useDatabase, type Database } from '@/lib/db/connection';
import { listRecords } from '@/lib/records/operations';
import { listFormsForAdmin } from '@/lib/forms/operations';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

/** Every statement the app sends while installed, as Kysely's query tree. */
const seen: RootOperationNode[] = [];
const recorder: KyselyPlugin = {
  transformQuery: (args) => (seen.push(args.node), args.node),
  transformResult: async (args) => args.result,
};
function recordStatements(): Database {
  seen.length = 0;
  const db = t.db.withPlugin(recorder) as Database;
  useDatabase(db);
  return db;
}
afterEach(() => useDatabase(t.db));

const readsRecords = (n: RootOperationNode) => JSON.stringify(n).includes('"name":"records"');

describe("the list's default order has an index", () => {
  // The records page asks for exactly this (app/(app)/apps/[formId]/page.tsx).
  const uiDefault = { page: 1, pageSize: 20, sort: 'updatedAt', order: 'desc' } as const;
  let bulkForm: string;
  /** A key account manager: sees only their own VIP customers, by a condition scope with `$me`. */
  let vipSeller: Who;
  beforeAll(async () => {
    // A form of its own with the same grants and 6,000 records over every user, analysed,
    // so the planner weighs the indexes as it would on real data.
    const f = await t.db.insertInto('forms').values({ name: '大表单', draft: '{}', published_version: 1 }).returning('id').executeTakeFirstOrThrow();
    bulkForm = f.id;
    await sql`insert into form_versions (form_id, version, schema) select ${bulkForm}::uuid, 1, schema from form_versions where form_id = ${w.formId}::uuid`.execute(t.db);
    await sql`insert into grants (form_id, group_id, "grant") select ${bulkForm}::uuid, group_id, "grant" from grants where form_id = ${w.formId}::uuid`.execute(t.db);
    await sql`insert into records (form_id, form_version, values, owner_id, department_id, created_by, created_at, updated_at)
      select ${bulkForm}::uuid, 1, jsonb_build_object('name', 'c' || g, 'level', case when (g / 8) % 10 = 0 then 'VIP' else 'B' end), u.id, u.department_id, u.id,
             now() - make_interval(mins => g), now() - make_interval(mins => (g * 7919) % 6000)
      from generate_series(1, 6000) g
      join (select id, department_id, row_number() over (order by id) - 1 as n, count(*) over () as k from users) u on u.n = g % u.k`.execute(t.db);
    const vip = await t.db.insertInto('groups').values({ name: '销售-VIP' }).returning('id').executeTakeFirstOrThrow();
    const vipScope = { all: [{ field: 'level', eq: 'VIP' }, { field: 'owner', eq: '$me' }] };
    await t.db
      .insertInto('grants')
      .values({ form_id: bulkForm, group_id: vip.id, grant: JSON.stringify({ actions: { view: { scope: vipScope } }, fields: { '*': 'read' } }) })
      .execute();
    // `nobody` holds no other grant, so the condition is its whole scope. Every user owns some
    // VIP records: one in ten of each user's rows (the owners take turns, g % users).
    vipSeller = 'nobody';
    await t.db.insertInto('group_members').values({ group_id: vip.id, user_id: w.users[vipSeller] }).execute();
    await sql`analyze records`.execute(t.db);
  });

  /** Every index scan on records in a JSON plan, with its index and condition. */
  const indexScans = (plan: unknown): { index: string; cond: string }[] => {
    const out: { index: string; cond: string }[] = [];
    const walk = (n: Record<string, unknown>) => {
      if (n['Relation Name'] === 'records' && typeof n['Index Name'] === 'string') out.push({ index: n['Index Name'], cond: String(n['Index Cond'] ?? '') });
      for (const c of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(c);
    };
    walk((plan as { Plan: Record<string, unknown> }[])[0].Plan);
    return out;
  };

  for (const [who, index, column] of [
    ['sales1', 'records_owner_updated_idx', 'owner_id'],
    ['lead1', 'records_department_updated_idx', 'department_id'],
    ['support', 'records_all_updated_idx', undefined],
    ['vipSeller', 'records_owner_updated_idx', 'owner_id'],
  ] as const) {
    it(`${who}'s default page reads ${index} in order, with no sort step${column ? `, ${column} as its index condition` : ''}`, async () => {
      const db = recordStatements();
      const page1 = await listRecords(w.caller(who === 'vipSeller' ? vipSeller : who), { formId: bulkForm, ...uiDefault });
      expect(page1.items).toHaveLength(20);
      useDatabase(t.db);
      const page = outermost(seen.filter((n) => n.kind === 'SelectQueryNode' && readsRecords(n) && JSON.stringify(n).includes('"limit"')));
      expect(page).toHaveLength(1);
      const compiled = db.getExecutor().compileQuery(page[0], { queryId: 'explain' });
      // Nine rows would be read sequentially by any planner: forbid that, so the plan shows
      // whether an index can deliver the order (if none can, a Sort node appears instead).
      const plan = await t.db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        await sql`set local enable_bitmapscan = off`.execute(trx);
        const res = await trx.executeQuery<{ 'QUERY PLAN': unknown }>({ ...compiled, sql: `explain (format json, verbose) ${compiled.sql}`, query: compiled.query });
        return res.rows[0]['QUERY PLAN'];
      });
      const text = JSON.stringify(plan);
      expect(text).toContain(index);
      // The count subquery aggregates; the scan delivers the page in order (no Sort under the Limit).
      expect(sortsUnderLimit((plan as { Plan: PlanNode }[])[0].Plan)).toEqual([]);
      // The shown fields are built as JSON for the page's rows only, above the Limit: never for
      // the rows the offset skips.
      expect(builtUnderLimit((plan as { Plan: PlanNode }[])[0].Plan, 'jsonb_build_object')).toEqual([]);
      // The page and its count both find the scope's rows through the index, rather than
      // reading the whole form in order and filtering (a scope the planner cannot see into).
      const scans = indexScans(plan);
      expect(scans.length).toBeGreaterThanOrEqual(2);
      if (column) for (const s of scans) expect(s.cond).toContain(`${column} =`);
    });
  }
});

describe("the admin's form list", () => {
  const extraForms: string[] = [];
  beforeAll(async () => {
    // The admin joins 管理者 (view all), and sees three more forms with a record each.
    const managers = await t.db.selectFrom('groups').select('id').where('name', '=', '管理者').executeTakeFirstOrThrow();
    await t.db.insertInto('group_members').values({ group_id: managers.id, user_id: w.users.admin }).execute();
    const schema = await t.db.selectFrom('form_versions').select('schema').where('form_id', '=', w.formId).executeTakeFirstOrThrow();
    for (let i = 0; i < 3; i++) {
      const f = await t.db.insertInto('forms').values({ name: `表单${i}`, draft: JSON.stringify(schema.schema), published_version: 1 }).returning('id').executeTakeFirstOrThrow();
      await t.db.insertInto('form_versions').values({ form_id: f.id, version: 1, schema: JSON.stringify(schema.schema) }).execute();
      // The first extra form grants only "own" to the admin's group: its count is the admin's own records (none).
      const grant = i === 0 ? { actions: { view: { scope: 'own' } }, fields: { '*': 'read' } } : { actions: { view: { scope: 'all' } }, fields: { '*': 'read' } };
      await t.db.insertInto('grants').values({ form_id: f.id, group_id: managers.id, grant: JSON.stringify(grant) }).execute();
      for (let j = 0; j <= i; j++) {
        await t.db
          .insertInto('records')
          .values({ form_id: f.id, form_version: 1, values: JSON.stringify({ name: `r${j}` }), owner_id: w.users.sales1, department_id: w.departments.sales1, created_by: w.users.sales1 })
          .execute();
      }
      extraForms.push(f.id);
    }
    // Not counted: deleted records, and forms without a view grant.
    await t.db.insertInto('records').values({ form_id: extraForms[2], form_version: 1, values: '{}', owner_id: w.users.sales1, created_by: w.users.sales1, deleted_at: new Date() }).execute();
    await t.db.insertInto('forms').values({ name: '无授权表单', draft: JSON.stringify(schema.schema) }).execute();
  });

  it('counts every form under its own view scope in one statement', async () => {
    recordStatements();
    const forms = await listFormsForAdmin(w.caller('admin'), {});
    useDatabase(t.db);
    const counts = Object.fromEntries(forms.map((f) => [f.name, f.recordCount]));
    expect(counts).toMatchObject({ 客户: 9, 表单0: 0, 表单1: 2, 表单2: 3, 无授权表单: null });
    expect(seen.filter(readsRecords)).toHaveLength(1);
  });
});
