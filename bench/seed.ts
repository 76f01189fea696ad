/**
 * Benchmark data: one customer form (the 客户 form of the customer-management template) with
 * the template's real grants (lib/policy/vocabulary.ts, field modes included):
 * - 49 salespeople in 销售 (view/edit `own`, phone write-on-create, idNo masked);
 * - one salesperson (owners[1]) in 销售（VIP）, whose view scope is a condition: their own VIP
 *   customers only ({"all":[{"field":"level","eq":"VIP"},{"field":"owner","eq":"$me"}]});
 * - one 客服 (support) user with the template's 客服 grant (view `all`, phone masked, idNo hidden);
 * and `records` generated customers spread evenly over the 50 salespeople.
 *
 * `seedMaskedPair` adds two forms for the cost of encryption on a list: the 客户 fields plus a
 * bank card, once with 手机号, 身份证号, 银行卡号 and 邮箱 encrypted and once with the same four
 * plain, the same generated values in both, and a group that sees those four masked on both.
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
import { createRng, fakeBankCard, generateCustomers } from '@/lib/examples/fake-customers';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { lookupEntries, sealValues } from '@/lib/records/protect';
import { fieldsOf, validateDefinition, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import type { Grant, GrantCondition } from '@/lib/policy/vocabulary';

export interface BenchUser {
  id: string;
  /** An API token of this user. */
  token: string;
}

export interface BenchWorld {
  formId: string;
  /** 销售一部: the department of every seeded record. */
  departmentId: string;
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

/** An administrator with an API token, for what the bench changes as an admin would (publishing a form). */
export async function seedAdmin(db: Database): Promise<BenchUser> {
  const u = await db.insertInto('users').values({ email: 'bench-admin@example.com', name: '管理员', password_hash: 'x', is_admin: true }).returning('id').executeTakeFirstOrThrow();
  return { id: u.id, token: await tokenFor(db, u.id) };
}

/** The mobile number of the j-th generated customer: unique, valid (13x…). */
export const benchPhone = (j: number) => `13${String(j).padStart(9, '0')}`;

/**
 * `records` rows of one form, the j-th with the values `valueOf(j)` (encrypted fields sealed for
 * that record, blind-index digests of the encrypted lookup fields), owned round-robin by
 * `owners`, created a minute apart from `start` and updated out of creation order.
 */
async function insertRecords(
  db: Database,
  o: { formId: string; fields: FieldInfo[]; departmentId: string; owners: string[]; records: number; start: number; t0: number; log: (s: string) => void },
  valueOf: (j: number) => Record<string, unknown>,
) {
  const { formId, fields, owners, records, start } = o;
  const crypto = await fieldCrypto(db);
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
      const plain = valueOf(j);
      values.push(JSON.stringify(sealValues(crypto, formId, id, fields, plain)));
      lookups.push(JSON.stringify(lookupEntries(crypto, formId, fields, plain).set));
      ownerIds.push(owners[j % owners.length]);
      created.push(new Date(at).toISOString());
      // Customers are edited after they are created, not in creation order, so
      // "last updated first" differs from "newest first" as it does in use.
      updated.push(new Date(at + ((j * 7919) % Math.max(1, records - j)) * 60_000).toISOString());
    }
    await sql`
      insert into records (id, form_id, form_version, values, blind_index, owner_id, department_id, created_by, created_at, updated_at)
      select t.id, ${formId}::uuid, 1, t.v, t.b, t.o, ${o.departmentId}::uuid, t.o, t.c, t.u
      from unnest(${ids}::uuid[], ${values}::jsonb[], ${lookups}::jsonb[], ${ownerIds}::uuid[], ${created}::timestamptz[], ${updated}::timestamptz[]) as t(id, v, b, o, c, u)`.execute(db);
    if (records >= 200_000 && (i / batch) % 40 === 39) o.log(`  ${i + batch} records (${((Date.now() - o.t0) / 1000).toFixed(0)} s)`);
  }
}

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
  // Every customer its own mobile number, so an exact lookup finds one customer (benchPhone).
  await insertRecords(db, { formId: form.id, fields: fieldsOf(schema as FormDefinition), departmentId: dept.id, owners, records, start: Date.now() - records * 60_000, t0, log }, (j) => ({ ...pool[j % pool.length], phone: benchPhone(j) }));
  const world: BenchWorld = {
    formId: form.id,
    departmentId: dept.id,
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

/** The four fields of the masked pair: encrypted on one form, plain on the other, masked for its group on both. */
export const MASKED_KEYS = ['phone', 'idNo', 'bankCard', 'email'] as const;

export interface MaskedPair {
  /** The form with the four fields encrypted. */
  encryptedFormId: string;
  /** The same form with the four fields plain. */
  plainFormId: string;
  /** Records in each of the two forms (the same values in both). */
  records: number;
  /** A member of 客服（脱敏）: view `all`, the four fields masked, everything else read. */
  user: BenchUser;
}

const maskedFormName = (encrypted: boolean) => (encrypted ? '客户（四项加密）' : '客户（四项明文）');

/** The 客户 definition with a bank card after 身份证号, and the four fields encrypted or not. */
function maskedDefinition(encrypted: boolean): FormDefinition {
  const base = structuredClone(template.forms[0].schema) as unknown as FormDefinition;
  const order = [...base['x-order']];
  order.splice(order.indexOf('idNo') + 1, 0, 'bankCard');
  const properties: Record<string, Record<string, unknown>> = {
    ...(base.properties as unknown as Record<string, Record<string, unknown>>),
    bankCard: { type: 'string', title: '银行卡号', format: 'bank-card', 'x-widget': 'bank-card', 'x-mask': 'bank-card' },
  };
  for (const key of MASKED_KEYS) {
    const rest = { ...properties[key] };
    delete rest['x-encrypted'];
    properties[key] = encrypted ? { ...rest, 'x-encrypted': true } : rest;
  }
  const def = { ...base, title: maskedFormName(encrypted), 'x-order': order, properties } as unknown as FormDefinition;
  const checked = validateDefinition(def, 'en');
  if (!checked.ok) throw new Error(`the masked bench form is not a valid definition: ${JSON.stringify(checked.errors)}`);
  return checked.definition;
}

/**
 * The masked pair in an existing bench world: two forms that differ only in whether 手机号,
 * 身份证号, 银行卡号 and 邮箱 are encrypted, `records` records each with the same generated
 * values (the j-th record of both has the same customer, bank card, owner and times), and one
 * user whose group's grant (the same on both forms) shows the four masked.
 */
export async function seedMaskedPair(db: Database, w: BenchWorld, records: number, log: (s: string) => void = () => {}): Promise<MaskedPair> {
  const t0 = Date.now();
  const supportDept = await db.selectFrom('departments').select('id').where('name', '=', '客服部').executeTakeFirstOrThrow();
  const group = await db.insertInto('groups').values({ name: '客服（脱敏）' }).returning('id').executeTakeFirstOrThrow();
  const u = await db
    .insertInto('users')
    .values({ email: 'bench-masked@example.com', name: '客服（脱敏）', password_hash: 'x', department_id: supportDept.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('group_members').values({ group_id: group.id, user_id: u.id }).execute();
  const grant: Grant = { actions: { view: { scope: 'all' } }, fields: { '*': 'read', ...Object.fromEntries(MASKED_KEYS.map((k) => [k, 'masked'])) } };

  const pool = generateCustomers(5000, 7);
  const rng = createRng(11);
  const cards = Array.from({ length: 5000 }, () => fakeBankCard(rng));
  const valueOf = (j: number) => ({ ...pool[j % pool.length], phone: benchPhone(j), bankCard: cards[j % cards.length] });
  const start = Date.now() - records * 60_000;
  const ids: string[] = [];
  for (const encrypted of [true, false]) {
    const schema = maskedDefinition(encrypted);
    const form = await db.insertInto('forms').values({ name: maskedFormName(encrypted), draft: JSON.stringify(schema), published_version: 1 }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('form_versions').values({ form_id: form.id, version: 1, schema: JSON.stringify(schema) }).execute();
    await db.insertInto('grants').values({ form_id: form.id, group_id: group.id, grant: JSON.stringify(grant) }).execute();
    await insertRecords(db, { formId: form.id, fields: fieldsOf(schema), departmentId: w.departmentId, owners: w.owners, records, start, t0, log }, valueOf);
    ids.push(form.id);
  }
  const invalid = await db.selectFrom('grants').select('group_id').where('form_id', 'in', ids).where(sql<boolean>`not rls_valid`).execute();
  if (invalid.length) throw new Error(`masked bench grants are invalid for RLS: ${invalid.length}`);
  const pair: MaskedPair = { encryptedFormId: ids[0], plainFormId: ids[1], records, user: { id: u.id, token: await tokenFor(db, u.id) } };
  await sql`vacuum analyze`.execute(db);
  log(`  seeded 2 × ${records} records (4 fields encrypted / plain) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return pair;
}
