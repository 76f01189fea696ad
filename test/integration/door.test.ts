/**
 * The one door at run time: the system caller cannot be forged, the system
 * principal configures but opens no record, and failed attempts leave a
 * trace of what was asked for (issue 5, items 2 and 18).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useWorld, type World } from '../helpers/world';
import type { TestDatabase } from '../helpers/db';
import { codeOf } from '../helpers/outcome';
import type { Caller } from '@/lib/auth/principal';
import { unsafeCallerAs, unsafeSystemCaller } from '@/lib/auth/system-caller';
import { createUser, listGroups, listUsers } from '@/lib/directory/operations';
import { createApiToken, getMe } from '@/lib/auth/operations';
import { getRecord, listDeletedRecords, listRecords, listUsableForms, updateRecord } from '@/lib/records/operations';
import { loadExample } from '@/lib/setup/operations';

let t: TestDatabase;
let w: World;
useWorld((db, world) => {
  t = db;
  w = world;
});

const events = (where: { action: string; actorLabel?: string; ip?: string }) => {
  let q = t.db.selectFrom('audit_events').selectAll().where('action', '=', where.action);
  if (where.actorLabel) q = q.where('actor_label', '=', where.actorLabel);
  if (where.ip) q = q.where('ip', '=', where.ip);
  return q.orderBy('id', 'desc').execute();
};
const asIds = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as string[] | null;

describe('the system caller cannot be forged', () => {
  const forged = (credential: object, ip: string): Caller => ({ credential: credential as Caller['credential'], ip, locale: 'en' });

  it('a hand-built unsafe-system credential is refused as unauthenticated, and the attempt is audited', async () => {
    expect(await codeOf(listUsers(forged({ type: 'unsafe-system', label: 'cli', userId: w.users.admin }, '10.6.6.1'), {}))).toBe('unauthenticated');
    expect(await codeOf(listUsers(forged({ type: 'unsafe-system', label: 'cli' }, '10.6.6.2'), {}))).toBe('unauthenticated');
    expect(await codeOf(getMe(forged({ type: 'unsafe-system', userId: w.users.sales1 }, '10.6.6.3'), {}))).toBe('unauthenticated');
    // A copy of a real one is a lookalike too: the brand is the object itself.
    const real = unsafeSystemCaller();
    expect(await codeOf(listUsers({ ...real, ip: '10.6.6.4', credential: { ...real.credential } }, {}))).toBe('unauthenticated');
    const denied = await events({ action: 'directory.listUsers', ip: '10.6.6.1' });
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ outcome: 'denied', actor_id: null });
  });

  it('the factories work, and a real credential cannot be altered to act as someone else', async () => {
    expect((await listUsers(unsafeSystemCaller(), {})).length).toBeGreaterThan(5);
    expect((await getMe(w.caller('sales1'), {})).id).toBe(w.users.sales1);
    const c = unsafeCallerAs(w.users.sales1);
    expect(() => {
      (c.credential as { userId?: string }).userId = w.users.admin;
    }).toThrow(TypeError);
    expect(await codeOf(getMe(unsafeCallerAs(randomUUID()), {}))).toBe('unauthenticated');
  });
});

describe('the system principal configures, never opens records', () => {
  it('creates users with department and groups, audited as "cli" with no user id', async () => {
    const system = unsafeSystemCaller({ label: 'cli' });
    const support = (await listGroups(system, {})).find((g) => g.name === '客服')!;
    const created = await createUser(system, {
      email: 'ops@example.com',
      name: 'Ops',
      password: 'Ops12345',
      departmentId: w.departments.support,
      groupIds: [support.id],
    });
    expect(created.department?.id).toBe(w.departments.support);
    expect(created.groups.map((g) => g.id)).toEqual([support.id]);
    const [event] = await events({ action: 'directory.createUser', actorLabel: 'cli' });
    expect(event).toMatchObject({ actor_id: null, actor_label: 'cli', outcome: 'ok', resource_id: created.id });
  });

  it('sees no record of any form', async () => {
    const system = unsafeSystemCaller();
    expect(await codeOf(getRecord(system, { formId: w.formId, recordId: w.records.sales1[0] }))).toBe('not_found');
    expect(['not_found', 'forbidden']).toContain(await codeOf(listRecords(system, { formId: w.formId })));
    expect(await codeOf(updateRecord(system, { formId: w.formId, recordId: w.records.sales1[0], values: { notes: 'x' }, version: 1 }))).not.toBe('ok');
    expect((await listUsableForms(system, {})).filter((f) => f.can.view)).toEqual([]);
    // Admin-only record screens (the recycle bin) follow grants too.
    expect(await codeOf(listDeletedRecords(system, { formId: w.formId }))).not.toBe('ok');
  });

  it('mints a token for a named user through tokens.create; nobody else can', async () => {
    const system = unsafeSystemCaller();
    expect(await codeOf(createApiToken(system, { name: 'no user' }))).toBe('invalid_input');
    const { token } = await createApiToken(system, { name: 'ci', userId: w.users.sales1 });
    expect((await getMe({ credential: { type: 'token', token }, ip: '', locale: 'en' }, {})).id).toBe(w.users.sales1);
    const [event] = await events({ action: 'tokens.create', actorLabel: 'cli' });
    expect(event.details).toMatchObject({ userId: w.users.sales1 });
    // An admin cannot mint a token that acts as someone else.
    expect(await codeOf(createApiToken(w.caller('admin'), { name: 'steal', userId: w.users.sales1 }))).toBe('forbidden');
  });

  it('only the system loads the example', async () => {
    expect(await codeOf(loadExample(w.caller('admin'), { password: 'Example123', records: 0 }))).toBe('forbidden');
  });
});

describe('audit of failed attempts and of page renders (item 18)', () => {
  it('a not-found read names the form and record that were asked for', async () => {
    const probe = w.records.sales2[1];
    expect(await codeOf(getRecord(w.caller('sales1'), { formId: w.formId, recordId: probe }))).toBe('not_found');
    const [e] = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'records.get')
      .where('actor_id', '=', w.users.sales1)
      .where('outcome', '=', 'not_found')
      .orderBy('id', 'desc')
      .execute();
    expect(e.form_id).toBe(w.formId);
    expect(asIds(e.record_ids)).toEqual([probe]);
  });

  it('a refused write and a probe of an unknown form are traced too', async () => {
    const probe = w.records.sales1[2];
    expect(await codeOf(updateRecord(w.caller('support'), { formId: w.formId, recordId: probe, values: { notes: 'x' }, version: 1 }))).not.toBe('ok');
    const [upd] = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'records.update').where('actor_id', '=', w.users.support).orderBy('id', 'desc').execute();
    expect(upd.outcome).not.toBe('ok');
    expect(upd.form_id).toBe(w.formId);
    expect(asIds(upd.record_ids)).toEqual([probe]);

    const unknownForm = randomUUID();
    expect(await codeOf(listRecords(w.caller('sales3'), { formId: unknownForm }))).toBe('not_found');
    const [list] = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'records.list').where('actor_id', '=', w.users.sales3).orderBy('id', 'desc').execute();
    expect(list.form_id).toBe(unknownForm);
  });

  it('ids that are not well-formed UUIDs are not copied into the log', async () => {
    expect(await codeOf(getRecord(w.caller('lead1'), { formId: w.formId, recordId: 'not-a-uuid' }))).toBe('invalid_input');
    const [e] = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'records.get').where('actor_id', '=', w.users.lead1).orderBy('id', 'desc').execute();
    expect(e.outcome).toBe('invalid');
    expect(e.form_id).toBe(w.formId);
    expect(e.record_ids).toBeNull();
  });

  it("reading one's own profile (auth.me, every page render) writes no audit event", async () => {
    const before = (await events({ action: 'auth.me' })).length;
    await getMe(w.caller('sales1'), {});
    await getMe(w.tokenCaller('support'), {});
    expect((await events({ action: 'auth.me' })).length).toBe(before);
  });
});
