/**
 * Condition grants read the row's facts from a stored column instead of building them per row.
 *
 * A condition grant's jsonpath (fw_rls.condition_paths) reads the record's values and, as the
 * variables $f, $o and $d, its form, owner and department. The policies built that variables
 * object for every row they looked at (`jsonb_build_object(…)`, ~3 µs a row): a salesperson with
 * a condition scope paid it for every own customer scanned, where the raw query paid nothing.
 * `records.rls_facts` holds the same object, computed by PostgreSQL when the row is written (a
 * generated column: no code path can store other facts than the row's own), and the policies
 * read it. Same predicate, same semantics as 2026-12-02-0001-app-role-and-rls.
 */
import { sql, type Kysely } from 'kysely';
import { FACTS_BUILT_PER_ROW, recordPolicies } from './2026-12-02-0001-app-role-and-rls';

async function alterPolicies(db: Kysely<unknown>, facts: string) {
  const p = recordPolicies(facts);
  await sql`alter policy records_select on records using (${p.selectUsing})`.execute(db);
  await sql`alter policy records_insert on records with check (${p.insertCheck})`.execute(db);
  await sql`alter policy records_update on records using (${p.updateUsing}) with check (${p.updateCheck})`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // jsonb_build_object is only STABLE (some types print by settings); uuids print the same
  // always, so this use of it is immutable, as a generated column requires.
  await sql`create function fw_rls.row_facts(form_id uuid, owner_id uuid, department_id uuid) returns jsonb
    language sql immutable as $$ select ${sql.raw(FACTS_BUILT_PER_ROW)} $$`.execute(db);
  await sql`alter table records add column rls_facts jsonb generated always as (fw_rls.row_facts(form_id, owner_id, department_id)) stored`.execute(db);
  await alterPolicies(db, '"rls_facts"');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await alterPolicies(db, FACTS_BUILT_PER_ROW);
  await sql`alter table records drop column if exists rls_facts`.execute(db);
  await sql`drop function if exists fw_rls.row_facts(uuid, uuid, uuid)`.execute(db);
}
