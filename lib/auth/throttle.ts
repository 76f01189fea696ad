/**
 * Failure counters and temporary locks for sign-in and API tokens, kept in
 * the database (auth_throttle) so every app instance shares them. Each
 * counter is one row, changed by one `insert … on conflict … do update …
 * returning` statement: concurrent failures cannot lose an increment.
 *
 * THE POLICY (threats: online password guessing, one attacker locking a
 * victim out, a flood filling the audit table):
 *
 * | counter | key | locks after | first lock, then each further failure | cap | forgotten after |
 * |---|---|---|---|---|---|
 * | account from one IP | `pair:<email>\|<ip>` | 5 failures | 1 min, doubling | 15 min | 1 h without failures |
 * | account from anywhere | `account:<email>` | 20 failures | 5 min, doubling | 30 min | 1 h without failures |
 * | one IP, any account | `ip:<ip>` | 50 failures | 1 min, doubling | 60 min | 1 h without failures |
 * | bad API tokens from one IP | `token-ip:<ip>` | 20 failures | 1 min, doubling | 15 min | 1 h without failures |
 *
 * - While a counter is locked, attempts are refused before any password is
 *   checked (no argon2 work) and do not count, so hammering a lock does not
 *   lengthen it: the right password during a lock is refused too.
 * - Guessing from one IP: 5 tries, then 1 + 2 + 4 + 8 + 15 + 15 … minutes
 *   between single tries, about 11 guesses in the first hour.
 * - Locking a victim out needs the account-wide counter (20 failures within
 *   an hour), which one IP cannot reach on its own (its pair counter lets
 *   it fail about 8 times in 15 minutes): an attacker needs several IPs, and
 *   even then the lock ends by itself (≤ 30 min); an administrator can
 *   unlock at once (auth.unlockAccount). The victim signing in from their
 *   own IP is not held back by the attacker's pair counter.
 * - No IP is locked forever: at most 60 minutes, and every counter is
 *   forgotten after an hour without failures.
 * - A successful sign-in clears that account's counters (not the IP's).
 * - Unknown e-mail addresses are counted like known ones, so the answers
 *   (`locked` included) do not reveal which accounts exist.
 * - Authentication-failure audit events are written at most once per minute
 *   per IP and kind, carrying how many failures they stand for.
 */
import 'server-only';
import { sql, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';

export interface ThrottlePolicy {
  /** Failures before the first lock. */
  threshold: number;
  /** The first lock, doubled by each further failure. */
  baseLockSeconds: number;
  maxLockSeconds: number;
  /** A counter with no failure for this long starts again from zero. */
  forgetAfterSeconds: number;
}

export const POLICIES = {
  pair: { threshold: 5, baseLockSeconds: 60, maxLockSeconds: 15 * 60, forgetAfterSeconds: 3600 },
  account: { threshold: 20, baseLockSeconds: 5 * 60, maxLockSeconds: 30 * 60, forgetAfterSeconds: 3600 },
  ip: { threshold: 50, baseLockSeconds: 60, maxLockSeconds: 60 * 60, forgetAfterSeconds: 3600 },
  token: { threshold: 20, baseLockSeconds: 60, maxLockSeconds: 15 * 60, forgetAfterSeconds: 3600 },
} as const satisfies Record<string, ThrottlePolicy>;

export type ThrottleKind = keyof typeof POLICIES;

export const throttleKey = {
  pair: (email: string, ip: string) => `pair:${email}|${ip}`,
  account: (email: string) => `account:${email}`,
  ip: (ip: string) => `ip:${ip}`,
  token: (ip: string) => `token-ip:${ip}`,
};

/** How long the n-th failure (1-based) locks under a policy, in seconds; 0 below the threshold. Pure, for tests. */
export function lockSecondsAfter(policy: ThrottlePolicy, failures: number): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.maxLockSeconds, policy.baseLockSeconds * 2 ** Math.min(failures - policy.threshold, 30));
}

export interface Lock {
  kind: ThrottleKind;
  /** Seconds until the lock ends (at least 1). */
  retryAfter: number;
}

const kindOf = (key: string): ThrottleKind =>
  key.startsWith('account:') ? 'account' : key.startsWith('pair:') ? 'pair' : key.startsWith('token-ip:') ? 'token' : 'ip';

/** The strongest current lock among these counters: an account lock first (it answers `locked`), then the longest. */
export async function currentLock(db: Transaction<DB>, keys: string[]): Promise<Lock | null> {
  const rows = await db
    .selectFrom('auth_throttle')
    .select(['key', sql<number>`ceil(extract(epoch from locked_until - now()))::int`.as('seconds')])
    .where('key', 'in', keys)
    .where('locked_until', '>', sql<Date>`now()`)
    .execute();
  if (rows.length === 0) return null;
  const locks = rows.map((r) => ({ kind: kindOf(r.key), retryAfter: Math.max(1, Number(r.seconds)) }));
  locks.sort((a, b) => Number(b.kind === 'account') - Number(a.kind === 'account') || b.retryAfter - a.retryAfter);
  return locks[0];
}

/** Counts one failure against a counter; returns the lock it now holds, if any. */
export async function recordFailure(db: Transaction<DB>, key: string, policy: ThrottlePolicy): Promise<Lock | null> {
  const p = policy;
  // The count this failure makes: 1 again when the previous one is forgotten.
  const count = sql`(case when t.last_failure_at < now() - make_interval(secs => ${p.forgetAfterSeconds}) then 1 else t.failures + 1 end)`;
  const lockFor = (n: unknown) =>
    sql`case when ${n} >= ${p.threshold}
          then now() + make_interval(secs => least(${p.maxLockSeconds}::float8, ${p.baseLockSeconds}::float8 * power(2::float8, least(${n} - ${p.threshold}, 30))))
          else null end`;
  const row = (
    await sql<{ failures: number; seconds: number | null }>`
      insert into auth_throttle as t (key, failures, last_failure_at, locked_until)
      values (${key}, 1, now(), ${lockFor(sql`1`)})
      on conflict (key) do update set
        failures = ${count},
        last_failure_at = now(),
        locked_until = coalesce(${lockFor(count)}, case when t.locked_until > now() then t.locked_until end)
      returning failures, ceil(extract(epoch from locked_until - now()))::int as seconds`.execute(db)
  ).rows[0];
  // Now and then, forget counters nobody has touched for a day (keys of typed
  // e-mail addresses would otherwise pile up).
  if (Math.random() < 0.01) {
    await sql`delete from auth_throttle where last_failure_at < now() - interval '1 day' and (locked_until is null or locked_until < now())`.execute(db);
  }
  return row?.seconds != null && row.seconds > 0 ? { kind: kindOf(key), retryAfter: row.seconds } : null;
}

/** A successful sign-in: the account's counters start again. */
export async function clearFailures(db: Transaction<DB>, keys: string[]): Promise<void> {
  await db.deleteFrom('auth_throttle').where('key', 'in', keys).execute();
}

/** An administrator's unlock: the account-wide counter and every per-IP counter of this e-mail. */
export async function clearAccount(db: Transaction<DB>, email: string): Promise<number> {
  const rows = await sql<{ key: string }>`
    delete from auth_throttle
    where key = ${throttleKey.account(email)} or starts_with(key, ${`pair:${email}|`})
    returning key`.execute(db);
  return rows.rows.length;
}

/**
 * At most one audit event per key per minute: returns how many failures the
 * event about to be written stands for, or 0 when this one is only counted
 * (the next event will include it).
 */
export async function auditAllowance(db: Transaction<DB>, key: string): Promise<number> {
  const row = (
    await sql<{ reported: number; emit: boolean }>`
      insert into auth_throttle as t (key, failures, last_failure_at, audited_at, reported)
      values (${key}, 0, now(), now(), 1)
      on conflict (key) do update set
        last_failure_at = now(),
        reported = case when t.audited_at is null or t.audited_at <= now() - interval '1 minute' then t.failures + 1 else t.reported end,
        failures = case when t.audited_at is null or t.audited_at <= now() - interval '1 minute' then 0 else t.failures + 1 end,
        audited_at = case when t.audited_at is null or t.audited_at <= now() - interval '1 minute' then now() else t.audited_at end
      returning reported, (audited_at = now()) as emit`.execute(db)
  ).rows[0];
  return row?.emit ? Number(row.reported) : 0;
}
