/**
 * Row-level security keeps the scoped list fast (issue 6 item 9): the salesperson's page, as
 * record-query builds it (form_id = X and owner_id = me, newest first, 20 rows), run as the
 * application's role with the policies on, still reads an index in order, never the whole
 * table. The policies add only per-statement initplans and array tests per row.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type Who, type World } from '../helpers/world';
import { outermost, sortsUnderLimit } from '../helpers/plans';
import { useDatabase, type Database } from '@/lib/db/connection';
import { APP_ROLE } from '@/lib/db/app-role';
import { listRecords } from '@/lib/records/operations';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

const seen: RootOperationNode[] = [];
const recorder: KyselyPlugin = {
  transformQuery: (args) => (seen.push(args.node), args.node),
  transformResult: async (args) => args.result,
};
afterEach(() => useDatabase(t.db));

interface PlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
/** The nodes that make the rows themselves: not the initplans (the total's count, the policies' context). */
const rowNodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).filter((c) => !/Plan$/.test(c['Parent Relationship'] ?? '')).flatMap(rowNodes)];

let bulkForm: string;
beforeAll(async () => {
  // A form of its own with the world's grants and 4,000 records spread over every user, analysed,
  // so the planner weighs the indexes as on real data.
  const f = await t.db.insertInto('forms').values({ name: '大表单', draft: '{}', published_version: 1 }).returning('id').executeTakeFirstOrThrow();
  bulkForm = f.id;
  await sql`insert into form_versions (form_id, version, schema) select ${bulkForm}::uuid, 1, schema from form_versions where form_id = ${w.formId}::uuid`.execute(t.db);
  await sql`insert into grants (form_id, group_id, "grant") select ${bulkForm}::uuid, group_id, "grant" from grants where form_id = ${w.formId}::uuid`.execute(t.db);
  await sql`insert into records (form_id, form_version, values, owner_id, department_id, created_by, created_at, updated_at)
    select ${bulkForm}::uuid, 1, jsonb_build_object('name', 'c' || g, 'level', case when g % 10 = 0 then 'VIP' else 'B' end), u.id, u.department_id, u.id,
           now() - make_interval(mins => g), now() - make_interval(mins => (g * 7919) % 4000)
    from generate_series(1, 4000) g
    join (select id, department_id, row_number() over (order by id) - 1 as n, count(*) over () as k from users) u on u.n = g % u.k`.execute(t.db);
  await sql`analyze records`.execute(t.db);
});

/** The plan of the page query the operation sent, explained as the role would run it. */
async function pagePlan(who: Who): Promise<PlanNode> {
  seen.length = 0;
  const db = t.db.withPlugin(recorder) as Database;
  useDatabase(db);
  const page = await listRecords(w.caller(who), { formId: bulkForm, pageSize: 20 });
  useDatabase(t.db);
  expect(page.items).toHaveLength(20);
  const readsRecords = (n: RootOperationNode) => JSON.stringify(n).includes('"name":"records"');
  const pages = outermost(seen.filter((n) => n.kind === 'SelectQueryNode' && readsRecords(n) && JSON.stringify(n).includes('"limit"')));
  expect(pages).toHaveLength(1);
  const compiled = db.getExecutor().compileQuery(pages[0], { queryId: 'explain' });
  return t.db.transaction().execute(async (trx) => {
    await sql`set local role ${sql.id(APP_ROLE)}`.execute(trx);
    await sql`select set_config('app.user_id', ${w.users[who]}, true)`.execute(trx);
    const res = await trx.executeQuery<{ 'QUERY PLAN': { Plan: PlanNode }[] }>({ ...compiled, sql: `explain (format json) ${compiled.sql}`, query: compiled.query });
    return res.rows[0]['QUERY PLAN'][0].Plan;
  });
}

describe('the scoped list with RLS on', () => {
  const policyApplied = (n: PlanNode) => (n.Filter ?? '').includes('jsonb_path_match'); // the policies' condition arm; the app never uses jsonpath

  it("the salesperson's page reads records_owner_idx in order, its total an index too, with the policies applied", async () => {
    const plan = await pagePlan('sales1');
    const onRecords = nodes(plan).filter((n) => n['Relation Name'] === 'records');
    expect(onRecords.length).toBeGreaterThan(0); // the page (and its total, today)
    expect(onRecords.filter((n) => !/Index/.test(n['Node Type']) && n['Node Type'] !== 'Bitmap Heap Scan')).toEqual([]);
    expect(onRecords.every(policyApplied)).toBe(true);
    const page = rowNodes(plan).filter((n) => n['Relation Name'] === 'records');
    expect(page.map((n) => [n['Node Type'], n['Index Name']])).toEqual([['Index Scan', 'records_owner_idx']]);
    expect(sortsUnderLimit(plan)).toEqual([]);
  });

  it("客服's page (all scope) reads records_all_idx in order, with the policies applied", async () => {
    const plan = await pagePlan('support');
    const page = rowNodes(plan).filter((n) => n['Relation Name'] === 'records');
    expect(page.map((n) => [n['Node Type'], n['Index Name']])).toEqual([['Index Scan', 'records_all_idx']]);
    expect(page.every(policyApplied)).toBe(true);
    // (Its total counts nearly the whole table: a sequential scan is the right plan there.)
    expect(sortsUnderLimit(plan)).toEqual([]);
  });
});
