/** Sign-in, sign-out and personal API tokens. */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { defineOperation, type OperationContext } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { env } from '@/lib/env';
import { msg, type Locale } from '@/lib/i18n';
import { appendAuditEvents } from '@/lib/audit/append';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { hashToken, type Caller } from './principal';
import { auditAllowance, clearAccount, clearFailures, currentLock, POLICIES, recordFailure, throttleKey, type Lock } from './throttle';
import { uuidSchema as uuid, nullableUuidSchema as nullableUuid } from '@/lib/forms/ajv';

export interface SignedIn {
  /**
   * The session secret, for the JWT only: the database keeps its SHA-256
   * (sessions.secret_hash), so a database reader learns no live session.
   */
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

/** Syntactically an e-mail address: only then is a failed sign-in's typed text kept in the audit (people type passwords into that box). */
export const looksLikeEmail = (s: string): boolean =>
  s.length <= 254 && /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/.test(s);

const signInKeys = (email: string, ip: string) => ({
  pair: throttleKey.pair(email, ip),
  account: throttleKey.account(email),
  ip: throttleKey.ip(ip),
});

function lockError(locale: Locale, lock: Lock): AppError {
  const minutes = Math.max(1, Math.ceil(lock.retryAfter / 60));
  return lock.kind === 'account'
    ? new AppError(
        'locked',
        msg(locale, 'errors.auth.accountLocked', { minutes }),
        { retryAfter: lock.retryAfter },
      )
    : new AppError(
        'rate_limited',
        msg(locale, 'errors.auth.tooManyAttempts', { minutes }),
        { retryAfter: lock.retryAfter },
      );
}

const wrongCredentials = (locale: Locale) => new AppError('unauthenticated', msg(locale, 'errors.auth.wrongCredentials'));

type SignInStart = { lock: Lock } | { lock: null; user: { id: string; passwordHash: string } | null };

/**
 * Sign-in, step 1 (module-private): refuses a locked account or IP before any
 * password work, and loads the hash to compare. No database transaction is
 * held while argon2 runs (on PGlite one open transaction holds the only
 * connection, and 60 parallel sign-ins would stall every other request).
 */
const signInStart = defineOperation({
  name: 'auth.signInStart',
  permission: 'public',
  readOnly: true,
  audit: false,
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 1024 } },
  },
  async run(ctx, input): Promise<SignInStart> {
    const email = input.email.trim().toLowerCase();
    const k = signInKeys(email, ctx.caller.ip);
    const lock = await currentLock(ctx.db, [k.pair, k.account, k.ip]);
    if (lock) {
      // Refused attempts are evidence too, but a flood against a lock must
      // not fill the audit table: at most one event a minute per IP.
      const count = await auditAllowance(ctx.db, `audit:sign-in-locked:${ctx.caller.ip}`);
      if (count > 0) {
        await appendAuditEvents(ctx.db, { actorId: null, actorLabel: looksLikeEmail(email) ? email : null, ip: ctx.caller.ip || null }, [
          { action: 'auth.signIn', outcome: 'denied', details: { reason: lock.kind === 'account' ? 'locked' : 'rate_limited', count } },
        ]);
      }
      return { lock };
    }
    const user = await ctx.db.selectFrom('users').select(['id', 'password_hash']).where('email', '=', email).executeTakeFirst();
    return { lock: null, user: user ? { id: user.id, passwordHash: user.password_hash } : null };
  },
});

type SignInFinish = { ok: true; session: SignedIn } | { ok: false; lock: Lock | null };

/**
 * Sign-in, step 2 (module-private, called only by `signIn` below with the
 * outcome of the password check): counts a failure or opens the session.
 * It returns instead of throwing so that the failure counters and the audit
 * event commit.
 */
const signInFinish = defineOperation({
  name: 'auth.signIn',
  permission: 'public',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'userId', 'passwordOk'],
    properties: { email: { type: 'string', maxLength: 254 }, userId: nullableUuid, passwordOk: { type: 'boolean' } },
  },
  async run(ctx, input): Promise<SignInFinish> {
    const email = input.email.trim().toLowerCase();
    const k = signInKeys(email, ctx.caller.ip);
    const user = input.userId
      ? await ctx.db.selectFrom('users').select(['id', 'email', 'name', 'status', 'is_admin']).where('id', '=', input.userId).executeTakeFirst()
      : undefined;
    // Same answer for unknown email, wrong password and disabled account:
    // a sign-in form must not confirm who has an account.
    if (!user || !input.passwordOk || user.status !== 'active') {
      const locks = [
        await recordFailure(ctx.db, k.pair, POLICIES.pair),
        await recordFailure(ctx.db, k.account, POLICIES.account),
        await recordFailure(ctx.db, k.ip, POLICIES.ip),
      ];
      ctx.audit({
        action: 'auth.signIn',
        outcome: 'denied',
        actorId: user?.id,
        // The typed text only when it is an address: it may be a password typed into the wrong box.
        actorLabel: user?.email ?? (looksLikeEmail(email) ? email : undefined),
        details: { reason: !user ? 'unknown_email' : !input.passwordOk ? 'bad_password' : 'disabled', ...(locks.some(Boolean) ? { locked: true } : {}) },
      });
      return { ok: false, lock: null };
    }
    // Parallel wrong attempts may have locked the account since step 1: the
    // right password does not get through a lock.
    const lock = await currentLock(ctx.db, [k.pair, k.account, k.ip]);
    if (lock) {
      ctx.audit({ action: 'auth.signIn', outcome: 'denied', actorId: user.id, actorLabel: user.email, details: { reason: lock.kind === 'account' ? 'locked' : 'rate_limited' } });
      return { ok: false, lock };
    }
    await clearFailures(ctx.db, [k.pair, k.account]);
    const secret = randomBytes(32).toString('base64url');
    const session = await ctx.db
      .insertInto('sessions')
      .values({
        user_id: user.id,
        secret_hash: hashToken(secret),
        expires_at: sql`now() + make_interval(secs => ${env().sessionMaxAge})`,
        ip: ctx.caller.ip || null,
        user_agent: ctx.caller.userAgent?.slice(0, 300) ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'auth.signIn', actorId: user.id, actorLabel: user.email, resourceType: 'session', resourceId: session.id });
    return { ok: true, session: { sessionId: secret, userId: user.id, email: user.email, name: user.name, isAdmin: user.is_admin } };
  },
});

/**
 * Email + password sign-in. Throws `unauthenticated` (wrong email or
 * password, one message for all), `locked` (the account, for a while or
 * until an admin unlocks it) or `rate_limited` (too many attempts from this
 * IP, or the server is busy checking passwords). Policy: lib/auth/throttle.ts.
 */
export async function signIn(caller: Caller, input: { email: string; password: string }): Promise<SignedIn> {
  const start = await signInStart(caller, input);
  if (start.lock) throw lockError(caller.locale, start.lock);
  const passwordOk = await verifyPassword(start.user?.passwordHash ?? (await dummyPasswordHash()), input.password, caller.locale);
  const done = await signInFinish(caller, { email: input.email, userId: start.user?.id ?? null, passwordOk });
  if (done.ok) return done.session;
  throw done.lock ? lockError(caller.locale, done.lock) : wrongCredentials(caller.locale);
}

/**
 * Whether a session (by the secret its JWT carries) is still live: next-auth's
 * session callback asks it, so /api/auth/session honours server-side
 * revocation. Not audited: it runs on every page.
 */
export const sessionActive = defineOperation({
  name: 'auth.sessionActive',
  permission: 'public',
  readOnly: true,
  audit: false,
  // Asked on every page, the password-change page included.
  beforePasswordChange: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<{ active: boolean }> {
    return { active: ctx.principal?.via === 'session' };
  },
});

/** An administrator ends an account's sign-in lock (and its per-IP counters) at once. */
export const unlockAccount = defineOperation({
  name: 'auth.unlockAccount',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId: uuid } },
  async run(ctx, input): Promise<{ ok: true }> {
    const user = await ctx.db.selectFrom('users').select(['id', 'email']).where('id', '=', input.userId).executeTakeFirst();
    if (!user) throw new AppError('not_found', msg(ctx.locale, 'errors.auth.userNotFound'));
    const cleared = await clearAccount(ctx.db, user.email);
    ctx.audit({ action: 'auth.unlockAccount', resourceType: 'user', resourceId: user.id, details: { cleared } });
    return { ok: true };
  },
});

/**
 * A REST call that failed authentication (missing or unknown token),
 * reported by the REST layer. Bad bearer tokens count against the IP (see
 * lib/auth/throttle.ts); the audit event is written at most once a minute
 * per IP, with the number of failures it stands for, so a flood cannot fill
 * the audit table. Returns the IP's lock, if it now holds one.
 */
export const reportRestAuthFailure = defineOperation({
  name: 'auth.restAuthFailure',
  permission: 'public',
  audit: false,
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['badToken', 'path'],
    properties: { badToken: { type: 'boolean' }, path: { type: 'string', maxLength: 2048 } },
  },
  async run(ctx, input): Promise<{ lock: Lock | null }> {
    const ip = ctx.caller.ip;
    // While the IP is locked its attempts do not count (hammering does not
    // lengthen the lock); the failure that starts a lock still answers 401,
    // like the sign-in form's.
    const lock = input.badToken ? await currentLock(ctx.db, [throttleKey.token(ip)]) : null;
    if (input.badToken && !lock) await recordFailure(ctx.db, throttleKey.token(ip), POLICIES.token);
    const count = await auditAllowance(ctx.db, `audit:rest-auth:${ip}`);
    if (count > 0) {
      await appendAuditEvents(ctx.db, { actorId: null, actorLabel: null, ip: ip || null }, [
        { action: 'rest.authenticate', outcome: 'denied', details: { reason: input.badToken ? 'bad_token' : 'no_token', count, path: input.path.slice(0, 200) } },
      ]);
    }
    return { lock };
  },
});

export const signOut = defineOperation({
  name: 'auth.signOut',
  permission: 'authenticated',
  beforePasswordChange: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<{ ok: true }> {
    if (ctx.principal.sessionId) {
      await ctx.db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('id', '=', ctx.principal.sessionId).execute();
    }
    ctx.audit({ action: 'auth.signOut', resourceType: 'session', resourceId: ctx.principal.sessionId });
    return { ok: true };
  },
});

/**
 * The signed-in user as the UI needs them: name, admin flag, language, and
 * whether they must first replace a password someone else chose (the
 * signed-in layout then sends them to the change page).
 */
export const getMe = defineOperation({
  name: 'auth.me',
  permission: 'authenticated',
  readOnly: true,
  // Every page render reads it: one's own profile is not evidence, only noise.
  audit: false,
  beforePasswordChange: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<{ id: string; name: string; email: string; isAdmin: boolean; departmentId: string | null; mustChangePassword: boolean }> {
    const p = ctx.principal;
    return { id: p.userId, name: p.name, email: p.email, isAdmin: p.isAdmin, departmentId: p.departmentId, mustChangePassword: p.mustChangePassword };
  },
});

/**
 * A user changes their own password: the current one proves it is them (a
 * session left open on a shared computer is not enough), the new one follows
 * the password rules. Every other session of the user ends, so whoever knew
 * the old password is signed out everywhere; this session stays. API tokens
 * are kept (they are revocable one by one on the tokens page); an admin's
 * reset revokes them.
 */
/** Wrong current passwords allowed within 15 minutes before a password change is refused. */
const CHANGE_PASSWORD_GUESSES = 5;

export const changePassword = defineOperation({
  name: 'auth.changePassword',
  permission: 'authenticated',
  beforePasswordChange: true,
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['currentPassword', 'newPassword'],
    properties: { currentPassword: { type: 'string', maxLength: 1024 }, newPassword: { type: 'string', maxLength: 200 } },
  },
  async run(ctx, input): Promise<{ ok: true; sessionsEnded: number }> {
    const p = ctx.principal;
    // Only a person in the signed-in app: a leaked API token must not take over the account.
    if (p.via !== 'session' || !p.sessionId) {
      throw new AppError('forbidden', msg(ctx.locale, 'errors.auth.passwordChangeInApp'));
    }
    // Threat: someone holding a stolen session guesses the current password to
    // take the account over. Wrong guesses are counted from the audit log (the
    // runner writes the refused attempt after the rollback, so the count
    // survives it and every instance sees it): 5 within 15 minutes stop
    // further tries until the window has passed.
    const recentWrong = await ctx.db
      .selectFrom('audit_events')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('actor_id', '=', p.userId)
      .where('at', '>', sql<Date>`now() - interval '15 minutes'`)
      .where('action', '=', 'auth.changePassword')
      .where(sql<boolean>`details->>'reason' = 'wrong_current_password'`)
      .executeTakeFirstOrThrow();
    if (recentWrong.n >= CHANGE_PASSWORD_GUESSES) {
      throw new AppError('rate_limited', msg(ctx.locale, 'errors.auth.tooManyAttempts', { minutes: 15 }), { retryAfter: 15 * 60 });
    }
    const user = await ctx.db.selectFrom('users').select('password_hash').where('id', '=', p.userId).executeTakeFirstOrThrow();
    const field = (key: string, message: 'errors.auth.wrongCurrentPassword' | 'errors.auth.samePassword') =>
      new AppError('invalid_input', msg(ctx.locale, message), { fields: { [key]: msg(ctx.locale, message) } });
    if (!(await verifyPassword(user.password_hash, input.currentPassword, ctx.locale))) {
      ctx.audit({ action: 'auth.changePassword', resourceType: 'user', resourceId: p.userId, details: { reason: 'wrong_current_password' } });
      throw field('currentPassword', 'errors.auth.wrongCurrentPassword');
    }
    const problem = passwordProblem(input.newPassword, ctx.locale);
    if (problem) throw new AppError('invalid_input', problem, { fields: { newPassword: problem } });
    if (input.newPassword === input.currentPassword) {
      // Keeping a password someone else chose is exactly what the forced change prevents.
      throw field('newPassword', 'errors.auth.samePassword');
    }
    await ctx.db
      .updateTable('users')
      .set({ password_hash: await hashPassword(input.newPassword), must_change_password: false, updated_at: sql`now()` })
      .where('id', '=', p.userId)
      .execute();
    const ended = await ctx.db
      .updateTable('sessions')
      .set({ revoked_at: sql`now()` })
      .where('user_id', '=', p.userId)
      .where('id', '!=', p.sessionId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    ctx.audit({
      action: 'auth.changePassword',
      resourceType: 'user',
      resourceId: p.userId,
      details: { forced: p.mustChangePassword, sessionsEnded: ended.length },
    });
    return { ok: true, sessionsEnded: ended.length };
  },
});

export interface ApiTokenDTO {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string;
  /** Past its expiry (and not revoked): refused like a revoked token. */
  expired: boolean;
  readOnly: boolean;
}

/** The lifetimes offered at creation. No "never": a token forgotten in an old script must stop by itself. */
export const TOKEN_LIFETIMES_DAYS = [30, 90, 365] as const;
export const DEFAULT_TOKEN_LIFETIME_DAYS = 90;

async function tokensOf(ctx: OperationContext, userId: string): Promise<ApiTokenDTO[]> {
  const rows = await ctx.db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'token_prefix', 'created_at', 'last_used_at', 'revoked_at', 'expires_at', 'read_only', sql<boolean>`expires_at <= now()`.as('expired')])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
  const iso = (d: Date | string) => new Date(d).toISOString();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.token_prefix,
    createdAt: iso(r.created_at),
    lastUsedAt: r.last_used_at ? iso(r.last_used_at) : null,
    revokedAt: r.revoked_at ? iso(r.revoked_at) : null,
    expiresAt: iso(r.expires_at),
    expired: !r.revoked_at && r.expired,
    readOnly: r.read_only,
  }));
}

async function revokeToken(ctx: OperationContext, userId: string, tokenId: string): Promise<void> {
  const done = await ctx.db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!done) throw new AppError('not_found', msg(ctx.locale, 'errors.auth.tokenNotFound'));
}

/**
 * Tokens are random 256-bit secrets, so a fast hash (SHA-256) is enough to
 * store them. A signed-in user mints their own; the system caller (`fw token
 * create`) names the user, so minting exists once, here, and is audited.
 */
export const createApiToken = defineOperation({
  name: 'tokens.create',
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      expiresInDays: { enum: [...TOKEN_LIFETIMES_DAYS] },
      readOnly: { type: 'boolean' },
      userId: uuid,
    },
  },
  async run(ctx, input): Promise<{ id: string; token: string; prefix: string; expiresAt: string }> {
    if (ctx.principal.via === 'token') {
      // A leaked token must not be able to mint more tokens.
      throw new AppError('forbidden', msg(ctx.locale, 'errors.auth.tokenCannotMintTokens'));
    }
    let userId = ctx.principal.userId;
    if (ctx.principal.systemLabel && input.userId === undefined) {
      throw new AppError('invalid_input', msg(ctx.locale, 'errors.auth.tokenUserRequired'), { fields: { userId: msg(ctx.locale, 'errors.auth.required') } });
    }
    if (input.userId !== undefined && input.userId !== userId) {
      // Minting for someone else is the system's (CLI's) alone: an admin
      // holding another user's token could read what that user may read.
      if (!ctx.principal.systemLabel) {
        throw new AppError('forbidden', msg(ctx.locale, 'errors.auth.tokensOnlyForYourself'));
      }
      const user = await ctx.db.selectFrom('users').select(['id', 'status']).where('id', '=', input.userId).executeTakeFirst();
      if (!user) throw new AppError('not_found', msg(ctx.locale, 'errors.auth.userNotFound'));
      if (user.status !== 'active') throw new AppError('invalid_input', msg(ctx.locale, 'errors.auth.userDisabled'));
      userId = user.id;
    }
    const token = `fw_${randomBytes(32).toString('base64url')}`;
    const prefix = token.slice(0, 10);
    const days = input.expiresInDays ?? DEFAULT_TOKEN_LIFETIME_DAYS;
    const readOnly = input.readOnly ?? false;
    const row = await ctx.db
      .insertInto('api_tokens')
      .values({
        user_id: userId,
        name: input.name.trim(),
        token_hash: hashToken(token),
        token_prefix: prefix,
        expires_at: sql<Date>`now() + make_interval(days => ${days})`,
        read_only: readOnly,
      })
      .returning(['id', 'expires_at'])
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'tokens.create', resourceType: 'api_token', resourceId: row.id, details: { prefix, userId, expiresInDays: days, readOnly } });
    return { id: row.id, token, prefix, expiresAt: new Date(row.expires_at).toISOString() };
  },
});

export const listApiTokens = defineOperation({
  name: 'tokens.list',
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<ApiTokenDTO[]> {
    return tokensOf(ctx, ctx.principal.userId);
  },
});

export const revokeApiToken = defineOperation({
  name: 'tokens.revoke',
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['tokenId'],
    properties: { tokenId: uuid },
  },
  async run(ctx, input): Promise<{ ok: true }> {
    await revokeToken(ctx, ctx.principal.userId, input.tokenId); // only your own
    ctx.audit({ action: 'tokens.revoke', resourceType: 'api_token', resourceId: input.tokenId });
    return { ok: true };
  },
});

/** An admin sees any user's tokens (names, prefixes, use; never the secret), e.g. when someone leaves. */
export const listUserApiTokens = defineOperation({
  name: 'tokens.listForUser',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId: uuid } },
  async run(ctx, input): Promise<ApiTokenDTO[]> {
    const user = await ctx.db.selectFrom('users').select('id').where('id', '=', input.userId).executeTakeFirst();
    if (!user) throw new AppError('not_found', msg(ctx.locale, 'errors.auth.userNotFound'));
    const tokens = await tokensOf(ctx, input.userId);
    ctx.audit({ action: 'tokens.listForUser', resourceType: 'user', resourceId: input.userId, details: { count: tokens.length } });
    return tokens;
  },
});

/** An admin revokes one of any user's tokens (a leaked script, a departing colleague). */
export const revokeUserApiToken = defineOperation({
  name: 'tokens.revokeForUser',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['userId', 'tokenId'], properties: { userId: uuid, tokenId: uuid } },
  async run(ctx, input): Promise<{ ok: true }> {
    await revokeToken(ctx, input.userId, input.tokenId);
    ctx.audit({ action: 'tokens.revokeForUser', resourceType: 'api_token', resourceId: input.tokenId, details: { userId: input.userId } });
    return { ok: true };
  },
});
