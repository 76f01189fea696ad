import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { buildWorld, type World } from '../helpers/world';
import { signIn, createApiToken, revokeApiToken, listApiTokens, changePassword } from '@/lib/auth/operations';
import { createUser, setUserStatus, resetPassword, updateUser } from '@/lib/directory/operations';
import { createFirstAdmin, getSetupStatus } from '@/lib/setup/operations';
import { listRecords } from '@/lib/records/operations';
import { useDatabase } from '@/lib/db/connection';
import { codeOf } from '../helpers/outcome';
import type { Caller } from '@/lib/auth/principal';

const anonymous: Caller = { credential: { type: 'anonymous' }, ip: '10.0.0.9', locale: 'zh-CN' };
const code = codeOf;

// The world of the sign-in tests: a first admin (root) and the test company,
// built here rather than by the first-run test, so no test depends on another.
let t: TestDatabase;
let w: World;
beforeAll(async () => {
  t = await createTestDatabase();
  await createFirstAdmin(anonymous, { email: 'root@example.com', name: 'Root', password: 'Root12345', loadExample: false });
  w = await buildWorld(t.db);
});
afterAll(async () => t?.drop());

describe('first run', () => {
  it('offers setup on an empty database, exactly once', async () => {
    // Setup needs an empty database: its own, dropped afterwards.
    const empty = await createTestDatabase();
    onTestFinished(async () => {
      useDatabase(t.db);
      await empty.drop();
    });
    expect(await getSetupStatus(anonymous, {})).toEqual({ needsSetup: true });
    const weak = await code(createFirstAdmin(anonymous, { email: 'root@example.com', name: 'Root', password: 'short', loadExample: false }));
    expect(weak).toBe('invalid_input');
    expect(await getSetupStatus(anonymous, {})).toEqual({ needsSetup: true });
    const done = await createFirstAdmin(anonymous, { email: 'Root@Example.com', name: 'Root', password: 'Root12345', loadExample: false });
    expect(done.userId).toMatch(/-/);
    expect(await getSetupStatus(anonymous, {})).toEqual({ needsSetup: false });
    expect(await code(createFirstAdmin(anonymous, { email: 'evil@example.com', name: 'E', password: 'Evil12345', loadExample: false }))).toBe('setup_required');
    // The e-mail is kept in lower case: the admin signs in as typed either way.
    expect((await signIn(anonymous, { email: 'root@example.com', password: 'Root12345' })).userId).toBe(done.userId);
  });
});

describe('sign-in and sessions', () => {
  it('signs in with email and password, and refuses wrong ones the same way', async () => {
    // From an address of this test's own: it counts only its own attempts.
    const here: Caller = { ...anonymous, ip: '10.0.0.41' };
    const s = await signIn(here, { email: 'root@example.com', password: 'Root12345' });
    expect(s.isAdmin).toBe(true);
    const wrong = await code(signIn(here, { email: 'root@example.com', password: 'nope' }));
    const unknown = await code(signIn(here, { email: 'ghost@example.com', password: 'nope' }));
    expect(wrong).toBe('unauthenticated');
    expect(unknown).toBe('unauthenticated');
    const failures = await t.db
      .selectFrom('audit_events')
      .select(['outcome', 'details', 'ip'])
      .where('action', '=', 'auth.signIn')
      .where('outcome', '=', 'denied')
      .where('ip', '=', here.ip)
      .execute();
    expect(failures).toHaveLength(2);
    expect(JSON.stringify(failures)).not.toContain('nope'); // never the password
  });

  it('disabling a user ends their session at the next request, and their tokens', async () => {
    const caller = (sessionId: string): Caller => ({ credential: { type: 'session', sessionId }, ip: '127.0.0.1', locale: 'zh-CN' });
    const admin = await signIn(anonymous, { email: 'root@example.com', password: 'Root12345' });
    const u = await createUser(caller(admin.sessionId), {
      email: 'temp@example.com',
      name: '临时销售',
      password: 'Temp12345',
      departmentId: w.departments.sales1,
    });
    await updateUser(caller(admin.sessionId), { userId: u.id, groupIds: [(await t.db.selectFrom('groups').select('id').where('name', '=', '销售').executeTakeFirstOrThrow()).id] });
    const s = await signIn(anonymous, { email: 'temp@example.com', password: 'Temp12345' });
    // The admin chose Temp12345: the user replaces it before anything else.
    await changePassword(caller(s.sessionId), { currentPassword: 'Temp12345', newPassword: 'Mine12345' });
    const token = await createApiToken(caller(s.sessionId), { name: 'mine' });
    const tokenCaller: Caller = { credential: { type: 'token', token: token.token }, ip: '127.0.0.1', locale: 'zh-CN' };
    expect(await code(listRecords(caller(s.sessionId), { formId: w.formId }))).toBe('ok');
    expect(await code(listRecords(tokenCaller, { formId: w.formId }))).toBe('ok');

    await setUserStatus(caller(admin.sessionId), { userId: u.id, status: 'disabled' });
    expect(await code(listRecords(caller(s.sessionId), { formId: w.formId }))).toBe('unauthenticated');
    expect(await code(listRecords(tokenCaller, { formId: w.formId }))).toBe('unauthenticated');
    expect(await code(signIn(anonymous, { email: 'temp@example.com', password: 'Mine12345' }))).toBe('unauthenticated');

    // Re-enabling does not revive the old session.
    await setUserStatus(caller(admin.sessionId), { userId: u.id, status: 'active' });
    expect(await code(listRecords(caller(s.sessionId), { formId: w.formId }))).toBe('unauthenticated');
    await resetPassword(caller(admin.sessionId), { userId: u.id, password: 'Fresh12345' });
    expect(await code(signIn(anonymous, { email: 'temp@example.com', password: 'Mine12345' }))).toBe('unauthenticated');
    expect(await code(signIn(anonymous, { email: 'temp@example.com', password: 'Fresh12345' }))).toBe('ok');
  });

  it('tokens: stored hashed, shown once, revocable, only by their owner', async () => {
    const s = await signIn(anonymous, { email: 'root@example.com', password: 'Root12345' });
    const c: Caller = { credential: { type: 'session', sessionId: s.sessionId }, ip: '127.0.0.1', locale: 'en' };
    const created = await createApiToken(c, { name: 'ci' });
    const stored = await t.db.selectFrom('api_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    // Stored as its SHA-256 only (a hex hash could never contain the fw_… token: check the hash itself),
    // and no column of the row holds the token.
    expect(stored.token_hash).toBe(createHash('sha256').update(created.token, 'utf8').digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect(JSON.stringify(await listApiTokens(c, {}))).not.toContain(created.token);
    const asToken: Caller = { credential: { type: 'token', token: created.token }, ip: '127.0.0.1', locale: 'en' };
    expect(await code(createApiToken(asToken, { name: 'more' }))).toBe('forbidden');
    expect(await code(revokeApiToken(w.caller('sales1'), { tokenId: created.id }))).toBe('not_found');
    await revokeApiToken(c, { tokenId: created.id });
    expect(await code(listApiTokens(asToken, {}))).toBe('unauthenticated');
  });

  it('non-admins cannot configure', async () => {
    expect(await code(createUser(w.caller('manager'), { email: 'x@example.com', name: 'x', password: 'Xx123456' }))).toBe('forbidden');
    expect(await code(setUserStatus(w.caller('sales1'), { userId: w.users.sales2, status: 'disabled' }))).toBe('forbidden');
  });
});
