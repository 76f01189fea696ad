/**
 * Sign-in hardening (issue 5, items 4, 9 and part of 18): throttling and
 * lockout in the database, hashed sessions honoured by next-auth's own
 * routes, and authentication failures audited without flooding the table.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type World } from '../helpers/world';
import { codeOf, failure } from '../helpers/outcome';
import { getMe, signIn, signOut, sessionActive, unlockAccount } from '@/lib/auth/operations';
import { createUser, listUsers } from '@/lib/directory/operations';
import { getSetupStatus } from '@/lib/setup/operations';
import { authOptions } from '@/lib/auth/next-auth';
import * as forms from '@/app/api/v1/forms/route';
import type { Caller } from '@/lib/auth/principal';

let t: TestDatabase;
let w: World;
useWorld((db, world) => {
  t = db;
  w = world;
});

const from = (ip: string, locale: 'zh-CN' | 'en' = 'zh-CN'): Caller => ({ credential: { type: 'anonymous' }, ip, locale });
const session = (sessionId: string): Caller => ({ credential: { type: 'session', sessionId }, ip: '198.51.100.1', locale: 'zh-CN' });

let n = 0;
/** A fresh user with a real password (world users cannot sign in). */
async function person(): Promise<{ id: string; email: string; password: string }> {
  const email = `signin${++n}-${Date.now()}@example.com`;
  const password = `Right${n}Pass99`;
  const u = await createUser(w.caller('admin'), { email, name: `登录测试${n}`, password });
  return { id: u.id, email, password };
}

const attempt = (ip: string, email: string, password: string) => codeOf(signIn(from(ip), { email, password }));

/** Ends every current lock of these counters, as the clock would. */
const expireLocks = () => sql`update auth_throttle set locked_until = now() - interval '1 second' where locked_until > now()`.execute(t.db);

describe('throttling and lockout (item 4)', () => {
  it('5 wrong passwords from one IP hold that IP back, even with the right password; another IP still signs in', async () => {
    const u = await person();
    for (let i = 0; i < 5; i++) expect(await attempt('203.0.113.10', u.email, 'wrong-password')).toBe('unauthenticated');
    const refused = await failure(signIn(from('203.0.113.10'), { email: u.email, password: u.password }));
    expect(refused.code).toBe('rate_limited');
    expect(refused.message).toMatch(/尝试次数过多，请 1 分钟后再试/);
    expect(Number(refused.details?.retryAfter)).toBeGreaterThan(0);
    // The victim, elsewhere, is not locked out by the attacker's counter.
    expect(await attempt('198.51.100.20', u.email, u.password)).toBe('ok');
  });

  it('backs off: each failure after the threshold doubles the lock, up to the cap', async () => {
    const u = await person();
    for (let i = 0; i < 5; i++) await attempt('203.0.113.11', u.email, 'wrong-password');
    const key = `pair:${u.email}|203.0.113.11`;
    const lockSeconds = async () =>
      Number((await sql<{ s: number }>`select extract(epoch from locked_until - now())::float8 as s from auth_throttle where key = ${key}`.execute(t.db)).rows[0].s);
    expect(await lockSeconds()).toBeGreaterThan(50);
    expect(await lockSeconds()).toBeLessThanOrEqual(60);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      await expireLocks();
      expect(await attempt('203.0.113.11', u.email, 'wrong-password')).toBe('unauthenticated');
      seen.push(Math.round((await lockSeconds()) / 60));
    }
    expect(seen).toEqual([2, 4, 8, 15, 15]);
    // Hammering during a lock is refused without counting: the lock does not grow.
    const before = await lockSeconds();
    for (let i = 0; i < 3; i++) expect(await attempt('203.0.113.11', u.email, 'wrong-password')).toBe('rate_limited');
    expect(await lockSeconds()).toBeLessThanOrEqual(before);
  });

  it('20 failures from several IPs lock the account everywhere (locked), until it ends or an admin unlocks', async () => {
    const u = await person();
    for (let i = 0; i < 20; i++) await attempt(`192.0.2.${i + 1}`, u.email, 'wrong-password');
    const refused = await failure(signIn(from('198.51.100.30', 'en'), { email: u.email, password: u.password }));
    expect(refused.code).toBe('locked');
    expect(refused.message).toMatch(/temporarily locked.*administrator/);
    const listed = (await listUsers(w.caller('admin'), {})).find((x) => x.id === u.id)!;
    expect(listed.lockedUntil).not.toBeNull();
    expect(await codeOf(unlockAccount(w.caller('manager'), { userId: u.id }))).toBe('forbidden');
    await unlockAccount(w.caller('admin'), { userId: u.id });
    expect((await listUsers(w.caller('admin'), {})).find((x) => x.id === u.id)!.lockedUntil).toBeNull();
    expect(await attempt('198.51.100.30', u.email, u.password)).toBe('ok');
    const audit = await t.db.selectFrom('audit_events').select(['action', 'resource_id']).where('action', '=', 'auth.unlockAccount').execute();
    expect(audit.map((a) => a.resource_id)).toContain(u.id);
  });

  it('an unknown e-mail is counted like a known one (the answer does not reveal who has an account)', async () => {
    for (let i = 0; i < 20; i++) await attempt(`192.0.2.${100 + i}`, 'nobody-here@example.com', 'wrong-password');
    expect(await attempt('198.51.100.31', 'nobody-here@example.com', 'whatever1')).toBe('locked');
  });

  it('50 failures from one IP over many accounts hold that IP back; it is not locked forever', async () => {
    const u = await person();
    for (let i = 0; i < 50; i++) await attempt('203.0.113.50', `spray${i}@example.com`, 'Password1');
    expect(await attempt('203.0.113.50', u.email, u.password)).toBe('rate_limited');
    const row = await t.db.selectFrom('auth_throttle').select(sql<number>`extract(epoch from locked_until - now())::float8`.as('s')).where('key', '=', 'ip:203.0.113.50').executeTakeFirstOrThrow();
    expect(Number(row.s)).toBeLessThanOrEqual(3600);
    expect(await attempt('198.51.100.50', u.email, u.password)).toBe('ok');
  });

  it('a flood of parallel sign-ins is refused fast (rate_limited) and does not starve other requests', async () => {
    const u = await person();
    let settled = 0;
    const flood = Array.from({ length: 60 }, (_, i) => attempt(`10.9.${i}.1`, u.email, 'wrong-password').finally(() => void settled++));
    // Order, not time (no timing assertions in tests): the unrelated request must
    // not queue behind the flood's password hashing. Before the cap it finished
    // only after every one of the 60 argon2 verifications.
    await getSetupStatus(from('10.8.0.1'), {});
    const settledWhenUnrelatedDone = settled;
    const codes = await Promise.all(flood);
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThan(30);
    expect(codes.every((c) => c === 'rate_limited' || c === 'unauthenticated')).toBe(true);
    expect(settledWhenUnrelatedDone).toBeLessThan(60);
  });

  it('a failed sign-in keeps the typed text in the audit only when it is an e-mail address (item 18)', async () => {
    await attempt('203.0.113.60', 'MySecretPassw0rd!', 'x');
    await attempt('203.0.113.60', 'typo@example.com', 'x');
    const rows = await t.db.selectFrom('audit_events').select(['actor_label', 'details']).where('action', '=', 'auth.signIn').where('ip', '=', '203.0.113.60').execute();
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain('MySecretPassw0rd');
    expect(rows.map((r) => r.actor_label).sort()).toEqual(['typo@example.com', null].sort());
  });
});

describe('sessions stored hashed (item 9)', () => {
  it('a database dump of sessions holds no usable secret; the row id is not a credential', async () => {
    const u = await person();
    const s = await signIn(from('198.51.100.70'), { email: u.email, password: u.password });
    const rows = await t.db.selectFrom('sessions').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(s.sessionId);
    const mine = await t.db.selectFrom('sessions').selectAll().where('user_id', '=', u.id).executeTakeFirstOrThrow();
    expect(mine.secret_hash).toBe(createHash('sha256').update(s.sessionId).digest('hex'));
    expect(await codeOf(getMe(session(s.sessionId), {}))).toBe('ok');
    // Everything a database reader has: the id, the hash. Neither signs in.
    for (const stolen of [mine.id, mine.secret_hash]) expect(await codeOf(getMe(session(stolen), {}))).toBe('unauthenticated');
  });

  it('/api/auth/session answers no user once the session is revoked; next-auth sign-out revokes it on the server', async () => {
    const u = await person();
    const options = authOptions();
    const sessionOf = (sid: string) =>
      options.callbacks!.session!({ session: { user: { email: u.email }, expires: new Date(Date.now() + 3600_000).toISOString() }, token: { sid } } as never);

    const first = await signIn(from('198.51.100.71'), { email: u.email, password: u.password });
    // Signed in: the user, but never the session secret (browser JavaScript
    // reads /api/auth/session; an XSS there must not learn a replayable sid).
    const live = await sessionOf(first.sessionId);
    expect(live).toMatchObject({ user: { email: u.email } });
    expect(live).not.toHaveProperty('sid');
    expect(JSON.stringify(live)).not.toContain(first.sessionId);
    await signOut(session(first.sessionId), {});
    expect(await sessionOf(first.sessionId)).toEqual({});

    const second = await signIn(from('198.51.100.71'), { email: u.email, password: u.password });
    expect((await sessionActive(session(second.sessionId), {})).active).toBe(true);
    await options.events!.signOut!({ token: { sid: second.sessionId } } as never);
    expect((await sessionActive(session(second.sessionId), {})).active).toBe(false);
    expect(await sessionOf(second.sessionId)).toEqual({});
  });
});

describe('API token failures (items 4 and 18)', () => {
  const get = (token: string, ip: string) =>
    forms.GET(new Request('http://localhost/api/v1/forms', { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip } }), {
      params: Promise.resolve({}),
    });

  it('bad bearer tokens are throttled per IP (429 with Retry-After), audited at most once a minute with a count', async () => {
    const ip = '203.0.113.80';
    for (let i = 0; i < 20; i++) expect((await get(`fw_guess${i}`, ip)).status).toBe(401);
    const limited = await get('fw_guess-more', ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even a valid token from the locked IP: guessing must not be confirmed during a lock.
    expect((await get(w.tokens.sales1, ip)).status).toBe(429);
    expect((await get(w.tokens.sales1, '198.51.100.80')).status).toBe(200);

    const events = () => t.db.selectFrom('audit_events').select(['action', 'details']).where('ip', '=', ip).execute();
    const first = await events();
    expect(first).toHaveLength(1);
    expect(first[0].action).toBe('rest.authenticate');
    // A minute later the next failure writes one event counting every failure since.
    await sql`update auth_throttle set audited_at = now() - interval '61 seconds' where key = ${`audit:rest-auth:${ip}`}`.execute(t.db);
    await get('fw_guess-later', ip);
    const second = await events();
    expect(second).toHaveLength(2);
    const counts = second.map((e) => (typeof e.details === 'string' ? JSON.parse(e.details) : e.details).count).sort((a, b) => a - b);
    expect(counts).toEqual([1, 22]);
  });

  it('a call without a token is audited too (throttled the same way)', async () => {
    const ip = '203.0.113.81';
    for (let i = 0; i < 3; i++) {
      const res = await forms.GET(new Request('http://localhost/api/v1/forms', { headers: { 'x-forwarded-for': ip } }), { params: Promise.resolve({}) });
      expect(res.status).toBe(401);
    }
    const rows = await t.db.selectFrom('audit_events').select(['action', 'details']).where('ip', '=', ip).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].details).toMatchObject({ reason: 'no_token', path: '/api/v1/forms' });
  });
});
