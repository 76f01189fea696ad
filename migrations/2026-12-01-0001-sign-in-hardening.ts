/**
 * Sign-in hardening (issue 5, items 4, 9, 18):
 * - sessions keep only a SHA-256 hash of the session secret that the JWT
 *   carries, so a database reader learns no live session (sessions made
 *   before this migration carried their id as the secret: they are revoked);
 * - auth_throttle: failure counters and temporary locks for sign-in and API
 *   tokens, and the per-IP throttle of authentication-failure audit events,
 *   in the database so every instance shares them.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('secret_hash', 'text').execute();
  await sql`update sessions set revoked_at = coalesce(revoked_at, now()), secret_hash = 'revoked-before-hashing:' || id::text`.execute(db);
  await sql`alter table sessions alter column secret_hash set not null`.execute(db);
  await db.schema.createIndex('sessions_secret_hash_idx').unique().on('sessions').column('secret_hash').execute();

  await db.schema
    .createTable('auth_throttle')
    // "account:<email>", "pair:<email>|<ip>", "ip:<ip>", "token-ip:<ip>", "audit:<what>:<ip>"
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_failure_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_until', 'timestamptz')
    // Audit throttling: when the last event was written and how many failures it stood for.
    .addColumn('audited_at', 'timestamptz')
    .addColumn('reported', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('auth_throttle_last_failure_idx').on('auth_throttle').column('last_failure_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('auth_throttle').ifExists().execute();
  await db.schema.dropIndex('sessions_secret_hash_idx').ifExists().execute();
  await db.schema.alterTable('sessions').dropColumn('secret_hash').execute();
}
