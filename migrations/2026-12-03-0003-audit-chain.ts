/**
 * Tamper evidence for the audit log (issue 8): a hash chain over `audit_events`, built after
 * the fact by one sealer at a time, so no request waits on a chain head.
 *
 * `audit_events.txid` is the inserting transaction's id. An event whose transaction id is below
 * the oldest transaction still running can no longer appear or change its commit state, so the
 * sealer takes events in (txid, id) order up to that horizon: every event inserted later sorts
 * after everything sealed so far, and the chain never needs an event put before its head.
 *
 * `audit_chain` holds, per sealed event, its position and SHA-256 of the previous hash and the
 * event's canonical content (lib/audit/chain.ts). It is append-only like the events: the
 * application's role may read and insert, never update, delete or truncate, and a trigger
 * refuses changes for every role. `settings.audit_chain_id` names this chain, so its signed
 * checkpoints (written outside the database) are never confused with another database's.
 */
import { sql, type Kysely } from 'kysely';
import { APP_ROLE } from './2026-12-02-0001-app-role-and-rls';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const role = sql.id(APP_ROLE);
  await sql`alter table audit_events add column txid xid8 not null default pg_current_xact_id()`.execute(db);
  await sql`create index audit_events_chain_order_idx on audit_events (txid, id)`.execute(db);
  await sql`
    create table audit_chain (
      position bigint primary key,
      event_id bigint not null unique,
      txid xid8 not null,
      hash text not null,
      sealed_at timestamptz not null default clock_timestamp()
    )`.execute(db);
  await sql`
    create function audit_chain_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only', tg_table_name;
    end $$`.execute(db);
  await sql`create trigger audit_chain_append_only before update or delete on audit_chain for each row execute function audit_chain_refuse_change()`.execute(db);
  await sql`create trigger audit_chain_no_truncate before truncate on audit_chain for each statement execute function audit_chain_refuse_change()`.execute(db);
  await sql`revoke all on audit_chain from public`.execute(db);
  await sql`grant select, insert on audit_chain to ${role}`.execute(db);
  await sql`insert into settings (key, value) values ('audit_chain_id', to_jsonb(gen_random_uuid()::text)) on conflict (key) do nothing`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists audit_chain`.execute(db);
  await sql`drop function if exists audit_chain_refuse_change()`.execute(db);
  await sql`drop index if exists audit_events_chain_order_idx`.execute(db);
  await sql`alter table audit_events drop column if exists txid`.execute(db);
  await sql`delete from settings where key = 'audit_chain_id'`.execute(db);
}
