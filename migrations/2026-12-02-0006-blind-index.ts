/**
 * Exact search on encrypted fields (issue 7): `records.blind_index` holds, per encrypted
 * phone, e-mail, 身份证号 or bank-card field, an HMAC-SHA-256 of the normalised value under a
 * key derived per form and field from a blind-index key kept apart from the data keys
 * (`blind_index_keys`, wrapped by the master key like them). Equal values give equal digests
 * only within one form and field, so the column says nothing across forms; without the key it
 * says nothing at all. A GIN index answers "which records hold this digest" at any size.
 * It lives on the records row itself, so row-level security covers it with no policy of its own.
 */
import { sql, type Kysely } from 'kysely';
import { APP_ROLE } from './2026-12-02-0001-app-role-and-rls';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const role = sql.id(APP_ROLE);
  await sql`
    create table blind_index_keys (
      version integer primary key,
      wrapped_key text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`grant select, insert on blind_index_keys to ${role}`.execute(db);
  await sql`alter table records add column blind_index jsonb not null default '{}'`.execute(db);
  await sql`create index records_blind_index_idx on records using gin (blind_index jsonb_path_ops)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists records_blind_index_idx`.execute(db);
  await sql`alter table records drop column if exists blind_index`.execute(db);
  await sql`drop table if exists blind_index_keys`.execute(db);
}
