/** Sign-in, sign-out and personal API tokens. */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { defineOperation } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { env } from '@/lib/env';
import { say } from '@/lib/i18n';
import { dummyPasswordHash, verifyPassword } from './passwords';
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
  input: { type: 'object', additionalProperties: false },
  async run(ctx) {
    if (ctx.principal.sessionId) {
      await ctx.db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('id', '=', ctx.principal.sessionId).execute();
    }
    ctx.audit({ action: 'auth.signOut', resourceType: 'session', resourceId: ctx.principal.sessionId });
    return { ok: true };
  },
});

/** The signed-in user as the UI needs them: name, admin flag, language. */
export const getMe = defineOperation<Record<string, never>, { id: string; name: string; email: string; isAdmin: boolean; departmentId: string | null }>({
  name: 'auth.me',
  permission: 'authenticated',
  readOnly: true,
  // Every page render reads it: one's own profile is not evidence, only noise.
  audit: false,
  input: { type: 'object', additionalProperties: false },
  async run(ctx) {
    const p = ctx.principal;
    return { id: p.userId, name: p.name, email: p.email, isAdmin: p.isAdmin, departmentId: p.departmentId };
  },
});

export interface ApiTokenDTO {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/**
 * Tokens are random 256-bit secrets, so a fast hash (SHA-256) is enough to
 * store them. A signed-in user mints their own; the system caller (`fw token
 * create`) names the user, so minting exists once, here, and is audited.
 */
export const createApiToken = defineOperation<{ name: string; userId?: string }, { id: string; token: string; prefix: string }>({
  name: 'tokens.create',
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, userId: { type: 'string', format: 'uuid' } },
  },
  async run(ctx, input) {
    if (ctx.principal.via === 'token') {
      // A leaked token must not be able to mint more tokens.
      throw new AppError('forbidden', say(ctx.locale, { zh: 'API 令牌不能创建新令牌', en: 'An API token cannot create tokens' }));
    }
    let userId = ctx.principal.userId;
    if (ctx.principal.systemLabel && input.userId === undefined) {
      throw new AppError('invalid_input', say(ctx.locale, { zh: '请指定用户', en: 'Name the user the token acts as' }), { fields: { userId: say(ctx.locale, { zh: '必填', en: 'Required' }) } });
    }
    if (input.userId !== undefined && input.userId !== userId) {
      // Minting for someone else is the system's (CLI's) alone: an admin
      // holding another user's token could read what that user may read.
      if (!ctx.principal.systemLabel) {
        throw new AppError('forbidden', say(ctx.locale, { zh: '只能为自己创建令牌', en: 'You can create tokens only for yourself' }));
      }
      const user = await ctx.db.selectFrom('users').select(['id', 'status']).where('id', '=', input.userId).executeTakeFirst();
      if (!user) throw new AppError('not_found', say(ctx.locale, { zh: '用户不存在', en: 'User not found' }));
      if (user.status !== 'active') throw new AppError('invalid_input', say(ctx.locale, { zh: '该用户已停用', en: 'The user is disabled' }));
      userId = user.id;
    }
    const token = `fw_${randomBytes(32).toString('base64url')}`;
    const prefix = token.slice(0, 10);
    const row = await ctx.db
      .insertInto('api_tokens')
      .values({ user_id: userId, name: input.name.trim(), token_hash: hashToken(token), token_prefix: prefix })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'tokens.create', resourceType: 'api_token', resourceId: row.id, details: { prefix, userId } });
    return { id: row.id, token, prefix };
  },
});

export const listApiTokens = defineOperation<Record<string, never>, ApiTokenDTO[]>({
  name: 'tokens.list',
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx) {
    const rows = await ctx.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'token_prefix', 'created_at', 'last_used_at', 'revoked_at'])
      .where('user_id', '=', ctx.principal.userId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.token_prefix,
      createdAt: new Date(r.created_at).toISOString(),
      lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
      revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    }));
  },
});

export const revokeApiToken = defineOperation<{ tokenId: string }, { ok: true }>({
  name: 'tokens.revoke',
  permission: 'authenticated',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['tokenId'],
    properties: { tokenId: { type: 'string', format: 'uuid' } },
  },
  async run(ctx, input) {
    const done = await ctx.db
      .updateTable('api_tokens')
      .set({ revoked_at: sql`now()` })
      .where('id', '=', input.tokenId)
      .where('user_id', '=', ctx.principal.userId) // only your own
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!done) throw new AppError('not_found', say(ctx.locale, { zh: '令牌不存在', en: 'Token not found' }));
    ctx.audit({ action: 'tokens.revoke', resourceType: 'api_token', resourceId: input.tokenId });
    return { ok: true };
  },
});
