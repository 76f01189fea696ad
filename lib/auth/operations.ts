/** Sign-in, sign-out and personal API tokens. */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { defineOperation, type OperationContext } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { env } from '@/lib/env';
import { say } from '@/lib/i18n';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { hashToken } from './principal';

export interface SignedIn {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export const signIn = defineOperation<{ email: string; password: string }, SignedIn>({
  name: 'auth.signIn',
  permission: 'public',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 1024 } },
  },
  async run(ctx, input) {
    const email = input.email.trim().toLowerCase();
    const user = await ctx.db
      .selectFrom('users')
      .select(['id', 'email', 'name', 'password_hash', 'status', 'is_admin'])
      .where('email', '=', email)
      .executeTakeFirst();
    const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), input.password);
    // Same answer for unknown email, wrong password and disabled account:
    // a sign-in form must not confirm who has an account.
    if (!user || !ok || user.status !== 'active') {
      ctx.audit({
        action: 'auth.signIn',
        actorId: user?.id,
        actorLabel: email,
        details: { reason: !user ? 'unknown_email' : !ok ? 'bad_password' : 'disabled' },
      });
      throw new AppError('unauthenticated', say(ctx.locale, { zh: '邮箱或密码错误', en: 'Wrong email or password' }));
    }
    const session = await ctx.db
      .insertInto('sessions')
      .values({
        user_id: user.id,
        expires_at: sql`now() + make_interval(secs => ${env().sessionMaxAge})`,
        ip: ctx.caller.ip || null,
        user_agent: ctx.caller.userAgent?.slice(0, 300) ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'auth.signIn', actorId: user.id, actorLabel: user.email, resourceType: 'session', resourceId: session.id });
    return { sessionId: session.id, userId: user.id, email: user.email, name: user.name, isAdmin: user.is_admin };
  },
});

export const signOut = defineOperation<Record<string, never>, { ok: true }>({
  name: 'auth.signOut',
  permission: 'authenticated',
  beforePasswordChange: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx) {
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
export const getMe = defineOperation<
  Record<string, never>,
  { id: string; name: string; email: string; isAdmin: boolean; departmentId: string | null; mustChangePassword: boolean }
>({
  name: 'auth.me',
  permission: 'authenticated',
  readOnly: true,
  beforePasswordChange: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx) {
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
export const changePassword = defineOperation<{ currentPassword: string; newPassword: string }, { ok: true; sessionsEnded: number }>({
  name: 'auth.changePassword',
  permission: 'authenticated',
  beforePasswordChange: true,
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['currentPassword', 'newPassword'],
    properties: { currentPassword: { type: 'string', maxLength: 1024 }, newPassword: { type: 'string', maxLength: 200 } },
  },
  async run(ctx, input) {
    const p = ctx.principal;
    // Only a person in the signed-in app: a leaked API token must not take over the account.
    if (p.via !== 'session' || !p.sessionId) {
      throw new AppError('forbidden', say(ctx.locale, { zh: '只能在登录后的页面中修改密码', en: 'Change your password in the signed-in app' }));
    }
    const user = await ctx.db.selectFrom('users').select('password_hash').where('id', '=', p.userId).executeTakeFirstOrThrow();
    const field = (key: string, zh: string, en: string) =>
      new AppError('invalid_input', say(ctx.locale, { zh, en }), { fields: { [key]: say(ctx.locale, { zh, en }) } });
    if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
      throw field('currentPassword', '当前密码不正确', 'The current password is wrong');
    }
    const problem = passwordProblem(input.newPassword, ctx.locale);
    if (problem) throw new AppError('invalid_input', problem, { fields: { newPassword: problem } });
    if (input.newPassword === input.currentPassword) {
      // Keeping a password someone else chose is exactly what the forced change prevents.
      throw field('newPassword', '新密码不能与当前密码相同', 'The new password must differ from the current one');
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

const uuid = { type: 'string', format: 'uuid' } as const;

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
  if (!done) throw new AppError('not_found', say(ctx.locale, { zh: '令牌不存在', en: 'Token not found' }));
}

/** Tokens are random 256-bit secrets, so a fast hash (SHA-256) is enough to store them. */
export const createApiToken = defineOperation<
  { name: string; expiresInDays?: (typeof TOKEN_LIFETIMES_DAYS)[number]; readOnly?: boolean },
  { id: string; token: string; prefix: string; expiresAt: string }
>({
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
    },
  },
  async run(ctx, input) {
    if (ctx.principal.via === 'token') {
      // A leaked token must not be able to mint more tokens.
      throw new AppError('forbidden', say(ctx.locale, { zh: 'API 令牌不能创建新令牌', en: 'An API token cannot create tokens' }));
    }
    const token = `fw_${randomBytes(32).toString('base64url')}`;
    const prefix = token.slice(0, 10);
    const days = input.expiresInDays ?? DEFAULT_TOKEN_LIFETIME_DAYS;
    const readOnly = input.readOnly ?? false;
    const row = await ctx.db
      .insertInto('api_tokens')
      .values({
        user_id: ctx.principal.userId,
        name: input.name.trim(),
        token_hash: hashToken(token),
        token_prefix: prefix,
        expires_at: sql<Date>`now() + make_interval(days => ${days})`,
        read_only: readOnly,
      })
      .returning(['id', 'expires_at'])
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'tokens.create', resourceType: 'api_token', resourceId: row.id, details: { prefix, expiresInDays: days, readOnly } });
    return { id: row.id, token, prefix, expiresAt: new Date(row.expires_at).toISOString() };
  },
});

export const listApiTokens = defineOperation<Record<string, never>, ApiTokenDTO[]>({
  name: 'tokens.list',
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx) {
    return tokensOf(ctx, ctx.principal.userId);
  },
});

export const revokeApiToken = defineOperation<{ tokenId: string }, { ok: true }>({
  name: 'tokens.revoke',
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['tokenId'],
    properties: { tokenId: uuid },
  },
  async run(ctx, input) {
    await revokeToken(ctx, ctx.principal.userId, input.tokenId); // only your own
    ctx.audit({ action: 'tokens.revoke', resourceType: 'api_token', resourceId: input.tokenId });
    return { ok: true };
  },
});

/** An admin sees any user's tokens (names, prefixes, use; never the secret), e.g. when someone leaves. */
export const listUserApiTokens = defineOperation<{ userId: string }, ApiTokenDTO[]>({
  name: 'tokens.listForUser',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false, required: ['userId'], properties: { userId: uuid } },
  async run(ctx, input) {
    const user = await ctx.db.selectFrom('users').select('id').where('id', '=', input.userId).executeTakeFirst();
    if (!user) throw new AppError('not_found', say(ctx.locale, { zh: '用户不存在', en: 'User not found' }));
    const tokens = await tokensOf(ctx, input.userId);
    ctx.audit({ action: 'tokens.listForUser', resourceType: 'user', resourceId: input.userId, details: { count: tokens.length } });
    return tokens;
  },
});

/** An admin revokes one of any user's tokens (a leaked script, a departing colleague). */
export const revokeUserApiToken = defineOperation<{ userId: string; tokenId: string }, { ok: true }>({
  name: 'tokens.revokeForUser',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['userId', 'tokenId'], properties: { userId: uuid, tokenId: uuid } },
  async run(ctx, input) {
    await revokeToken(ctx, input.userId, input.tokenId);
    ctx.audit({ action: 'tokens.revokeForUser', resourceType: 'api_token', resourceId: input.tokenId, details: { userId: input.userId } });
    return { ok: true };
  },
});
