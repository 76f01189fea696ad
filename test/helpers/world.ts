/**
 * A small company for permission tests: two sales departments, support,
 * an admin, a customer form with grants, and records owned by each seller.
 * Built directly in the database (test setup bypasses policy); callers act
 * as its users through the system caller factory (lib/auth/system-caller).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { lookupEntries, sealValues } from '@/lib/records/protect';
import { fieldsOf } from '@/lib/forms/definition';
import { useDatabase, type Database } from '@/lib/db/connection';
import type { Caller } from '@/lib/auth/principal';
import { unsafeCallerAs } from '@/lib/auth/system-caller';
import { hashToken } from '@/lib/auth/principal';
import type { FormDefinition } from '@/lib/forms/definition';
import type { Locale } from '@/lib/i18n';

export const customerForm: FormDefinition = {
  type: 'object',
  title: '客户',
  'x-order': ['name', 'phone', 'level', 'owner', 'notes'],
  required: ['name', 'phone'],
  properties: {
    name: { type: 'string', title: '客户名称', maxLength: 100, 'x-widget': 'text' },
    phone: { type: 'string', title: '手机号', format: 'cn-mobile', 'x-widget': 'phone', 'x-encrypted': true, 'x-mask': 'phone' },
    level: { type: 'string', title: '客户等级', enum: ['VIP', 'A', 'B', 'C'], 'x-widget': 'select' },
    owner: { type: 'string', title: '负责人', 'x-widget': 'owner' },
    notes: { type: 'string', title: '跟进记录', maxLength: 2000, 'x-widget': 'textarea' },
  },
};

export const grants = {
  sales: { actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write' } },
  support: { actions: { view: { scope: 'all' } }, fields: { '*': 'read' } },
  managers: { actions: { view: { scope: 'all' }, create: {}, edit: { scope: 'all' }, delete: { scope: 'all' } }, fields: { '*': 'write' } },
  deptLeads: { actions: { view: { scope: 'department' }, edit: { scope: 'department' }, delete: { scope: 'department' } }, fields: { '*': 'write' } },
};

export type Who = 'admin' | 'sales1' | 'sales2' | 'sales3' | 'support' | 'manager' | 'lead1' | 'nobody';

export interface World {
  formId: string;
  users: Record<Who, string>;
  tokens: Record<Who, string>;
  departments: { sales1: string; sales2: string; support: string };
  /** Record ids by owner. */
  records: Record<'sales1' | 'sales2' | 'sales3', string[]>;
  caller(who: Who, locale?: Locale): Caller;
  tokenCaller(who: Who, locale?: Locale): Caller;
}

// A throwaway hash: these users sign in through tokens/system callers in tests.
const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$placeholderplaceholderplaceholder00';

export async function buildWorld(db: Database): Promise<World> {
  const dept = async (name: string, parent: string | null = null) =>
    (await db.insertInto('departments').values({ name, parent_id: parent }).returning('id').executeTakeFirstOrThrow()).id;
  const center = await dept('销售中心');
  const departments = { sales1: await dept('销售一部', center), sales2: await dept('销售二部', center), support: await dept('客服部') };

  const group = async (name: string) => (await db.insertInto('groups').values({ name }).returning('id').executeTakeFirstOrThrow()).id;
  const groups = { sales: await group('销售'), support: await group('客服'), managers: await group('管理者'), deptLeads: await group('部门主管') };

  const user = async (email: string, departmentId: string | null, groupIds: string[], isAdmin = false) => {
    const id = (
      await db
        .insertInto('users')
        .values({ email, name: email.split('@')[0], password_hash: PASSWORD_HASH, department_id: departmentId, is_admin: isAdmin })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const g of groupIds) await db.insertInto('group_members').values({ group_id: g, user_id: id }).execute();
    return id;
  };
  const users: Record<Who, string> = {
    admin: await user('admin@example.com', null, [], true),
    sales1: await user('sales1@example.com', departments.sales1, [groups.sales]),
    sales2: await user('sales2@example.com', departments.sales1, [groups.sales]),
    sales3: await user('sales3@example.com', departments.sales2, [groups.sales]),
    support: await user('support@example.com', departments.support, [groups.support]),
    manager: await user('manager@example.com', null, [groups.managers]),
    lead1: await user('lead1@example.com', departments.sales1, [groups.deptLeads]),
    nobody: await user('nobody@example.com', departments.sales1, []),
  };

  const formId = (
    await db
      .insertInto('forms')
      .values({ name: '客户', draft: JSON.stringify(customerForm), published_version: 1, created_by: users.admin })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await db.insertInto('form_versions').values({ form_id: formId, version: 1, schema: JSON.stringify(customerForm) }).execute();
  for (const [g, grant] of Object.entries(grants)) {
    await db.insertInto('grants').values({ form_id: formId, group_id: groups[g as keyof typeof groups], grant: JSON.stringify(grant) }).execute();
  }

  const records = { sales1: [] as string[], sales2: [] as string[], sales3: [] as string[] };
  const deptOf = { sales1: departments.sales1, sales2: departments.sales1, sales3: departments.sales2 };
  const crypto = await fieldCrypto(db);
  for (const owner of ['sales1', 'sales2', 'sales3'] as const) {
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      const values = { name: `${owner}-客户${i}`, phone: `1380000${owner.slice(-1)}00${i}`, level: 'B' };
      const row = await db
        .insertInto('records')
        .values({
          id,
          form_id: formId,
          form_version: 1,
          values: JSON.stringify(sealValues(crypto, formId, id, fieldsOf(customerForm), values)),
          blind_index: JSON.stringify(lookupEntries(crypto, formId, fieldsOf(customerForm), values).set),
          owner_id: users[owner],
          department_id: deptOf[owner],
          created_by: users[owner],
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      records[owner].push(row.id);
    }
  }

  const tokens = {} as Record<Who, string>;
  for (const who of Object.keys(users) as Who[]) {
    const token = `fw_${randomBytes(24).toString('base64url')}`;
    await db.insertInto('api_tokens').values({ user_id: users[who], name: 'test', token_hash: hashToken(token), token_prefix: token.slice(0, 10) }).execute();
    tokens[who] = token;
  }

  return {
    formId,
    users,
    tokens,
    departments,
    records,
    caller: (who, locale = 'zh-CN') => unsafeCallerAs(users[who], { locale, ip: '127.0.0.1' }),
    tokenCaller: (who, locale = 'zh-CN') => ({ credential: { type: 'token', token: tokens[who] }, ip: '127.0.0.1', locale }),
  };
}

/** A fresh database with the world built in it for one test file, dropped afterwards. */
export function useWorld(ready: (t: TestDatabase, w: World) => void): void {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await createTestDatabase();
    ready(t, await buildWorld(t.db));
  });
  afterAll(async () => t?.drop());
}

/**
 * A fresh database and world for ONE test, dropped when it ends: for a test
 * that changes what others read (publishes a form, retypes a field, counts
 * every record), so it neither restores shared state by hand nor depends on
 * what earlier tests created. The file's shared database is the process's
 * database again afterwards.
 */
export async function freshWorld(): Promise<{ t: TestDatabase; w: World }> {
  const holder = globalThis as unknown as { __fwDb?: Promise<Database> };
  const previous = holder.__fwDb;
  const t = await createTestDatabase();
  onTestFinished(async () => {
    if (previous) useDatabase(await previous);
    await t.drop();
  });
  return { t, w: await buildWorld(t.db) };
}
