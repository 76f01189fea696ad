/**
 * Loads the 客户管理 example: departments, groups with grants, users and a
 * few hundred generated customers. Bypasses policy (it writes as the
 * system), hence `unsafe`: called only from setup, the CLI and tests.
 */
import 'server-only';
import { sql, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import template from '@/schemas/templates/customer-management.json';
import { hashPassword } from '@/lib/auth/passwords';
import { AppError } from '@/lib/errors';
import { generateCustomers } from './fake-customers';
import { randomUUID } from 'node:crypto';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { lookupEntries, sealValues } from '@/lib/records/protect';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';
import { randomReadablePassword } from '@/lib/auth/random-password';
import { SYSTEM_USER_ID } from '@/lib/auth/principal';
import { EXAMPLE_SETTING, type ExampleMarker } from './marker';

interface DepartmentSpec {
  name: string;
  children?: DepartmentSpec[];
}

export interface SeedSummary {
  formId: string;
  departments: number;
  groups: number;
  /** Each user's initial password, to show once; every one must be changed at first sign-in. */
  users: { email: string; name: string; password: string }[];
  records: number;
}

export async function unsafeSeedExample(
  trx: Transaction<DB>,
  /**
   * `password`: one password for every example user (the CLI's `--password`);
   * without it each user gets its own random one. Never the admin's: whoever
   * knows one example password must not learn the admin's.
   */
  options: { password?: string; recordCount?: number; seed?: number; createdBy?: string | null },
): Promise<SeedSummary> {
  const existing = await trx.selectFrom('groups').select('name').where('name', 'in', template.groups.map((g) => g.name)).execute();
  if (existing.length) {
    throw new AppError('conflict', `The example is already loaded (group ${existing[0].name} exists). Nothing was changed.`);
  }
  if (await trx.selectFrom('settings').select('key').where('key', '=', EXAMPLE_SETTING).executeTakeFirst()) {
    throw new AppError('conflict', 'The example is already loaded. Nothing was changed.');
  }

  const departmentIds = new Map<string, string>();
  const addDepartments = async (specs: DepartmentSpec[], parentId: string | null) => {
    for (const [i, spec] of specs.entries()) {
      const row = await trx
        .insertInto('departments')
        .values({ name: spec.name, parent_id: parentId, sort: i })
        .returning('id')
        .executeTakeFirstOrThrow();
      departmentIds.set(spec.name, row.id);
      if (spec.children) await addDepartments(spec.children, row.id);
    }
  };
  await addDepartments(template.departments as DepartmentSpec[], null);

  const groupIds = new Map<string, string>();
  for (const g of template.groups) {
    const row = await trx.insertInto('groups').values({ name: g.name, description: g.description }).returning('id').executeTakeFirstOrThrow();
    groupIds.set(g.name, row.id);
  }

  // One argon2 hash per user (each with its own salt), computed in parallel.
  const passwords = template.users.map(() => options.password ?? randomReadablePassword());
  const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
  const userIds = new Map<string, string>();
  const users: SeedSummary['users'] = [];
  for (const [i, u] of template.users.entries()) {
    const taken = await trx.selectFrom('users').select('id').where('email', '=', u.email).executeTakeFirst();
    if (taken) throw new AppError('conflict', `User ${u.email} already exists. Nothing was changed.`);
    const row = await trx
      .insertInto('users')
      .values({
        email: u.email,
        name: u.name,
        password_hash: hashes[i],
        department_id: departmentIds.get(u.department) ?? null,
        // The password was printed or shown to whoever set up: the person replaces it.
        must_change_password: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    userIds.set(u.email, row.id);
    users.push({ email: u.email, name: u.name, password: passwords[i] });
    for (const g of u.groups) await trx.insertInto('group_members').values({ group_id: groupIds.get(g)!, user_id: row.id }).execute();
  }

  const formSpec = template.forms[0];
  const form = await trx
    .insertInto('forms')
    .values({
      name: formSpec.name,
      description: formSpec.description,
      draft: JSON.stringify(formSpec.schema),
      published_version: 1,
      created_by: options.createdBy ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('form_versions')
    .values({ form_id: form.id, version: 1, schema: JSON.stringify(formSpec.schema), published_by: options.createdBy ?? null })
    .execute();
  for (const g of template.groups) {
    const grant = (g.grants as Record<string, unknown>)[formSpec.name];
    if (grant) await trx.insertInto('grants').values({ form_id: form.id, group_id: groupIds.get(g.name)!, grant: JSON.stringify(grant) }).execute();
  }

  // Customers spread round-robin over the salespeople, each stamped with its
  // owner's department so department scopes work on them.
  const owners = template.users
    .filter((u) => u.groups.includes(formSpec.records.ownersFromGroup))
    .map((u) => ({ id: userIds.get(u.email)!, departmentId: departmentIds.get(u.department) ?? null }));
  const count = options.recordCount ?? formSpec.records.count;
  const customers = generateCustomers(count, options.seed ?? 20261129);
  const now = Date.now();
  // Encrypted fields are sealed here too: no plaintext of them ever lands in the table.
  const crypto = await fieldCrypto(trx);
  const fields = fieldsOf(formSpec.schema as FormDefinition);
  // The customers belong to the example's salespeople, not to whoever loads it (the first admin
  // at setup, or the CLI): row-level security admits such records only as the system's writes.
  // The caller's own identity comes back right after (an error rolls both back).
  const { previous } = (
    await sql<{ previous: string | null }>`select current_setting('app.user_id', true) as previous, set_config('app.user_id', ${SYSTEM_USER_ID}, true) as _uid`.execute(trx)
  ).rows[0];
  for (let start = 0; start < customers.length; start += 500) {
    await trx
      .insertInto('records')
      .values(
        customers.slice(start, start + 500).map((c, j) => {
          const i = start + j;
          const owner = owners[i % owners.length];
          const at = new Date(now - (count - i) * 3_600_000);
          const id = randomUUID();
          return {
            id,
            form_id: form.id,
            form_version: 1,
            values: JSON.stringify(sealValues(crypto, form.id, id, fields, { ...c })),
            blind_index: JSON.stringify(lookupEntries(crypto, form.id, fields, { ...c }).set),
            owner_id: owner.id,
            department_id: owner.departmentId,
            created_by: owner.id,
            updated_by: owner.id,
            created_at: at,
            updated_at: at,
          };
        }),
      )
      .execute();
  }
  await sql`select set_config('app.user_id', ${previous ?? ''}, true)`.execute(trx);
  // What the example created, so that removing it (lib/examples/remove.ts) deletes exactly that.
  const marker: ExampleMarker = {
    formId: form.id,
    userIds: [...userIds.values()],
    groupIds: [...groupIds.values()],
    departmentIds: [...departmentIds.values()],
    loadedAt: new Date().toISOString(),
  };
  await trx.insertInto('settings').values({ key: EXAMPLE_SETTING, value: JSON.stringify(marker) }).execute();
  return { formId: form.id, departments: departmentIds.size, groups: groupIds.size, users, records: count };
}
