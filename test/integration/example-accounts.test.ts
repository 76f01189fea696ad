/**
 * The 客户管理 example: its users never share the admin's password, must
 * choose their own at first sign-in, and an admin removes exactly what the
 * example created in one audited step.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { codeOf, failure } from '../helpers/outcome';
import { changePassword, createApiToken, getMe, signIn } from '@/lib/auth/operations';
import { createFirstAdmin } from '@/lib/setup/operations';
import { createDepartment, createGroup, createUser, updateGroup } from '@/lib/directory/operations';
import { getExampleStatus, removeExampleData } from '@/lib/examples/operations';
import { listRecords, listUsableForms } from '@/lib/records/operations';
import type { Caller } from '@/lib/auth/principal';

let t: TestDatabase;

const anonymous: Caller = { credential: { type: 'anonymous' }, ip: '10.0.0.9', locale: 'en' };
const session = (sessionId: string): Caller => ({ credential: { type: 'session', sessionId }, ip: '127.0.0.1', locale: 'en' });
const ADMIN_PASSWORD = 'Admin12345';

/**
 * Each test builds its own world: a fresh database with the first admin and
 * the example loaded, so no test depends on what an earlier one signed in,
 * changed or removed. Dropped when the test ends.
 */
async function exampleWorld(): Promise<{ admin: Caller; exampleUsers: { email: string; name: string; password: string }[] }> {
  t = await createTestDatabase();
  const db = t;
  onTestFinished(() => db.drop());
  const done = await createFirstAdmin(anonymous, { email: 'root@example.com', name: 'Root', password: ADMIN_PASSWORD, loadExample: true });
  const admin = session((await signIn(anonymous, { email: 'root@example.com', password: ADMIN_PASSWORD })).sessionId);
  return { admin, exampleUsers: done.exampleUsers };
}

/** Signs in as an example user and sets their own password (the forced first change). */
async function signedInExampleUser(u: { email: string; password: string }, newPassword: string): Promise<Caller> {
  const me = session((await signIn(anonymous, { email: u.email, password: u.password })).sessionId);
  await changePassword(me, { currentPassword: u.password, newPassword });
  return me;
}

describe('example accounts', () => {
  it('each example user gets its own password, never the admin’s', async () => {
    const { exampleUsers } = await exampleWorld();
    expect(exampleUsers).toHaveLength(8);
    const passwords = exampleUsers.map((u) => u.password);
    expect(new Set(passwords).size).toBe(8);
    for (const p of passwords) {
      expect(p).not.toBe(ADMIN_PASSWORD);
      expect(p.length).toBeGreaterThanOrEqual(12);
    }
    // The admin's password opens no example account; each one's own does.
    for (const u of exampleUsers.slice(0, 3)) {
      expect(await codeOf(signIn(anonymous, { email: u.email, password: ADMIN_PASSWORD }))).toBe('unauthenticated');
      expect(await codeOf(signIn(anonymous, { email: u.email, password: u.password }))).toBe('ok');
    }
    // Stored only as hashes, and not in the audit log.
    expect(JSON.stringify(await t.db.selectFrom('audit_events').selectAll().execute())).not.toContain(passwords[0]);
    expect(JSON.stringify(await t.db.selectFrom('settings').selectAll().execute())).not.toContain(passwords[0]);
  });

  it('an example user must change the password at first sign-in before anything else', async () => {
    const { exampleUsers } = await exampleWorld();
    const u = exampleUsers.find((x) => x.email === 'sales1@example.com')!;
    const me = session((await signIn(anonymous, { email: u.email, password: u.password })).sessionId);
    expect((await getMe(me, {})).mustChangePassword).toBe(true);
    const refused = await failure(listUsableForms(me, {}));
    expect(refused.code).toBe('password_change_required');
    expect(refused.status).toBe(403);
    expect(await codeOf(createApiToken(me, { name: 'x' }))).toBe('password_change_required');
    await changePassword(me, { currentPassword: u.password, newPassword: 'Sales1Own99' });
    const forms = await listUsableForms(me, {});
    expect(forms).toHaveLength(1);
    expect(await codeOf(listRecords(me, { formId: forms[0].id }))).toBe('ok');
  });
});

describe('removing the example', () => {
  it('reading the status (every render of the forms admin page) writes no audit event', async () => {
    const { admin } = await exampleWorld();
    const before = await t.db.selectFrom('audit_events').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    expect(await getExampleStatus(admin, {})).toMatchObject({ loaded: true });
    expect(await getExampleStatus(admin, {})).toMatchObject({ loaded: true });
    expect(await t.db.selectFrom('audit_events').select('action').where('action', '=', 'examples.status').execute()).toEqual([]);
    expect(await t.db.selectFrom('audit_events').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('only admins may, and it refuses while an example user owns data outside the example', async () => {
    const { admin, exampleUsers } = await exampleWorld();
    const status = await getExampleStatus(admin, {});
    // Admin rights configure: without a view grant on the example form the admin learns no record count.
    expect(status).toMatchObject({ loaded: true, users: 8, groups: 3, departments: 5, records: null });
    const managers = await t.db.selectFrom('groups').select('id').where('name', '=', '管理者').executeTakeFirstOrThrow();
    const root = await t.db.selectFrom('users').select('id').where('email', '=', 'root@example.com').executeTakeFirstOrThrow();
    await t.db.insertInto('group_members').values({ group_id: managers.id, user_id: root.id }).execute();
    expect(await getExampleStatus(admin, {})).toMatchObject({ records: 300 });
    await t.db.deleteFrom('group_members').where('group_id', '=', managers.id).where('user_id', '=', root.id).execute();
    const sales1 = await signedInExampleUser(exampleUsers.find((x) => x.email === 'sales1@example.com')!, 'Sales1Own99');
    expect(await codeOf(removeExampleData(sales1, {}))).toBe('forbidden');
    expect(await codeOf(getExampleStatus(sales1, {}))).toBe('forbidden');

    // The admin's own things, some of them tied to the example's.
    const example = Object.fromEntries(
      (await t.db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.name, d.id]),
    ) as Record<string, string>;
    const own = await createDepartment(admin, { name: '财务部' });
    const keptUnder = await createDepartment(admin, { name: '大客户组', parentId: example['销售中心'] });
    const ownUser = await createUser(admin, { email: 'cfo@example.com', name: '财务', password: 'Finance123', departmentId: own.id });
    const supportUser = await createUser(admin, { email: 'agent@example.com', name: '新客服', password: 'Agent12345', departmentId: example['客服部'] });
    const ownGroup = await createGroup(admin, { name: '财务组' });
    await updateGroup(admin, { groupId: ownGroup.id, memberIds: [ownUser.id] });
    const customerService = (await t.db.selectFrom('groups').select('id').where('name', '=', '客服').executeTakeFirstOrThrow()).id;
    const members = (await t.db.selectFrom('group_members').select('user_id').where('group_id', '=', customerService).execute()).map((m) => m.user_id);
    await updateGroup(admin, { groupId: customerService, memberIds: [...members, supportUser.id] });
    const rootId = (await t.db.selectFrom('users').select('id').where('email', '=', 'root@example.com').executeTakeFirstOrThrow()).id;
    const ownForm = (
      await t.db.insertInto('forms').values({ name: '报销', draft: JSON.stringify({ type: 'object', properties: {} }), published_version: 1, created_by: rootId }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const ownRecord = (
      await t.db.insertInto('records').values({ id: randomUUID(), form_id: ownForm, form_version: 1, values: '{}', owner_id: ownUser.id, created_by: ownUser.id }).returning('id').executeTakeFirstOrThrow()
    ).id;

    // An example user owning a record of the admin's form: removing would lose it.
    const sales2 = (await t.db.selectFrom('users').select('id').where('email', '=', 'sales2@example.com').executeTakeFirstOrThrow()).id;
    const stray = (
      await t.db.insertInto('records').values({ id: randomUUID(), form_id: ownForm, form_version: 1, values: '{}', owner_id: sales2, created_by: rootId }).returning('id').executeTakeFirstOrThrow()
    ).id;
    const refused = await failure(removeExampleData(admin, {}));
    expect(refused.code).toBe('conflict');
    expect(await t.db.selectFrom('users').select('id').where('email', '=', 'sales2@example.com').executeTakeFirst()).toBeDefined();
    await t.db.updateTable('records').set({ owner_id: ownUser.id }).where('id', '=', stray).execute();

    const counts = async () =>
      (
        await sql<Record<string, number>>`select
          (select count(*)::int from users) as users, (select count(*)::int from groups) as groups,
          (select count(*)::int from departments) as departments, (select count(*)::int from forms) as forms,
          (select count(*)::int from records) as records, (select count(*)::int from grants) as grants`.execute(t.db)
      ).rows[0];
    const before = await counts();

    const removed = await removeExampleData(admin, {});
    expect(removed).toMatchObject({ records: 300, users: 8, groups: 2, keptGroups: ['客服'], departments: 3 });
    expect(removed.keptDepartments.sort()).toEqual(['客服部', '销售中心'].sort());

    // Exactly the example went.
    const after = await counts();
    expect(after).toEqual({
      users: before.users - 8,
      groups: before.groups - 2,
      departments: before.departments - 3,
      forms: before.forms - 1,
      records: before.records - 300,
      grants: 0,
    });
    expect(await t.db.selectFrom('users').select('email').orderBy('email').execute()).toEqual([
      { email: 'agent@example.com' },
      { email: 'cfo@example.com' },
      { email: 'root@example.com' },
    ]);
    expect((await t.db.selectFrom('departments').select('name').orderBy('name').execute()).map((d) => d.name).sort()).toEqual(
      ['财务部', '大客户组', '客服部', '销售中心'].sort(),
    );
    expect((await t.db.selectFrom('groups').select('name').execute()).map((g) => g.name).sort()).toEqual(['客服', '财务组'].sort());
    expect(await t.db.selectFrom('group_members').select('user_id').where('group_id', '=', customerService).execute()).toEqual([{ user_id: supportUser.id }]);
    expect((await t.db.selectFrom('records').select('id').orderBy('id').execute()).map((r) => r.id).sort()).toEqual([ownRecord, stray].sort());
    expect(await t.db.selectFrom('departments').select('parent_id').where('id', '=', keptUnder.id).executeTakeFirstOrThrow()).toEqual({ parent_id: example['销售中心'] });

    const audit = await t.db.selectFrom('audit_events').select(['actor_id', 'details']).where('action', '=', 'examples.remove').where('outcome', '=', 'ok').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(rootId);
    expect(await getExampleStatus(admin, {})).toEqual({ loaded: false });
    expect(await codeOf(removeExampleData(admin, {}))).toBe('not_found');
  });
});
