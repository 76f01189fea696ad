/**
 * Benchmark data: one customer form (the 客户 form of the customer-management template) with
 * the template's real grants (lib/policy/vocabulary.ts, field modes included):
 * - 49 salespeople in 销售 (view/edit `own`, phone write-on-create, idNo masked);
 * - one salesperson (owners[1]) in 销售（VIP）, whose view scope is a condition: their own VIP
 *   customers only ({"all":[{"field":"level","eq":"VIP"},{"field":"owner","eq":"$me"}]});
 * - one 客服 (support) user with the template's 客服 grant (view `all`, phone masked, idNo hidden);
 * and `records` generated customers spread evenly over the 50 salespeople.
 *
 * Fast enough for 1,000,000 records: rows go in as `insert … select from unnest(arrays)` batches
 * (six array parameters per batch instead of one parameter per cell). Every encrypted value is
 * sealed for its own record (the cipher's associated data names the record, so a sealed value
 * cannot be shared between records and still open); only the plaintext comes from a pool.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '@/lib/db/connection';
import { hashToken } from '@/lib/auth/principal';
import template from '@/schemas/templates/customer-management.json';
import { generateCustomers } from '@/lib/examples/fake-customers';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { lookupEntries, sealValues } from '@/lib/records/protect';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';
import type { Grant, GrantCondition } from '@/lib/policy/vocabulary';

export interface BenchUser {
  id: string;
  /** An API token of this user. */
  token: string;
}

export interface BenchWorld {
  formId: string;
  /** How many customers; the j-th has the mobile number benchPhone(j). */
  records: number;
  owners: string[];
  /** owners[0], a salesperson with the template's 销售 grant (`own` scope). */
  sales: BenchUser;
  /** owners[1], a salesperson whose view scope is the VIP condition below. */
  vip: BenchUser;
  /** A 客服 user: the template's 客服 grant (view all, phone masked, idNo hidden); owns nothing. */
  support: BenchUser;
}

/** The condition scope of the VIP salesperson: their own customers of level VIP. */
export const VIP_SCOPE: GrantCondition = {
  all: [
    { field: 'level', eq: 'VIP' },
    { field: 'owner', eq: '$me' },
  ],
};

function templateGrant(group: string): Grant {
  const g = template.groups.find((x) => x.name === group);
  const grant = (g?.grants as Record<string, Grant> | undefined)?.['客户'];
  if (!grant) throw new Error(`the template has no 客户 grant for ${group}`);
  return grant;
}

async function tokenFor(db: Database, userId: string): Promise<string> {
  const token = `fw_${randomBytes(32).toString('base64url')}`;
  await db.insertInto('api_tokens').values({ user_id: userId, name: 'bench', token_hash: hashToken(token), token_prefix: token.slice(0, 10) }).execute();
  return token;
}

/** The mobile number of the j-th generated customer: unique, valid (13x…). */
export const benchPhone = (j: number) => `13${String(j).padStart(9, '0')}`;

export async function seedBench(db: Database, records: number, ownerCount: number, log: (s: string) => void = () => {}): Promise<BenchWorld> {
  const t0 = Date.now();
  const dept = await db.insertInto('departments').values({ name: '销售一部' }).returning('id').executeTakeFirstOrThrow();
  const supportDept = await db.insertInto('departments').values({ name: '客服部' }).returning('id').executeTakeFirstOrThrow();
  const salesGroup = await db.insertInto('groups').values({ name: '销售' }).returning('id').executeTakeFirstOrThrow();
  const vipGroup = await db.insertInto('groups').values({ name: '销售（VIP）' }).returning('id').executeTakeFirstOrThrow();
  const supportGroup = await db.insertInto('groups').values({ name: '客服' }).returning('id').executeTakeFirstOrThrow();
  const owners: string[] = [];
  for (let i = 0; i < ownerCount; i++) {
    const u = await db
      .insertInto('users')
      .values({ email: `bench-sales${i}@example.com`, name: `销售${i}`, password_hash: 'x', department_id: dept.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('group_members').values({ group_id: i === 1 ? vipGroup.id : salesGroup.id, user_id: u.id }).execute();
    owners.push(u.id);
  }
  const supportUser = await db
    .insertInto('users')
    .values({ email: 'bench-support@example.com', name: '客服', password_hash: 'x', department_id: supportDept.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('group_members').values({ group_id: supportGroup.id, user_id: supportUser.id }).execute();

  const schema = template.forms[0].schema;
  const form = await db.insertInto('forms').values({ name: '客户', draft: JSON.stringify(schema), published_version: 1 }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('form_versions').values({ form_id: form.id, version: 1, schema: JSON.stringify(schema) }).execute();
  const sales = templateGrant('销售');
  const vip: Grant = { actions: { view: { scope: VIP_SCOPE }, create: {}, edit: { scope: VIP_SCOPE } }, fields: sales.fields };
  for (const [group, grant] of [
    [salesGroup.id, sales],
    [vipGroup.id, vip],
    [supportGroup.id, templateGrant('客服')],
  ] as const) {
    await db.insertInto('grants').values({ form_id: form.id, group_id: group, grant: JSON.stringify(grant) }).execute();
  }
  // The database's own reading of the grant schema (RLS grants nothing for an invalid grant).
  const invalid = await db.selectFrom('grants').select('group_id').where('form_id', '=', form.id).where(sql<boolean>`not rls_valid`).execute();
  if (invalid.length) throw new Error(`bench grants are invalid for RLS: ${invalid.length}`);

  const pool = generateCustomers(5000, 7);
  const crypto = await fieldCrypto(db);
  const fields = fieldsOf(schema as FormDefinition);
  const start = Date.now() - records * 60_000;
  const batch = 5000;
  for (let i = 0; i < records; i += batch) {
    const ids: string[] = [];
    const values: string[] = [];
    const lookups: string[] = [];
    const ownerIds: string[] = [];
    const created: string[] = [];
    const updated: string[] = [];
    for (let j = i; j < Math.min(records, i + batch); j++) {
      const at = start + j * 60_000;
      const id = randomUUID();
      ids.push(id);
      // Every customer its own mobile number, so an exact lookup finds one customer (benchPhone).
      const plain = { ...pool[j % pool.length], phone: benchPhone(j) };
      values.push(JSON.stringify(sealValues(crypto, form.id, id, fields, plain)));
      lookups.push(JSON.stringify(lookupEntries(crypto, form.id, fields, plain).set));
      ownerIds.push(owners[j % owners.length]);
      created.push(new Date(at).toISOString());
      // Customers are edited after they are created, not in creation order, so
      // "last updated first" differs from "newest first" as it does in use.
      updated.push(new Date(at + ((j * 7919) % Math.max(1, records - j)) * 60_000).toISOString());
    }
    await sql`
      insert into records (id, form_id, form_version, values, blind_index, owner_id, department_id, created_by, created_at, updated_at)
      select t.id, ${form.id}::uuid, 1, t.v, t.b, t.o, ${dept.id}::uuid, t.o, t.c, t.u
      from unnest(${ids}::uuid[], ${values}::jsonb[], ${lookups}::jsonb[], ${ownerIds}::uuid[], ${created}::timestamptz[], ${updated}::timestamptz[]) as t(id, v, b, o, c, u)`.execute(db);
    if (records >= 200_000 && (i / batch) % 40 === 39) log(`  ${i + batch} records (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const world: BenchWorld = {
    formId: form.id,
    records,
    owners,
    sales: { id: owners[0], token: await tokenFor(db, owners[0]) },
    vip: { id: owners[1], token: await tokenFor(db, owners[1]) },
    support: { id: supportUser.id, token: await tokenFor(db, supportUser.id) },
  };
  // Steady state: autovacuum would have set the visibility map by now.
  await sql`vacuum analyze`.execute(db);
  log(`  seeded ${records} records in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return world;
}
