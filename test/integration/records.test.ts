import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { freshWorld, useWorld, type World } from '../helpers/world';
import { call } from '../helpers/rest';
import * as collection from '@/app/api/v1/forms/[formId]/records/route';
import * as item from '@/app/api/v1/forms/[formId]/records/[recordId]/route';
import * as forms from '@/app/api/v1/forms/route';
import * as openapi from '@/app/api/v1/openapi.json/route';
import { createRecord, getRecord, listRecords, updateRecord, deleteRecord, listDeletedRecords, restoreRecord } from '@/lib/records/operations';
import { codeOf } from '../helpers/outcome';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));


describe('row scope through the REST API', () => {
  it("a salesperson's token gets 404 for another salesperson's record on GET, PATCH and DELETE", async () => {
    const theirs = w.records.sales2[0];
    const params = { formId: w.formId, recordId: theirs };
    const get = await call(item.GET, { token: w.tokens.sales1, params });
    expect(get.status).toBe(404);
    expect(get.contentType).toContain('application/problem+json');
    const patch = await call(item.PATCH, { token: w.tokens.sales1, params, method: 'PATCH', body: { version: 1, values: { name: 'x' } } });
    expect(patch.status).toBe(404);
    const del = await call(item.DELETE, { token: w.tokens.sales1, params, method: 'DELETE' });
    expect(del.status).toBe(404);
    // The same answer as for a record that does not exist at all.
    const missing = await call(item.GET, { token: w.tokens.sales1, params: { ...params, recordId: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.status).toBe(404);
    expect(missing.body.title).toBe(get.body.title);
    // And nothing changed.
    const row = await t.db.selectFrom('records').select(['version', 'deleted_at', 'values']).where('id', '=', theirs).executeTakeFirstOrThrow();
    expect(row.version).toBe(1);
    expect(row.deleted_at).toBeNull();
    expect((row.values as { name: string }).name).toBe('sales2-客户0');
  });

  it('the list never includes records outside the scope, and its total agrees', async () => {
    // Counts the world's records: its own world, whatever other tests create.
    const { w } = await freshWorld();
    const res = await call(collection.GET, { token: w.tokens.sales1, params: { formId: w.formId }, query: 'pageSize=200' });
    expect(res.status).toBe(200);
    const ids = res.body.items.map((i: { id: string }) => i.id).sort();
    expect(ids).toEqual([...w.records.sales1].sort());
    expect(res.body.total).toBe(3);
    const searched = await call(collection.GET, { token: w.tokens.sales1, params: { formId: w.formId }, query: 'q=sales2' });
    expect(searched.body.items).toEqual([]);
    expect(searched.body.total).toBe(0);
  });

  it('the owner reads their own record', async () => {
    const res = await call(item.GET, { token: w.tokens.sales1, params: { formId: w.formId, recordId: w.records.sales1[0] } });
    expect(res.status).toBe(200);
    expect(res.body.values.name).toBe('sales1-客户0');
    expect(res.body.values.owner).toBe(w.users.sales1);
    expect(res.body.can).toEqual({ view: true, create: true, edit: true, delete: false, reveal: false, export: false, import: false, assign: false });
  });

  it('a wrong or missing token is 401, never data', async () => {
    const res = await call(collection.GET, { token: 'fw_not-a-token', params: { formId: w.formId } });
    expect(res.status).toBe(401);
    const none = await call(collection.GET, { params: { formId: w.formId } });
    expect(none.status).toBe(401);
  });

  it('a user without any grant does not see the form at all', async () => {
    const list = await call(forms.GET, { token: w.tokens.nobody });
    expect(list.body.items).toEqual([]);
    const records = await call(collection.GET, { token: w.tokens.nobody, params: { formId: w.formId } });
    expect(records.status).toBe(404);
    const visible = await call(forms.GET, { token: w.tokens.sales1 });
    expect(visible.body.items.map((f: { id: string }) => f.id)).toEqual([w.formId]);
    expect(visible.body.items[0].schema['x-order']).toContain('phone');
  });
});

describe('OpenAPI', () => {
  it('describes every v1 route, without a token', async () => {
    const res = await call(openapi.GET, {});
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths).sort()).toEqual(['/forms', '/forms/{formId}/records', '/forms/{formId}/records/{recordId}', '/forms/{formId}/records/{recordId}/reveal']);
    expect(Object.keys(res.body.paths['/forms/{formId}/records/{recordId}/reveal']).filter((k) => k !== 'parameters')).toEqual(['post']);
    expect(Object.keys(res.body.paths['/forms/{formId}/records/{recordId}']).filter((k) => k !== 'parameters').sort()).toEqual(['delete', 'get', 'patch']);
  });
});

describe('actions per group', () => {
  it('客服 sees all records but cannot create or edit', async () => {
    // Counts the world's records: its own world, whatever other tests create.
    const { t, w } = await freshWorld();
    const page = await listRecords(w.caller('support'), { formId: w.formId, pageSize: 100 });
    expect(page.total).toBe(9);
    expect(await codeOf(createRecord(w.caller('support'), { formId: w.formId, values: { name: '新客户', phone: '13912345678' } }))).toBe('forbidden');
    expect(await codeOf(updateRecord(w.caller('support'), { formId: w.formId, recordId: w.records.sales1[0], version: 1, values: { name: 'x' } }))).toBe('forbidden');
    const res = await call(collection.POST, { token: w.tokens.support, params: { formId: w.formId }, body: { values: { name: '新客户', phone: '13912345678' } } });
    expect(res.status).toBe(403);
    const count = await t.db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).where(sql`values->>'name'`, '=', '新客户').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('department scope follows the record department', async () => {
    // Counts the world's records: its own world, whatever other tests create.
    const { w } = await freshWorld();
    const page = await listRecords(w.caller('lead1'), { formId: w.formId, pageSize: 100 });
    expect(page.items.map((i) => i.id).sort()).toEqual([...w.records.sales1, ...w.records.sales2].sort());
    expect(await codeOf(getRecord(w.caller('lead1'), { formId: w.formId, recordId: w.records.sales3[0] }))).toBe('not_found');
  });

  it('a salesperson cannot delete even their own record', async () => {
    expect(await codeOf(deleteRecord(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales1[2] }))).toBe('forbidden');
  });

  it('admin rights alone give no access to records', async () => {
    expect(await codeOf(listRecords(w.caller('admin'), { formId: w.formId }))).toBe('not_found');
  });
});

describe('writes', () => {
  it('creates a record owned by the creator, in their department, and audits it', async () => {
    const rec = await createRecord(w.caller('sales3'), { formId: w.formId, values: { name: '  杭州瑞丰科技有限公司 ', phone: '13912345678', level: 'A' } });
    expect(rec.owner.id).toBe(w.users.sales3);
    expect(rec.values.name).toBe('杭州瑞丰科技有限公司');
    expect(rec.departmentId).toBe(w.departments.sales2);
    const audit = await t.db.selectFrom('audit_events').selectAll().where('action', '=', 'records.create').where('resource_id', '=', rec.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(w.users.sales3);
    expect(audit[0].outcome).toBe('ok');
  });

  it('refuses invalid records with field-level reasons in the user language, and stores nothing', async () => {
    const before = await t.db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await call(collection.POST, {
      token: w.tokens.sales1,
      params: { formId: w.formId },
      body: { values: { phone: '12345', level: 'Z', bogus: 1 } },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['bogus', 'level', 'name', 'phone']);
    expect(res.body.errors.phone).toMatch(/手机号/);
    const en = await call(collection.POST, { token: w.tokens.sales1, locale: 'en', params: { formId: w.formId }, body: { values: { name: 'x' } } });
    expect(en.status).toBe(422);
    expect(en.body.errors.phone).toMatch(/[A-Za-z]/);
    expect(en.body.errors.phone).not.toMatch(/[\u4e00-\u9fff]/);
    const after = await t.db.selectFrom('records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses a body that is not a JSON object or is too large', async () => {
    const big = await call(collection.POST, { token: w.tokens.sales1, params: { formId: w.formId }, body: { values: { name: 'x'.repeat(1_100_000) } } });
    expect(big.status).toBe(413);
    expect(big.body.title).toMatch(/过大/);
    const list = await call(collection.POST, { token: w.tokens.sales1, params: { formId: w.formId }, body: [1, 2] });
    expect(list.status).toBe(422);
  });

  it('a stale edit is refused with a conflict and overwrites nothing', async () => {
    // Changes records (and a user): its own world, nothing to restore by hand.
    const { w } = await freshWorld();
    const id = w.records.sales1[1];
    const first = await call(item.PATCH, { token: w.tokens.sales1, method: 'PATCH', params: { formId: w.formId, recordId: id }, body: { version: 1, values: { notes: '第一次修改' } } });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    const second = await call(item.PATCH, { token: w.tokens.manager, method: 'PATCH', params: { formId: w.formId, recordId: id }, body: { version: 1, values: { notes: '基于旧版本的修改' } } });
    expect(second.status).toBe(409);
    expect(second.body.title).toMatch(/已被他人修改/);
    const rec = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: id });
    expect(rec.values.notes).toBe('第一次修改');
    expect(rec.version).toBe(2);
  });

  it('keeps values of fields the form no longer has', async () => {
    // Changes records (and a user): its own world, nothing to restore by hand.
    const { t, w } = await freshWorld();
    const id = w.records.sales1[2];
    await t.db
      .updateTable('records')
      .set({ values: JSON.stringify({ name: 'sales1-客户2', phone: '13800001002', level: 'B', legacyCode: 'L-1' }) })
      .where('id', '=', id)
      .execute();
    const rec = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: id });
    expect(rec.values).not.toHaveProperty('legacyCode');
    await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: id, version: rec.version, values: { level: 'A' } });
    const row = await t.db.selectFrom('records').select('values').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.values).toMatchObject({ legacyCode: 'L-1', level: 'A' });
  });

  it('delete goes to the recycle bin; admins with a view grant restore', async () => {
    // Changes records (and a user): its own world, nothing to restore by hand.
    const { t, w } = await freshWorld();
    const id = w.records.sales3[1];
    await deleteRecord(w.caller('manager'), { formId: w.formId, recordId: id });
    expect(await codeOf(getRecord(w.caller('manager'), { formId: w.formId, recordId: id }))).toBe('not_found');
    expect(await codeOf(listDeletedRecords(w.caller('manager'), { formId: w.formId }))).toBe('forbidden');
    // The admin holds no grant: configuration rights do not open the bin.
    expect(await codeOf(listDeletedRecords(w.caller('admin'), { formId: w.formId }))).toBe('not_found');
    await t.db.updateTable('users').set({ is_admin: true }).where('id', '=', w.users.manager).execute();
    const bin = await listDeletedRecords(w.caller('manager'), { formId: w.formId });
    expect(bin.map((r) => r.id)).toContain(id);
    await restoreRecord(w.caller('manager'), { formId: w.formId, recordId: id });
    expect((await getRecord(w.caller('sales3'), { formId: w.formId, recordId: id })).id).toBe(id);
  });
});

describe('audit of reads and refusals', () => {
  it('a list writes one event naming the records seen', async () => {
    const page = await listRecords(w.caller('sales2'), { formId: w.formId });
    const ev = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'records.list')
      .where('actor_id', '=', w.users.sales2)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(ev.record_ids).toEqual(page.items.map((i) => i.id));
  });

  it('a refused read is audited as not_found', async () => {
    await codeOf(getRecord(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales3[0] }));
    const ev = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'records.get')
      .where('actor_id', '=', w.users.sales1)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(ev.outcome).toBe('not_found');
  });

  it('audit events cannot be changed or deleted', async () => {
    await expect(t.db.updateTable('audit_events').set({ outcome: 'ok' }).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
  });
});
