/**
 * Exact search on encrypted fields through the GIN index, with row-level security on.
 *
 * Under RLS a predicate with an operator that is not leakproof (jsonb `@>` is not) must wait for
 * the policies, so PostgreSQL cannot use an index for it: the lookup became a scan of every
 * record in the caller's scope (120 ms over 客服's 100,000, against 0.9 ms for the raw query).
 * This function answers only "which records of this form hold this digest", as ids, from the
 * index. The caller's query then reads those rows by primary key, with every policy applied
 * to them as to any other row. The ids never reach the caller by themselves, and asking needs
 * a digest, which needs the blind-index key.
 */
import { sql, type Kysely } from 'kysely';
import { APP_ROLE } from './2026-12-02-0001-app-role-and-rls';

const SYSTEM_ID = '00000000-0000-0000-0000-000000000000';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function fw_rls.records_with_digest(p_form uuid, p_match jsonb) returns uuid[] language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := coalesce(current_setting('app.user_id', true), '');
      ids uuid[];
    begin
      -- The owner is bound by the FORCEd policies too: look as the system, then hand back.
      perform set_config('app.user_id', ${sql.lit(SYSTEM_ID)}, true);
      select coalesce(array_agg(r.id), '{}') into ids from public.records r where r.form_id = p_form and r.blind_index @> p_match;
      perform set_config('app.user_id', caller, true);
      return ids;
    end $$`.execute(db);
  await sql`revoke all on function fw_rls.records_with_digest(uuid, jsonb) from public`.execute(db);
  await sql`grant execute on function fw_rls.records_with_digest(uuid, jsonb) to ${sql.id(APP_ROLE)}`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists fw_rls.records_with_digest(uuid, jsonb)`.execute(db);
}
