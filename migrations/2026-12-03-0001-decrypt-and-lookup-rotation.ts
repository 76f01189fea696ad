/**
 * Issue 7, the two directions still missing:
 *   - Turning encryption off over stored values (`forms.unsealing`): the keys of a form whose
 *     sealed values a `fields.unseal` job is opening into plain text. While a key is listed,
 *     readers open a sealed value in it although the field is no longer marked encrypted, so a
 *     record reads right whichever state it is in; the job clears the key when it is done.
 *   - Rotating the blind-index key: `blind_index_keys.retired_at`. The newest version that is
 *     not retired makes the digests of new values; a lookup asks for the digests of every
 *     version not retired (a rebuild job moves the stored ones); a retired version is never
 *     asked for again. `fw_rls.rewrap_blind_key` re-wraps one under a new master key: the role
 *     may not write wrapped keys itself, so an injected statement cannot swap one.
 */
import { sql, type Kysely } from 'kysely';
import { APP_ROLE } from './2026-12-02-0001-app-role-and-rls';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const role = sql.id(APP_ROLE);
  await sql`alter table forms add column unsealing text[] not null default '{}'`.execute(db);
  await sql`alter table blind_index_keys add column retired_at timestamptz`.execute(db);
  await sql`grant update (retired_at) on blind_index_keys to ${role}`.execute(db);
  await sql`
    create function fw_rls.rewrap_blind_key(p_version integer, p_wrapped text) returns void language plpgsql
      security definer set search_path = pg_catalog, public, pg_temp as $$
    declare
      caller text := fw_rls.enter_privileged();
    begin
      update public.blind_index_keys set wrapped_key = p_wrapped where version = p_version;
      perform set_config('app.user_id', caller, true);
    end $$`.execute(db);
  // Digests per blind-index version over every record, for fw keys status and the rebuild's
  // last count (an administrator's own scope would undercount): counts only, never a digest.
  await sql`
    create function fw_rls.digests_by_lookup_version() returns jsonb language plpgsql
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
  for (const f of ['fw_rls.rewrap_blind_key(integer, text)', 'fw_rls.digests_by_lookup_version()']) {
    await sql`revoke all on function ${sql.raw(f)} from public`.execute(db);
    await sql`grant execute on function ${sql.raw(f)} to ${role}`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists fw_rls.digests_by_lookup_version()`.execute(db);
  await sql`drop function if exists fw_rls.rewrap_blind_key(integer, text)`.execute(db);
  await sql`alter table blind_index_keys drop column if exists retired_at`.execute(db);
  await sql`alter table forms drop column if exists unsealing`.execute(db);
}
