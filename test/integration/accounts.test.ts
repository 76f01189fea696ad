/**
 * Accounts: API tokens follow their user (reset, disable, expiry, read-only,
 * last use, admin oversight) and staff change their own password.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshWorld, useWorld, type World } from '../helpers/world';
import type { TestDatabase } from '../helpers/db';
import { codeOf, failure } from '../helpers/outcome';
import { changePassword, createApiToken, getMe, listApiTokens, listUserApiTokens, revokeUserApiToken, signIn } from '@/lib/auth/operations';
import { createUser, listUsers, resetPassword, setUserStatus } from '@/lib/directory/operations';
import { createRecord, listRecords } from '@/lib/records/operations';
import type { Caller } from '@/lib/auth/principal';

let t: TestDatabase;
let w: World;
useWorld((db, world) => {
  t = db;
  w = world;
});

const anonymous: Caller = { credential: { type: 'anonymous' }, ip: '10.0.0.9', locale: 'en' };
const session = (sessionId: string): Caller => ({ credential: { type: 'session', sessionId }, ip: '127.0.0.1', locale: 'en' });
const bearer = (token: string): Caller => ({ credential: { type: 'token', token }, ip: '127.0.0.1', locale: 'en' });
const tokenRow = (token: string, db: TestDatabase = t) =>
  db.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', sql<string>`encode(sha256(convert_to(${token}, 'UTF8')), 'hex')`)
    .executeTakeFirstOrThrow();

describe('API tokens follow their user', () => {
  it('a password reset revokes every token of the user', async () => {
    // Revokes a world user's tokens: its own world, so no other test meets them dead.
    const { t, w } = await freshWorld();
    expect(await codeOf(listRecords(w.tokenCaller('sales3'), { formId: w.formId }))).toBe('ok');
    await resetPassword(w.caller('admin'), { userId: w.users.sales3, password: 'Reset12345' });
    expect(await codeOf(listRecords(w.tokenCaller('sales3'), { formId: w.formId }))).toBe('unauthenticated');
    expect((await tokenRow(w.tokens.sales3, t)).revoked_at).not.toBeNull();
  });

  it('disabling revokes the tokens, and re-enabling does not revive them', async () => {
    // Revokes a world user's tokens: its own world, so no other test meets them dead.
    const { t, w } = await freshWorld();
    expect(await codeOf(listRecords(w.tokenCaller('sales2'), { formId: w.formId }))).toBe('ok');
    await setUserStatus(w.caller('admin'), { userId: w.users.sales2, status: 'disabled' });
    expect(await codeOf(listRecords(w.tokenCaller('sales2'), { formId: w.formId }))).toBe('unauthenticated');
    await setUserStatus(w.caller('admin'), { userId: w.users.sales2, status: 'active' });
    expect(await codeOf(listRecords(w.tokenCaller('sales2'), { formId: w.formId }))).toBe('unauthenticated');
    expect((await tokenRow(w.tokens.sales2, t)).revoked_at).not.toBeNull();
    // The user themself works again: only the tokens stay dead.
    expect(await codeOf(listRecords(w.caller('sales2'), { formId: w.formId }))).toBe('ok');
  });

  it('expires after the lifetime chosen at creation (90 days by default), and an expired token is refused', async () => {
    const plain = await createApiToken(w.caller('sales1'), { name: 'default' });
    const days = (iso: string) => Math.round((new Date(iso).getTime() - Date.now()) / 86_400_000);
    expect(days(plain.expiresAt)).toBe(90);
    const short = await createApiToken(w.caller('sales1'), { name: 'short', expiresInDays: 30 });
    expect(days(short.expiresAt)).toBe(30);
    expect(await codeOf(createApiToken(w.caller('sales1'), { name: 'forever', expiresInDays: 0 as 30 }))).toBe('invalid_input');

    expect(await codeOf(listRecords(bearer(short.token), { formId: w.formId }))).toBe('ok');
    await t.db.updateTable('api_tokens').set({ expires_at: sql`now() - interval '1 second'` }).where('id', '=', short.id).execute();
    expect(await codeOf(listRecords(bearer(short.token), { formId: w.formId }))).toBe('unauthenticated');
    const listed = (await listApiTokens(w.caller('sales1'), {})).find((x) => x.id === short.id)!;
    expect(listed.expired).toBe(true);
  });

  it('a read-only token may read but is refused on a write, and nothing is stored', async () => {
    const ro = await createApiToken(w.caller('sales1'), { name: 'report', readOnly: true });
    expect(await codeOf(listRecords(bearer(ro.token), { formId: w.formId }))).toBe('ok');
    const before = await t.db.selectFrom('records').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const refused = await failure(createRecord(bearer(ro.token), { formId: w.formId, values: { name: '只读写入', phone: '13800001111' } }));
    expect(refused.code).toBe('forbidden');
    expect(refused.message).toMatch(/read-only/);
    const after = await t.db.selectFrom('records').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // The same user's ordinary token may write.
    expect(await codeOf(createRecord(w.tokenCaller('sales1'), { formId: w.formId, values: { name: '普通写入', phone: '13800001112' } }))).toBe('ok');
  });

  it('writes last_used_at, at most once a minute', async () => {
    const tok = await createApiToken(w.caller('sales1'), { name: 'usage' });
    expect((await tokenRow(tok.token)).last_used_at).toBeNull();
    await listRecords(bearer(tok.token), { formId: w.formId });
    const first = (await tokenRow(tok.token)).last_used_at;
    expect(first).not.toBeNull();
    await listRecords(bearer(tok.token), { formId: w.formId });
    expect((await tokenRow(tok.token)).last_used_at).toEqual(first); // not rewritten within the minute
    await t.db.updateTable('api_tokens').set({ last_used_at: sql`now() - interval '61 seconds'` }).where('id', '=', tok.id).execute();
    const old = (await tokenRow(tok.token)).last_used_at!;
    await listRecords(bearer(tok.token), { formId: w.formId });
    expect(new Date((await tokenRow(tok.token)).last_used_at!).getTime()).toBeGreaterThan(new Date(old).getTime());
  });

  it('an admin lists and revokes another user’s tokens; others cannot', async () => {
    const tok = await createApiToken(w.caller('support'), { name: 'crm sync' });
    const listed = await listUserApiTokens(w.caller('admin'), { userId: w.users.support });
    expect(listed.map((x) => x.id)).toContain(tok.id);
    expect(JSON.stringify(listed)).not.toContain(tok.token);
    expect(await codeOf(listUserApiTokens(w.caller('manager'), { userId: w.users.support }))).toBe('forbidden');
    expect(await codeOf(revokeUserApiToken(w.caller('manager'), { userId: w.users.support, tokenId: tok.id }))).toBe('forbidden');
    expect(await codeOf(revokeUserApiToken(w.tokenCaller('support'), { userId: w.users.support, tokenId: tok.id }))).toBe('forbidden');
    // The token id must belong to the user named: no revoking by guessing ids across users.
    expect(await codeOf(revokeUserApiToken(w.caller('admin'), { userId: w.users.sales1, tokenId: tok.id }))).toBe('not_found');
    expect(await codeOf(listRecords(bearer(tok.token), { formId: w.formId }))).toBe('ok');
    await revokeUserApiToken(w.caller('admin'), { userId: w.users.support, tokenId: tok.id });
    expect(await codeOf(listRecords(bearer(tok.token), { formId: w.formId }))).toBe('unauthenticated');
    const audit = await t.db.selectFrom('audit_events').select(['actor_id', 'resource_id']).where('action', '=', 'tokens.revokeForUser').where('outcome', '=', 'ok').execute();
    expect(audit).toEqual([{ actor_id: w.users.admin, resource_id: tok.id }]);
  });
});

describe('passwords', () => {
  it('after an admin reset the user must set a new one at first sign-in; other operations refuse', async () => {
    await resetPassword(w.caller('admin'), { userId: w.users.lead1, password: 'Admin2Chose' });
    const s = await signIn(anonymous, { email: 'lead1@example.com', password: 'Admin2Chose' });
    expect((await getMe(session(s.sessionId), {})).mustChangePassword).toBe(true);
    expect(await codeOf(listRecords(session(s.sessionId), { formId: w.formId }))).toBe('password_change_required');
    expect(await codeOf(createApiToken(session(s.sessionId), { name: 'sneak' }))).toBe('password_change_required');
    const pending = async () => (await listUsers(w.caller('admin'), {})).find((u) => u.id === w.users.lead1)!.mustChangePassword;
    expect(await pending()).toBe(true); // the admin sees who has not chosen a password yet
    await changePassword(session(s.sessionId), { currentPassword: 'Admin2Chose', newPassword: 'MyOwn2Choice' });
    expect((await getMe(session(s.sessionId), {})).mustChangePassword).toBe(false);
    expect(await pending()).toBe(false);
    expect(await codeOf(listRecords(session(s.sessionId), { formId: w.formId }))).toBe('ok');
  });

  it('a new account made by an admin also starts with a forced change', async () => {
    await createUser(w.caller('admin'), { email: 'newbie@example.com', name: '新人', password: 'Welcome123' });
    const s = await signIn(anonymous, { email: 'newbie@example.com', password: 'Welcome123' });
    expect(await codeOf(listRecords(session(s.sessionId), { formId: w.formId }))).toBe('password_change_required');
    // The refusal is audited as denied (like forbidden), not as a failure of the system.
    const refused = await t.db
      .selectFrom('audit_events')
      .select('outcome')
      .where('actor_id', '=', s.userId)
      .where('action', '=', 'records.list')
      .execute();
    expect(refused).toEqual([{ outcome: 'denied' }]);
  });

  it('staff change their own password: wrong current refused, other sessions end, this one stays', async () => {
    await resetPassword(w.caller('admin'), { userId: w.users.nobody, password: 'Start12345' });
    const a = await signIn(anonymous, { email: 'nobody@example.com', password: 'Start12345' });
    const b = await signIn(anonymous, { email: 'nobody@example.com', password: 'Start12345' });

    const wrong = await failure(changePassword(session(a.sessionId), { currentPassword: 'Guess12345', newPassword: 'Next12345' }));
    expect(wrong.code).toBe('invalid_input');
    expect(Object.keys(wrong.details?.fields ?? {})).toEqual(['currentPassword']);
    const weak = await failure(changePassword(session(a.sessionId), { currentPassword: 'Start12345', newPassword: 'short' }));
    expect(Object.keys(weak.details?.fields ?? {})).toEqual(['newPassword']);
    const same = await failure(changePassword(session(a.sessionId), { currentPassword: 'Start12345', newPassword: 'Start12345' }));
    expect(Object.keys(same.details?.fields ?? {})).toEqual(['newPassword']);
    // Nothing changed by the refusals: both sessions alive, old password still valid.
    expect(await codeOf(getMe(session(b.sessionId), {}))).toBe('ok');

    const done = await changePassword(session(a.sessionId), { currentPassword: 'Start12345', newPassword: 'Next12345' });
    expect(done.sessionsEnded).toBe(1);
    expect(await codeOf(getMe(session(a.sessionId), {}))).toBe('ok');
    expect(await codeOf(getMe(session(b.sessionId), {}))).toBe('unauthenticated');
    expect(await codeOf(signIn(anonymous, { email: 'nobody@example.com', password: 'Start12345' }))).toBe('unauthenticated');
    expect(await codeOf(signIn(anonymous, { email: 'nobody@example.com', password: 'Next12345' }))).toBe('ok');
    const audit = await t.db.selectFrom('audit_events').select(['outcome']).where('action', '=', 'auth.changePassword').where('actor_id', '=', w.users.nobody).execute();
    expect(audit.map((e) => e.outcome).sort()).toEqual(['invalid', 'invalid', 'invalid', 'ok']);
    expect(JSON.stringify(await t.db.selectFrom('audit_events').selectAll().execute())).not.toMatch(/Next12345|Start12345|Guess12345/);
  });

  it('a stolen session cannot guess the current password: 5 wrong within 15 minutes stop further tries', async () => {
    await resetPassword(w.caller('admin'), { userId: w.users.sales2, password: 'Start12345' });
    const stolen = session((await signIn(anonymous, { email: 'sales2@example.com', password: 'Start12345' })).sessionId);
    for (let i = 0; i < 5; i++) {
      expect((await failure(changePassword(stolen, { currentPassword: `Guess${i}2345`, newPassword: 'Taken12345' }))).code).toBe('invalid_input');
    }
    // Even the right current password is refused now: the guesser cannot tell it was right.
    const limited = await failure(changePassword(stolen, { currentPassword: 'Start12345', newPassword: 'Taken12345' }));
    expect(limited.code).toBe('rate_limited');
    expect(limited.message).toMatch(/15 (分钟|min)/);
    expect(await codeOf(signIn(anonymous, { email: 'sales2@example.com', password: 'Start12345' }))).toBe('ok');
  });

  it('an API token cannot change the password', async () => {
    const tok = await createApiToken(w.caller('manager'), { name: 'script' });
    expect(await codeOf(changePassword(bearer(tok.token), { currentPassword: 'x', newPassword: 'Other12345' }))).toBe('forbidden');
  });
});
