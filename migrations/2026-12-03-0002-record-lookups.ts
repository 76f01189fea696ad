/**
 * Exact search on encrypted fields at any size, with row-level security on.
 *
 * Migration 2026-12-02-0008 answered "which records of this form hold this digest" from the GIN
 * index on `records.blind_index` inside a definer function. That holds only when the function's
 * owner bypasses row-level security (a superuser): for the production shape, an ordinary owner
 * under FORCEd policies, the policies still wrapped the scan, jsonb `@>` is not leakproof, and
 * the lookup read every record of the form (1.5 s among 1,000,000).
 *
 * `record_lookups` is that index as a table of its own, with no policy and no grant to the
 * application's role: one row per digest (record, field, digest), kept equal to
 * `records.blind_index` by a trigger, read only through `fw_rls.records_with_lookup`, which
 * answers ids by a btree. The caller's query then reads those rows by primary key with every
 * policy applied, as before. A digest says nothing without the blind-index key, and asking needs
 * one; the ids never reach the caller by themselves.
 */
import { sql, type Kysely } from 'kysely';
import { APP_ROLE } from './2026-12-02-0001-app-role-and-rls';
import * as blindIndexLookup from './2026-12-02-0008-blind-index-lookup';

const SYSTEM_ID = '00000000-0000-0000-0000-000000000000';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const role = sql.id(APP_ROLE);
  await sql`
    create table record_lookups (
      record_id uuid not null references records(id) on delete cascade,
      form_id uuid not null,
      field text not null,
      digest text not null,
      primary key (record_id, field)
    )`.execute(db);
  await sql`create index record_lookups_digest_idx on record_lookups (form_id, field, digest)`.execute(db);
  await sql`revoke all on record_lookups from public`.execute(db);

  // Runs as the owner: the application's role may not write the table itself.
  await sql`
    create function fw_rls.sync_record_lookups() returns trigger language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    begin
      if tg_op = 'UPDATE' then
        if new.blind_index is not distinct from old.blind_index then return null; end if;
        delete from public.record_lookups where record_id = new.id;
      end if;
      insert into public.record_lookups (record_id, form_id, field, digest)
        select new.id, new.form_id, e.key, e.value from jsonb_each_text(new.blind_index) e;
      return null;
    end $$`.execute(db);
  await sql`revoke all on function fw_rls.sync_record_lookups() from public`.execute(db);
  await sql`create trigger records_sync_lookups after insert or update of blind_index on records
    for each row execute function fw_rls.sync_record_lookups()`.execute(db);

  await sql`
    create function fw_rls.records_with_lookup(p_form uuid, p_field text, p_digest text) returns uuid[] language sql stable
      security definer set search_path = pg_catalog, public, pg_temp as $$
      select coalesce(array_agg(l.record_id), '{}') from public.record_lookups l
      where l.form_id = p_form and l.field = p_field and l.digest = p_digest
    $$`.execute(db);
  await sql`revoke all on function fw_rls.records_with_lookup(uuid, text, text) from public`.execute(db);
  await sql`grant execute on function fw_rls.records_with_lookup(uuid, text, text) to ${role}`.execute(db);

  // Counts per blind-index version from the same table (fw keys status, the rebuild's last count).
  await sql`
    create or replace function fw_rls.digests_by_lookup_version() returns jsonb language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := fw_rls.enter_privileged();
      result jsonb;
    begin
      select coalesce(jsonb_object_agg(v.version, v.n), '{}') into result from (
        select split_part(l.digest, '.', 1) as version, count(*) as n from public.record_lookups l group by 1) v;
      perform set_config('app.user_id', caller, true);
      return result;
    end $$`.execute(db);

  // The digests stored so far; read as the system, which every policy admits.
  await sql`
    do $$ declare caller text := coalesce(current_setting('app.user_id', true), ''); begin
      perform set_config('app.user_id', ${sql.lit(SYSTEM_ID)}, true);
      insert into record_lookups (record_id, form_id, field, digest)
        select r.id, r.form_id, e.key, e.value from records r cross join lateral jsonb_each_text(r.blind_index) e;
      perform set_config('app.user_id', caller, true);
    end $$`.execute(db);

  // Superseded: nothing asks the jsonb column by containment any more.
  await sql`drop function if exists fw_rls.records_with_digest(uuid, jsonb)`.execute(db);
  await sql`drop index if exists records_blind_index_idx`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists records_blind_index_idx on records using gin (blind_index jsonb_path_ops)`.execute(db);
  // What the previous migrations' code asks for again: the containment lookup, and the counts from the column.
  await blindIndexLookup.up(db);
  await sql`
    create or replace function fw_rls.digests_by_lookup_version() returns jsonb language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := fw_rls.enter_privileged();
      result jsonb;
    begin
      select coalesce(jsonb_object_agg(v.version, v.n), '{}') into result from (
        select split_part(e.value, '.', 1) as version, count(*) as n
        from public.records r cross join lateral jsonb_each_text(r.blind_index) e
        group by 1) v;
      perform set_config('app.user_id', caller, true);
      return result;
    end $$`.execute(db);
  await sql`drop function if exists fw_rls.records_with_lookup(uuid, text, text)`.execute(db);
  await sql`drop trigger if exists records_sync_lookups on records`.execute(db);
  await sql`drop function if exists fw_rls.sync_record_lookups()`.execute(db);
  await sql`drop table if exists record_lookups`.execute(db);
}
