import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../helpers/db';
import { freshWorld, useWorld, customerForm, type World } from '../helpers/world';
import { createForm, getFormDraft, listFieldJobs, publishForm, saveFormDraft, setFormGrants, getFormGrants, listFormsForAdmin } from '@/lib/forms/operations';
import { createRecord, getRecord, listRecords, listUsableForms, updateRecord } from '@/lib/records/operations';
import { failure } from '../helpers/outcome';
import { runDueJobs } from '@/lib/jobs/runner';
import { listJobProgress } from '@/lib/jobs/queue';
import { keyStatus } from '@/lib/crypto/operations';
import type { FormDefinition } from '@/lib/forms/definition';
import { claimJob } from '@/lib/jobs/queue';
import { unsealRecordsBatch } from '@/lib/records/jobs/operations';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { switchToAppRole } from '@/lib/db/app-role';
import { sql } from 'kysely';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));


const clone = <T>(v: T): T => structuredClone(v);

describe('form definitions', () => {
  it('refuses invalid definitions with the reason, and stores nothing', async () => {
    const { id } = await createForm(w.caller('admin'), { name: '合同' });
    const before = await t.db.selectFrom('forms').select('draft').where('id', '=', id).executeTakeFirstOrThrow();

    const unknownWidget = clone(customerForm) as unknown as { properties: Record<string, Record<string, unknown>> };
    unknownWidget.properties.name['x-widget'] = 'hologram';
    const e1 = await failure(saveFormDraft(w.caller('admin'), { formId: id, draft: unknownWidget }));
    expect(e1.code).toBe('invalid_input');
    expect(Object.keys(e1.details?.fields ?? {}).join(' ')).toMatch(/properties\/name/);

    const badRange = clone(customerForm);
    badRange.properties.name.minLength = 50;
    badRange.properties.name.maxLength = 10;
    const e2 = await failure(saveFormDraft(w.caller('admin'), { formId: id, draft: badRange }));
    expect(e2.message).toMatch(/客户名称/);

    const orderMismatch = clone(customerForm);
    orderMismatch['x-order'] = ['name'];
    expect((await failure(saveFormDraft(w.caller('admin'), { formId: id, draft: orderMismatch }))).code).toBe('invalid_input');

    const after = await t.db.selectFrom('forms').select('draft').where('id', '=', id).executeTakeFirstOrThrow();
    expect(after.draft).toEqual(before.draft);
    expect(await t.db.selectFrom('form_versions').select('version').where('form_id', '=', id).execute()).toEqual([]);
  });

  it("the admin's form list counts records only within the admin's own grants", async () => {
    // Makes the admin a salesperson and hands them a record: its own world, nothing to put back.
    const { t, w } = await freshWorld();
    const withoutGrant = await listFormsForAdmin(w.caller('admin'), {});
    expect(withoutGrant.find((f) => f.id === w.formId)?.recordCount).toBeNull();
    // An admin who is also a salesperson sees the count of their own customers only.
    const sales = (await getFormGrants(w.caller('admin'), { formId: w.formId })).groups.find((g) => g.groupName === '销售')!;
    await t.db.insertInto('group_members').values({ group_id: sales.groupId, user_id: w.users.admin }).execute();
    await t.db.updateTable('records').set({ owner_id: w.users.admin }).where('id', '=', w.records.sales1[0]).execute();
    const scoped = await listFormsForAdmin(w.caller('admin'), {});
    expect(scoped.find((f) => f.id === w.formId)?.recordCount).toBe(1);
  });

  it('only admins build forms', async () => {
    expect((await failure(createForm(w.caller('manager'), { name: 'x' }))).code).toBe('forbidden');
  });

  it('publishing makes versions; records keep theirs; removed fields keep values and can be restored', async () => {
    const { id } = await createForm(w.caller('admin'), { name: '线索' });
    const v1: FormDefinition = clone(customerForm);
    await saveFormDraft(w.caller('admin'), { formId: id, draft: v1 });
    expect(await publishForm(w.caller('admin'), { formId: id })).toEqual({ version: 1 });
    const groups = await getFormGrants(w.caller('admin'), { formId: id });
    const sales = groups.groups.find((g) => g.groupName === '销售')!;
    await setFormGrants(w.caller('admin'), { formId: id, grants: [{ groupId: sales.groupId, grant: { actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write' } } }] });

    const rec = await createRecord(w.caller('sales1'), { formId: id, values: { name: '线索一', phone: '13700001111', notes: '旧备注' } });
    expect(rec.formVersion).toBe(1);

    // v2 drops `notes`.
    const v2 = clone(v1);
    delete (v2.properties as Record<string, unknown>).notes;
    v2['x-order'] = v2['x-order'].filter((k) => k !== 'notes');
    await saveFormDraft(w.caller('admin'), { formId: id, draft: v2 });
    expect(await publishForm(w.caller('admin'), { formId: id })).toEqual({ version: 2 });
    const draft = await getFormDraft(w.caller('admin'), { formId: id });
    expect(draft.removedFields.map((f) => f.key)).toEqual(['notes']);
    expect(draft.publishedKeys.sort()).toEqual([...v1['x-order']].sort());

    const seen = await getRecord(w.caller('sales1'), { formId: id, recordId: rec.id });
    expect(seen.formVersion).toBe(1);
    expect(seen.values).not.toHaveProperty('notes');
    const edited = await updateRecord(w.caller('sales1'), { formId: id, recordId: rec.id, version: seen.version, values: { name: '线索一（改）' } });
    expect(edited.formVersion).toBe(2);

    // v3 restores `notes` from the removed list: the stored value comes back.
    const v3 = clone(v2);
    v3.properties.notes = draft.removedFields[0].schema;
    v3['x-order'].push('notes');
    await saveFormDraft(w.caller('admin'), { formId: id, draft: v3 });
    await publishForm(w.caller('admin'), { formId: id });
    const back = await getRecord(w.caller('sales1'), { formId: id, recordId: rec.id });
    expect(back.values.notes).toBe('旧备注');
    expect(back.values.name).toBe('线索一（改）');
  });

  it('refuses invalid grants: unknown actions, scopes and flags', async () => {
    const groups = await getFormGrants(w.caller('admin'), { formId: w.formId });
    const support = groups.groups.find((g) => g.groupName === '客服')!;
    for (const grant of [
      { actions: { view: { scope: 'everyone' } } },
      { actions: { purge: {} } },
      { actions: { view: { scope: 'all', sudo: true } } },
    ]) {
      expect((await failure(setFormGrants(w.caller('admin'), { formId: w.formId, grants: [{ groupId: support.groupId, grant }] }))).code).toBe('invalid_input');
    }
    const stored = await getFormGrants(w.caller('admin'), { formId: w.formId });
    expect(stored.groups.find((g) => g.groupName === '客服')!.grant).toEqual({ actions: { view: { scope: 'all' } }, fields: { '*': 'read' } });
  });

  it('an unpublished form is not usable by staff', async () => {
    const { id } = await createForm(w.caller('admin'), { name: '草稿表单' });
    const forms = await listUsableForms(w.caller('sales1'), {});
    expect(forms.map((f) => f.id)).not.toContain(id);
  });
});

describe('encryption on a field with data', () => {
  it('publishing x-encrypted over existing plain values seals them in a job; reads are right before, during and after', async () => {
    const { id } = await createForm(w.caller('admin'), { name: '名片' });
    const v1: FormDefinition = clone(customerForm);
    delete v1.properties.phone['x-encrypted'];
    await saveFormDraft(w.caller('admin'), { formId: id, draft: v1 });
    await publishForm(w.caller('admin'), { formId: id });
    const groups = await getFormGrants(w.caller('admin'), { formId: id });
    await setFormGrants(w.caller('admin'), { formId: id, grants: [{ groupId: groups.groups.find((g) => g.groupName === '销售')!.groupId, grant: { actions: { view: { scope: 'own' }, create: {} }, fields: { '*': 'write' } } }] });
    const phones = ['13611112222', '13611113333', '13611114444'];
    const ids: string[] = [];
    for (const [i, phone] of phones.entries()) ids.push((await createRecord(w.caller('sales1'), { formId: id, values: { name: `明文${i}`, phone } })).id);
    const stored = async () => new Map((await t.db.selectFrom('records').select(['id', 'values', 'blind_index']).where('form_id', '=', id).execute()).map((r) => [r.id, r]));
    expect([...(await stored()).values()].map((r) => r.values.phone).sort()).toEqual(phones);

    const v2 = clone(v1);
    v2.properties.phone['x-encrypted'] = true;
    await saveFormDraft(w.caller('admin'), { formId: id, draft: v2 });
    const published = await publishForm(w.caller('admin'), { formId: id });
    expect(published.sealJobId).toMatch(/^[0-9a-f-]{36}$/);
    // Before the job: old values plain, a new one sealed; every read shows the right number.
    const late = await createRecord(w.caller('sales1'), { formId: id, values: { name: '发布后', phone: '13611115555' } });
    expect(String((await stored()).get(late.id)!.values.phone)).toMatch(/^fw1\./);
    const before = await listRecords(w.caller('sales1'), { formId: id, pageSize: 50 });
    expect(before.items.map((r) => r.values.phone).sort()).toEqual([...phones, '13611115555']);

    expect(await runDueJobs()).toBe(1);
    const after = await stored();
    for (const r of after.values()) {
      expect(String(r.values.phone)).toMatch(/^fw1\./);
      expect(r.blind_index.phone).toMatch(/^1\./);
    }
    expect(JSON.stringify([...after.values()])).not.toMatch(/136111\d{5}/);
    expect((await listRecords(w.caller('sales1'), { formId: id, pageSize: 50 })).items.map((r) => r.values.phone).sort()).toEqual([...phones, '13611115555']);
    // Now found by exact search like any encrypted value.
    expect((await listRecords(w.caller('sales1'), { formId: id, q: phones[1] })).items.map((r) => r.id)).toEqual([ids[1]]);
    const [job] = await listJobProgress(t.db, { kind: 'fields.seal' });
    expect(job).toMatchObject({ state: 'done', done: 4, total: 4 });
    // The 数据加密 page lists it with its form.
    expect((await keyStatus(w.caller('admin'), {})).sealing).toEqual([expect.objectContaining({ id: published.sealJobId, formName: '名片', state: 'done' })]);
  });

  it('turning encryption off needs a confirmation per field; then a job decrypts the values, and reads are right before, during and after', async () => {
    const { id } = await createForm(w.caller('admin'), { name: '解密' });
    const v1: FormDefinition = clone(customerForm);
    v1.properties.notes['x-encrypted'] = true;
    await saveFormDraft(w.caller('admin'), { formId: id, draft: v1 });
    await publishForm(w.caller('admin'), { formId: id });
    const groups = await getFormGrants(w.caller('admin'), { formId: id });
    await setFormGrants(w.caller('admin'), { formId: id, grants: [{ groupId: groups.groups.find((g) => g.groupName === '销售')!.groupId, grant: { actions: { view: { scope: 'own' }, create: {} }, fields: { '*': 'write' } } }] });
    const phones = ['13711112222', '13711113333', '13711114444', '13711115555', '13711116666'];
    const ids: string[] = [];
    for (const [i, phone] of phones.entries()) ids.push((await createRecord(w.caller('sales1'), { formId: id, values: { name: `密文${i}`, phone, notes: `备注${i}` } })).id);
    const stored = async () => new Map((await t.db.selectFrom('records').select(['id', 'values', 'blind_index']).where('form_id', '=', id).execute()).map((r) => [r.id, r]));
    const unsealing = async () => (await t.db.selectFrom('forms').select('unsealing').where('id', '=', id).executeTakeFirstOrThrow()).unsealing;
    const shown = async () => new Map((await listRecords(w.caller('sales1'), { formId: id, pageSize: 50 })).items.map((r) => [r.id, r.values]));
    const expected = (i: number) => ({ name: `密文${i}`, phone: phones[i], notes: `备注${i}` });

    const v2 = clone(v1);
    delete v2.properties.phone['x-encrypted'];
    delete v2.properties.notes['x-encrypted'];
    await saveFormDraft(w.caller('admin'), { formId: id, draft: v2 });
    // Unconfirmed, or confirmed for one field of two: refused with the risk, the field and its count; nothing published.
    for (const confirmDecrypt of [undefined, ['phone']]) {
      const e = await failure(publishForm(w.caller('admin'), { formId: id, ...(confirmDecrypt ? { confirmDecrypt } : {}) }));
      expect(e.code).toBe('invalid_input');
      expect(e.message).toContain('跟进记录');
      expect(e.message).toContain('以明文保存');
      expect(e.message).toContain('5 条');
      expect((await getFormDraft(w.caller('admin'), { formId: id })).publishedVersion).toBe(1);
    }
    expect([...(await stored()).values()].every((r) => String(r.values.phone).startsWith('fw1.') && String(r.values.notes).startsWith('fw1.'))).toBe(true);
    const en = await failure(publishForm(w.caller('admin', 'en'), { formId: id }));
    expect(en.message).toContain('plain text');

    const published = await publishForm(w.caller('admin'), { formId: id, confirmDecrypt: ['phone', 'notes'] });
    expect(published).toMatchObject({ version: 2, unsealJobId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    // The builder's progress: the job with the fields it decrypts; for administrators only.
    expect(await listFieldJobs(w.caller('admin'), { formId: id })).toEqual([
      expect.objectContaining({ id: published.unsealJobId, kind: 'fields.unseal', state: 'queued', fields: expect.arrayContaining([{ key: 'phone', title: '手机号' }, { key: 'notes', title: '跟进记录' }]) }),
    ]);
    expect((await failure(listFieldJobs(w.caller('sales1'), { formId: id }))).code).toBe('forbidden');
    expect([...(await unsealing())].sort()).toEqual(['notes', 'phone']);
    // Before the job: the fields are plain now, their stored values still sealed, and every read shows them opened.
    const before = await shown();
    for (const [i, rid] of ids.entries()) expect(before.get(rid)).toMatchObject(expected(i));
    expect((await getRecord(w.caller('sales1'), { formId: id, recordId: ids[0] })).values).toMatchObject(expected(0));
    // A write now stores plain text. Text shaped like a token (here this form's own ciphertext,
    // copied) is refused while the field is being decrypted: it would be opened for the writer.
    const copied = String((await stored()).get(ids[0])!.values.notes);
    const e2 = await failure(createRecord(w.caller('sales1'), { formId: id, values: { name: '贴密文', phone: '13711118888', notes: copied } }));
    expect(e2.code).toBe('invalid_input');
    expect(e2.details?.fields).toEqual({ notes: expect.stringContaining('正在解密') });
    const late = await createRecord(w.caller('sales1'), { formId: id, values: { name: '发布后', phone: '13711117777', notes: '发布后备注' } });
    expect((await stored()).get(late.id)!.values).toMatchObject({ phone: '13711117777', notes: '发布后备注' });

    // One batch of two records: a mix of states in the database, and still every read right.
    await t.db.updateTable('jobs').set({ params: sql`jsonb_set(params, '{batchSize}', '2')` }).where('id', '=', published.unsealJobId!).execute();
    const db = t.db;
    const job = await db.transaction().execute(async (trx) => {
      await sql`select ${switchToAppRole}`.execute(trx);
      return claimJob(trx, 'test', 30, ['fields.unseal']);
    });
    expect(job?.id).toBe(published.unsealJobId);
    await unsealRecordsBatch(unsafeSystemCaller({ label: 'jobs' }), { jobId: job!.id, lease: job!.lease });
    const mixed = [...(await stored()).values()].map((r) => String(r.values.phone).startsWith('fw1.'));
    expect(mixed.filter(Boolean).length).toBeGreaterThan(0);
    expect(mixed.filter((x) => !x).length).toBeGreaterThan(1);
    const during = await shown();
    for (const [i, rid] of ids.entries()) expect(during.get(rid)).toMatchObject(expected(i));
    await t.db.updateTable('jobs').set({ lease: null, lease_expires_at: null }).where('id', '=', job!.id).execute();

    expect(await runDueJobs()).toBe(1);
    const after = await stored();
    for (const [i, rid] of ids.entries()) {
      expect(after.get(rid)!.values).toMatchObject({ phone: phones[i], notes: `备注${i}` });
      expect(after.get(rid)!.blind_index).toEqual({});
    }
    expect(after.get(late.id)!.values.notes).toBe('发布后备注');
    expect([...after.values()].some((r) => r.values.name === '贴密文')).toBe(false);
    expect(await unsealing()).toEqual([]);
    const end = await shown();
    for (const [i, rid] of ids.entries()) expect(end.get(rid)).toMatchObject(expected(i));
    expect(end.get(late.id)!.notes).toBe('发布后备注');
    // Decrypted: the same text is plain text now, stored as typed.
    const typed = await createRecord(w.caller('sales1'), { formId: id, values: { name: '解密后', phone: '13711119999', notes: copied } });
    expect((await getRecord(w.caller('sales1'), { formId: id, recordId: typed.id })).values.notes).toBe(copied);
    // A plain field: found by partial search now.
    expect((await listRecords(w.caller('sales1'), { formId: id, q: '1371111444' })).items.map((r) => r.id)).toEqual([ids[2]]);
    const [progress] = await listJobProgress(t.db, { kind: 'fields.unseal' });
    expect(progress).toMatchObject({ id: published.unsealJobId, state: 'done', total: 6 });
    expect((await keyStatus(w.caller('admin'), {})).sealing).toEqual(expect.arrayContaining([expect.objectContaining({ id: published.unsealJobId, kind: 'fields.unseal', formName: '解密' })]));
  });

  it('a sealed value that does not open stays unreadable after the decryption, and its field stays listed until it is gone', async () => {
    const { id } = await createForm(w.caller('admin'), { name: '坏密文' });
    await saveFormDraft(w.caller('admin'), { formId: id, draft: clone(customerForm) });
    await publishForm(w.caller('admin'), { formId: id });
    const groups = await getFormGrants(w.caller('admin'), { formId: id });
    await setFormGrants(w.caller('admin'), { formId: id, grants: [{ groupId: groups.groups.find((g) => g.groupName === '销售')!.groupId, grant: { actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write' } } }] });
    const good = await createRecord(w.caller('sales1'), { formId: id, values: { name: '好', phone: '13722221111' } });
    const bad = await createRecord(w.caller('sales1'), { formId: id, values: { name: '坏', phone: '13722222222' } });
    const row = await t.db.selectFrom('records').select('values').where('id', '=', bad.id).executeTakeFirstOrThrow();
    const token = String(row.values.phone);
    const damaged = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
    await t.db.updateTable('records').set({ values: JSON.stringify({ ...row.values, phone: damaged }) }).where('id', '=', bad.id).execute();

    const off = clone(customerForm);
    delete off.properties.phone['x-encrypted'];
    await saveFormDraft(w.caller('admin'), { formId: id, draft: off });
    await publishForm(w.caller('admin'), { formId: id, confirmDecrypt: ['phone'] });
    await runDueJobs();
    expect((await t.db.selectFrom('forms').select('unsealing').where('id', '=', id).executeTakeFirstOrThrow()).unsealing).toEqual(['phone']);
    expect((await getRecord(w.caller('sales1'), { formId: id, recordId: good.id })).values.phone).toBe('13722221111');
    const read = await getRecord(w.caller('sales1'), { formId: id, recordId: bad.id });
    expect(read.unreadable).toEqual(['phone']);
    expect(JSON.stringify(read)).not.toContain(damaged);
    // Replacing the value clears it; the next publish's job finds nothing left and takes the field off the list.
    await updateRecord(w.caller('sales1'), { formId: id, recordId: bad.id, version: read.version, values: { phone: '13722223333' } });
    await saveFormDraft(w.caller('admin'), { formId: id, draft: { ...off, description: 'again' } });
    await publishForm(w.caller('admin'), { formId: id, confirmDecrypt: ['phone'] });
    await runDueJobs();
    expect((await t.db.selectFrom('forms').select('unsealing').where('id', '=', id).executeTakeFirstOrThrow()).unsealing).toEqual([]);
  });
});

