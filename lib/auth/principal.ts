/**
 * Who is calling, as the server sees them for one request. Resolved inside
 * the request's transaction, so a revoked session or a disabled user is
 * refused at their very next request.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { Caller } from './credential';
import type { Locale } from '@/lib/i18n';
import { isSystemCredential } from './system-caller';
import { throttleKey } from './throttle';
import { UUID_PATTERN } from '@/lib/forms/ajv';
import { switchToAppRole } from '@/lib/db/app-role';
import { PREPARED } from '@/lib/db/connection';

export type { Caller, Credential, SystemCredential } from './credential';

/**
 * The id the system principal (CLI, jobs) carries: no user has it, so it owns
 * nothing, belongs to no group and matches no row scope.
 */
export const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';

export interface Principal {
  userId: string;
  email: string;
  name: string;
  isAdmin: boolean;
  departmentId: string | null;
  groupIds: string[];
  locale: Locale;
  via: 'session' | 'token' | 'system';
  /** Set only for the system itself (no user behind it): its audit label, e.g. "cli". */
  systemLabel?: string;
  sessionId?: string;
  tokenId?: string;
  /** A read-only API token: only operations marked readOnly (lib/operation.ts). */
  readOnlyToken?: boolean;
  /** Someone else chose the password: only the password change is open (lib/operation.ts). */
  mustChangePassword: boolean;
  ip: string;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** 32 random bytes, base64url (lib/auth/operations.ts signIn). */
const SESSION_SECRET = /^[A-Za-z0-9_-]{43}$/;

interface PrincipalRow {
  id: string;
  email: string;
  name: string;
  is_admin: boolean;
  department_id: string | null;
  locale: string;
  group_ids: string[];
  credential_id: string;
  must_change_password: boolean;
  read_only?: boolean;
  prefetched?: unknown;
}

// Each credential's statement has one text per prefetch: planned once per connection, not per request.
const prepared = sql.raw(PREPARED);

/**
 * One round trip: checks the credential, loads the user and their groups,
 * sets `app.user_id` for the transaction (row-level security reads it) and
 * switches the transaction to the application's database role, so every
 * later statement of the operation is bound by RLS and the role's privileges.
 * This statement itself still runs as the connection's user (privileges and
 * policies are settled when a statement starts); it reads no records.
 * No row (a refused credential): nothing is switched, and the caller refuses.
 */
export async function resolvePrincipal(
  trx: Transaction<DB>,
  caller: Caller,
  options: { synchronousCommit: 'on' | 'off'; prefetch?: RawBuilder<unknown> } = { synchronousCommit: 'on' },
): Promise<{ principal: Principal; prefetched: unknown } | null> {
  const c = caller.credential;
  let row: PrincipalRow | undefined;
  // Data the operation needs next (e.g. a form and the caller's grants on it),
  // fetched in the same statement: no extra round trip. It may refer to `u.id`.
  const extra = options.prefetch ? sql`, ${options.prefetch} as prefetched` : sql``;
  const groups = sql`u.must_change_password, coalesce((select json_agg(gm.group_id) from group_members gm where gm.user_id = u.id), '[]'::json) as group_ids,
    set_config('synchronous_commit', ${options.synchronousCommit}, true) as _sync, ${switchToAppRole} as _role ${extra}`;
  if (c.type === 'session') {
    // The JWT carries the session secret; only its SHA-256 is stored, so a
    // database reader (a dump, a replica, a backup) learns no live session.
    if (!SESSION_SECRET.test(c.sessionId)) return null;
    row = (
      await sql<PrincipalRow>`${prepared}
        select u.id, u.email, u.name, u.is_admin, u.department_id, u.locale, ${groups},
               s.id as credential_id, set_config('app.user_id', u.id::text, true) as _uid
        from sessions s join users u on u.id = s.user_id
        where s.secret_hash = ${hashToken(c.sessionId)} and s.revoked_at is null and s.expires_at > now() and u.status = 'active'`.execute(trx)
    ).rows[0];
  } else if (c.type === 'token') {
    const tokenHash = hashToken(c.token);
    // An expired token is refused like a revoked one. last_used_at is written in
    // the same statement, at most once a minute (the conditional update skips
    // fresher rows, and SKIP LOCKED never makes a request wait on another).
    row = (
      await sql<PrincipalRow>`${prepared}
        with touched as (
          update api_tokens set last_used_at = now()
          where id = (select id from api_tokens where token_hash = ${tokenHash} and revoked_at is null and expires_at > now()
                        and (last_used_at is null or last_used_at < now() - interval '1 minute') for update skip locked)
          returning id)
        select u.id, u.email, u.name, u.is_admin, u.department_id, u.locale, ${groups},
               t.id as credential_id, t.read_only, set_config('app.user_id', u.id::text, true) as _uid
        from api_tokens t join users u on u.id = t.user_id
        where t.token_hash = ${tokenHash} and t.revoked_at is null and t.expires_at > now() and u.status = 'active'
          -- An IP locked for guessing tokens (lib/auth/throttle.ts) is refused even with a valid one.
          and not exists (select 1 from auth_throttle th where th.key = ${throttleKey.token(caller.ip)} and th.locked_until > now())`.execute(trx)
    ).rows[0];
  } else if (c.type === 'unsafe-system') {
    // Only a credential made by lib/auth/system-caller.ts counts: a
    // hand-built `{ type: 'unsafe-system', … }` from a page is refused.
    if (!isSystemCredential(c)) return null;
    if (c.userId === undefined) {
      // The system itself: administrator rights to configure, no user, no
      // groups (so no grant opens any record). Exists before any user does.
      const r = (
        await sql<{ prefetched?: unknown }>`${prepared}
          select set_config('app.user_id', ${SYSTEM_USER_ID}, true) as _uid, ${groups}
          from (select ${SYSTEM_USER_ID}::uuid as id, null::uuid as department_id, false as must_change_password) u`.execute(trx)
      ).rows[0];
      const principal: Principal = {
        userId: SYSTEM_USER_ID,
        email: c.label,
        name: c.label,
        isAdmin: true,
        departmentId: null,
        groupIds: [],
        locale: caller.locale,
        via: 'system',
        systemLabel: c.label,
        // The system is no person: it never has a password to change.
        mustChangePassword: false,
        ip: caller.ip,
      };
      return { principal, prefetched: r?.prefetched };
    }
    if (!UUID_PATTERN.test(c.userId)) return null;
    row = (
      await sql<PrincipalRow>`${prepared}
        select u.id, u.email, u.name, u.is_admin, u.department_id, u.locale, ${groups},
               u.id as credential_id, set_config('app.user_id', u.id::text, true) as _uid
        from users u where u.id = ${c.userId} and u.status = 'active'`.execute(trx)
    ).rows[0];
  }
  if (!row) return null;
  const principal: Principal = {
    userId: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.is_admin,
    departmentId: row.department_id,
    groupIds: row.group_ids,
    locale: caller.locale,
    via: c.type === 'session' ? 'session' : c.type === 'token' ? 'token' : 'system',
    sessionId: c.type === 'session' ? row.credential_id : undefined,
    tokenId: c.type === 'token' ? row.credential_id : undefined,
    readOnlyToken: c.type === 'token' ? row.read_only === true : undefined,
    mustChangePassword: row.must_change_password,
    ip: caller.ip,
  };
  return { principal, prefetched: row.prefetched };
}
