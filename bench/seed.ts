/**
 * Benchmark data: one customer form, 50 salespeople (own scope) and
 * 100,000 generated customers spread evenly over them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '@/lib/db/connection';
import { hashToken } from '@/lib/auth/principal';
import template from '@/schemas/templates/customer-management.json';
import { generateCustomers } from '@/lib/examples/fake-customers';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { sealValues } from '@/lib/records/protect';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';

export interface BenchWorld {
  formId: string;
  owners: string[];
  /** An API token of owners[0], a salesperson with the `own` scope. */
  token: string;
}

export async function seedBench(db: Database, records: number, ownerCount: number): Promise<BenchWorld> {
  const dept = await db.insertInto('departments').values({ name: '销售一部' }).returning('id').executeTakeFirstOrThrow();
  const group = await db.insertInto('groups').values({ name: '销售' }).returning('id').executeTakeFirstOrThrow();
  const owners: string[] = [];
  for (let i = 0; i < ownerCount; i++) {
    const u = await db
      .insertInto('users')
      .values({ email: `bench-sales${i}@example.com`, name: `销售${i}`, password_hash: 'x', department_id: dept.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('group_members').values({ group_id: group.id, user_id: u.id }).execute();
    owners.push(u.id);
  }
  const schema = template.forms[0].schema;
  const form = await db.insertInto('forms').values({ name: '客户', draft: JSON.stringify(schema), published_version: 1 }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('form_versions').values({ form_id: form.id, version: 1, schema: JSON.stringify(schema) }).execute();
  await db
    .insertInto('grants')
    .values({ form_id: form.id, group_id: group.id, grant: JSON.stringify({ actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } } }) })
    .execute();

  const pool = generateCustomers(5000, 7);
  const crypto = await fieldCrypto(db);
  const fields = fieldsOf(schema as FormDefinition);
  const start = Date.now() - records * 60_000;
  const batch = 2000;
  for (let i = 0; i < records; i += batch) {
    const rows = [];
    for (let j = i; j < Math.min(records, i + batch); j++) {
      const owner = owners[j % owners.length];
      const at = new Date(start + j * 60_000);
      // Customers are edited after they are created, not in creation order, so
      // "last updated first" differs from "newest first" as it does in use.
      const updated = new Date(at.getTime() + ((j * 7919) % Math.max(1, records - j)) * 60_000);
      const id = randomUUID();
      rows.push({
        id,
        form_id: form.id,
        form_version: 1,
        values: JSON.stringify(sealValues(crypto, form.id, id, fields, { ...pool[j % pool.length] })),
        owner_id: owner,
        department_id: dept.id,
        created_by: owner,
        created_at: at,
        updated_at: updated,
      });
    }
    await db.insertInto('records').values(rows).execute();
  }
  const token = `fw_${randomBytes(32).toString('base64url')}`;
  await db.insertInto('api_tokens').values({ user_id: owners[0], name: 'bench', token_hash: hashToken(token), token_prefix: token.slice(0, 10) }).execute();
  // Steady state: autovacuum would have set the visibility map by now.
  await sql`vacuum analyze`.execute(db);
  return { formId: form.id, owners, token };
}
