/**
 * Keys for the long run and durable background jobs (issue 7).
 *
 * `encryption_keys` learns its life cycle: `encryptions` counts (by reservation, see
 * lib/crypto/keyring.ts) the values sealed under a version, so the keyring warns long before
 * AES-GCM's limit for random nonces; `retired_at` marks a version that nothing uses any more,
 * which then opens nothing (a value still under it fails closed). The application's role may
 * add to the count and retire a version, never rewrite a wrapped key: column privileges.
 *
 * `jobs` holds work that must survive the process (lib/jobs): claimed with FOR UPDATE SKIP
 * LOCKED under a lease, so any number of instances share it and none runs a batch another
 * holds; each batch commits its work together with the job's checkpoint and progress, so a
 * killed process resumes exactly where the last committed batch ended. `params` and
 * `checkpoint` hold ids and counts, never a record value.
 */
import { sql, type Kysely } from 'kysely';
import { APP_ROLE } from './2026-12-02-0001-app-role-and-rls';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const role = sql.id(APP_ROLE);
  await sql`alter table encryption_keys
    add column encryptions bigint not null default 0,
    add column retired_at timestamptz`.execute(db);
  await sql`grant update (encryptions, retired_at) on encryption_keys to ${role}`.execute(db);

  await sql`
    create table jobs (
      id uuid primary key default gen_random_uuid(),
      kind text not null,
      params jsonb not null default '{}',
      state text not null default 'queued' check (state in ('queued', 'running', 'done', 'failed', 'cancelled')),
      -- At most one queued or running job per key (e.g. one re-encryption at a time).
      singleton text,
      checkpoint jsonb,
      done bigint not null default 0,
      total bigint,
      -- Records per second, a moving average over the batches.
      rate double precision,
      run_after timestamptz not null default now(),
      lease uuid,
      leased_by text,
      lease_expires_at timestamptz,
      attempts integer not null default 0,
      -- An error code or class, never a message that could carry a value.
      error text,
      created_by uuid,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      progressed_at timestamptz,
      finished_at timestamptz
    )`.execute(db);
  await sql`create index jobs_claimable_idx on jobs (run_after) where state in ('queued', 'running')`.execute(db);
  await sql`create unique index jobs_singleton_idx on jobs (singleton) where state in ('queued', 'running')`.execute(db);
  await sql`create index jobs_created_idx on jobs (created_at desc)`.execute(db);
  await sql`grant select, insert, update on jobs to ${role}`.execute(db);

  // Per key version, how many stored values (records live or deleted) are sealed under it:
  // what `fw keys status` shows and what retiring a version waits for. Administrators and the
  // system only; counts, never values.
  await sql`
    create function fw_rls.values_by_key_version() returns jsonb language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := fw_rls.enter_privileged();
      result jsonb;
    begin
      select coalesce(jsonb_object_agg(v.version, v.n), '{}') into result from (
        select split_part(e.value #>> '{}', '.', 2) as version, count(*) as n
        from public.records r cross join lateral jsonb_each(r."values") e
        where jsonb_typeof(e.value) = 'string' and (e.value #>> '{}') ~ '^fw[0-9]+\\.[0-9]+\\.'
        group by 1) v;
      perform set_config('app.user_id', caller, true);
      return result;
    end $$`.execute(db);
  // A data key wrapped anew under a new master key (fw keys rotate-master): the role may not
  // write wrapped keys itself, so an injected statement cannot swap one.
  await sql`
    create function fw_rls.rewrap_data_key(p_version integer, p_wrapped text) returns void language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := fw_rls.enter_privileged();
    begin
      update public.encryption_keys set wrapped_key = p_wrapped where version = p_version;
      perform set_config('app.user_id', caller, true);
    end $$`.execute(db);
  for (const f of ['fw_rls.values_by_key_version()', 'fw_rls.rewrap_data_key(integer, text)']) {
    await sql`revoke all on function ${sql.raw(f)} from public`.execute(db);
    await sql`grant execute on function ${sql.raw(f)} to ${role}`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists fw_rls.values_by_key_version()`.execute(db);
  await sql`drop function if exists fw_rls.rewrap_data_key(integer, text)`.execute(db);
  await sql`drop table if exists jobs`.execute(db);
  await sql`alter table encryption_keys drop column if exists encryptions, drop column if exists retired_at`.execute(db);
}
