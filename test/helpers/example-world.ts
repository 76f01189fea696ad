/**
 * The 客户管理 example as the product loads it (the setup operation over
 * schemas/templates/customer-management.json), plus what the authorization tests add to it:
 * people signed in for real (a session for operations and server actions, an API token
 * for REST) and records planted with known values. Everything the example itself holds
 * (departments, groups, grants, form) is read back from the database or the template, never
 * restated here.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import template from '@/schemas/templates/customer-management.json';
import { createTestDatabase, type TestDatabase } from './db';
import { loadExample } from '@/lib/setup/operations';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { changePassword, createApiToken, signIn } from '@/lib/auth/operations';
import { hashPassword } from '@/lib/auth/passwords';
import type { Caller } from '@/lib/auth/principal';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { lookupEntries, sealValues } from '@/lib/records/protect';
import { fieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';

export { template };

/** One password for every person of these worlds: generated per run, never a real one. */
const PASSWORD = `Fw-${randomUUID().slice(0, 8)}-x9`;

export interface Department {
  id: string;
  name: string;
  parentId: string | null;
}

export interface Person {
  id: string;
  email: string;
  departmentId: string | null;
  /** A signed-in session: what pages and server actions run with. */
  session: Caller;
  /** A personal API token: what REST runs with. */
  token: string;
}

export interface ExampleWorld {
  t: TestDatabase;
  formId: string;
  /** The example form's definition as published, and its fields in order. */
  definition: FormDefinition;
  fields: FieldInfo[];
  departments: Department[];
  departmentByName(name: string): Department;
  /** Group id by the template's group name. */
  groupIds: Map<string, string>;
  /** The example's own users by e-mail (their ids). */
  exampleUserIds: Map<string, string>;
  /** `departmentId` and every department below it. */
  subtree(departmentId: string | null): Set<string>;
}

const anonymous: Caller = { credential: { type: 'anonymous' }, ip: '127.0.0.1', locale: 'zh-CN' };

/** A fresh database with the example loaded as `fw seed example` loads it (`records` generated customers). */
export async function loadExampleWorld(records: number): Promise<ExampleWorld> {
  const t = await createTestDatabase();
  const summary = await loadExample(unsafeSystemCaller(), { password: PASSWORD, records });
  const db = t.db;
  const departments = (await db.selectFrom('departments').select(['id', 'name', 'parent_id']).execute()).map((d) => ({ id: d.id, name: d.name, parentId: d.parent_id }));
  const groups = await db.selectFrom('groups').select(['id', 'name']).execute();
  const users = await db.selectFrom('users').select(['id', 'email']).execute();
  const version = await db
    .selectFrom('forms as f')
    .innerJoin('form_versions as v', (j) => j.onRef('v.form_id', '=', 'f.id').onRef('v.version', '=', 'f.published_version'))
    .select('v.schema')
    .where('f.id', '=', summary.formId)
    .executeTakeFirstOrThrow();
  const definition = version.schema as unknown as FormDefinition;
  return {
    t,
    formId: summary.formId,
    definition,
    fields: fieldsOf(definition),
    departments,
    departmentByName(name) {
      const d = departments.find((x) => x.name === name);
      if (!d) throw new Error(`No department ${name} in the example`);
      return d;
    },
    groupIds: new Map(groups.map((g) => [g.name, g.id])),
    exampleUserIds: new Map(users.map((u) => [u.email, u.id])),
    subtree(departmentId) {
      const out = new Set<string>();
      if (!departmentId) return out;
      const walk = (id: string) => {
        out.add(id);
        for (const d of departments) if (d.parentId === id) walk(d.id);
      };
      walk(departmentId);
      return out;
    },
  };
}

/** Loads the example world once for a test file and drops its database afterwards. */
export function useExampleWorld(records: number, ready: (w: ExampleWorld) => Promise<void> | void): void {
  let world: ExampleWorld | undefined;
  beforeAll(async () => {
    world = await loadExampleWorld(records);
    await ready(world);
  }, 180_000);
  afterAll(async () => world?.t.drop());
}

/** Signs `email` in with the world's password: a session caller and an API token of its own. */
async function signedIn(id: string, email: string, departmentId: string | null, mustChange: boolean): Promise<Person> {
  let { sessionId } = await signIn(anonymous, { email, password: PASSWORD });
  let session: Caller = { credential: { type: 'session', sessionId }, ip: '127.0.0.1', locale: 'zh-CN' };
  if (mustChange) {
    // The example's accounts must choose their own password first, as a person would.
    await changePassword(session, { currentPassword: PASSWORD, newPassword: `${PASSWORD}-own` });
    ({ sessionId } = await signIn(anonymous, { email, password: `${PASSWORD}-own` }));
    session = { credential: { type: 'session', sessionId }, ip: '127.0.0.1', locale: 'zh-CN' };
  }
  const { token } = await createApiToken(session, { name: 'authorization tests' });
  return { id, email, departmentId, session, token };
}

/** One of the example's own people (e.g. support1@example.com), signed in after the forced password change. */
export async function exampleUser(w: ExampleWorld, email: string): Promise<Person> {
  const id = w.exampleUserIds.get(email);
  if (!id) throw new Error(`No example user ${email}`);
  const u = await w.t.db.selectFrom('users').select('department_id').where('id', '=', id).executeTakeFirstOrThrow();
  return signedIn(id, email, u.department_id, true);
}

/** A person added to the example: in `departmentId`, member of the named template groups, signed in. */
export async function addPerson(w: ExampleWorld, p: { email: string; name: string; departmentId: string; groups: readonly string[] }): Promise<Person> {
  const row = await w.t.db
    .insertInto('users')
    .values({ email: p.email, name: p.name, password_hash: await hashPassword(PASSWORD), department_id: p.departmentId, must_change_password: false })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const g of p.groups) {
    const groupId = w.groupIds.get(g);
    if (!groupId) throw new Error(`No group ${g} in the example`);
    await w.t.db.insertInto('group_members').values({ group_id: groupId, user_id: row.id }).execute();
  }
  return signedIn(row.id, p.email, p.departmentId, false);
}

/** A person who only owns records (no group, never signed in). */
export async function addOwner(w: ExampleWorld, p: { email: string; name: string; departmentId: string | null }): Promise<{ id: string; departmentId: string | null }> {
  const row = await w.t.db
    .insertInto('users')
    .values({ email: p.email, name: p.name, password_hash: 'not-a-hash', department_id: p.departmentId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, departmentId: p.departmentId };
}

/**
 * Records planted directly (test setup bypasses policy), sealed exactly as the seed seals them;
 * a record's department is its owner's. Returns the ids in the order given.
 */
export async function plantRecords(w: ExampleWorld, records: { owner: { id: string; departmentId: string | null }; values: Record<string, unknown> }[]): Promise<string[]> {
  const crypto = await fieldCrypto(w.t.db);
  const rows = records.map((r) => {
    const id = randomUUID();
    return {
      id,
      form_id: w.formId,
      form_version: 1,
      values: JSON.stringify(sealValues(crypto, w.formId, id, w.fields, r.values)),
      blind_index: JSON.stringify(lookupEntries(crypto, w.formId, w.fields, r.values).set),
      owner_id: r.owner.id,
      department_id: r.owner.departmentId,
      created_by: r.owner.id,
      updated_by: r.owner.id,
    };
  });
  for (let i = 0; i < rows.length; i += 200) await w.t.db.insertInto('records').values(rows.slice(i, i + 200)).execute();
  return rows.map((r) => r.id);
}
