/**
 * The principal's statement, which every operation runs first, is kept prepared on
 * PostgreSQL (lib/db/connection.ts PREPARED): parsed and planned once per connection, then
 * run from a generic plan, where planning it each time cost ~1 ms, four times its run.
 * PostgreSQL only: PGlite has no named statements (there the marker is a comment, and every
 * other test runs through it).
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type World } from '../helpers/world';
import { openDatabase, PREPARED, useDatabase } from '@/lib/db/connection';
import { listRecords } from '@/lib/records/operations';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

describe.runIf(process.env.FW_TEST_DB === 'postgres')('the principal statement on PostgreSQL', () => {
  it('is prepared once per connection and then runs from a generic plan, for each credential', async () => {
    // One connection, so the session that prepared is the one asked.
    const one = await openDatabase({ kind: 'postgres', url: t.url!, poolSize: 1 }, { migrate: false });
    useDatabase(one);
    try {
      for (let i = 0; i < 8; i++) {
        expect((await listRecords(w.tokenCaller('sales1'), { formId: w.formId })).total).toBe(3);
        expect((await listRecords(w.caller('sales2'), { formId: w.formId })).total).toBe(3);
      }
      const prepared = await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
        select statement, generic_plans::int, custom_plans::int from pg_prepared_statements where name like 'fw\\_%'`.execute(one);
      // One for the API token, one for the system caller acting as a user.
      expect(prepared.rows).toHaveLength(2);
      for (const p of prepared.rows) {
        expect(p.statement.startsWith(PREPARED)).toBe(true);
        expect(p.generic_plans + p.custom_plans).toBe(8);
        expect(p.generic_plans).toBeGreaterThan(0);
      }
    } finally {
      useDatabase(t.db);
      await one.destroy();
    }
  });
});
