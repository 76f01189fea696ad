/**
 * The records door on the policy decision: field modes (hidden / masked / read / write /
 * write-on-create) on every read and write, owner assignment, reveal, and the search and
 * sort oracles. Each test builds its own world and sets the grants it needs.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshWorld, type World } from '../helpers/world';
import type { TestDatabase } from '../helpers/db';
import { codeOf, failure } from '../helpers/outcome';
import { call } from '../helpers/rest';
import {
  createRecord,
  getRecord,
  listRecords,
  listUsableForms,
  recordPage,
  recordsListPage,
  revealField,
  updateRecord,
} from '@/lib/records/operations';
import * as forms from '@/app/api/v1/forms/route';
import * as reveal from '@/app/api/v1/forms/[formId]/records/[recordId]/reveal/route';
import type { Grant } from '@/lib/policy';
import { listColumns } from '@/lib/records/dto';

type GroupName = '销售' | '客服' | '管理者' | '部门主管';

async function setGrant(t: TestDatabase, w: World, group: GroupName, grant: Grant | null) {
  const g = await t.db.selectFrom('groups').select('id').where('name', '=', group).executeTakeFirstOrThrow();
  await t.db.deleteFrom('grants').where('form_id', '=', w.formId).where('group_id', '=', g.id).execute();
  if (grant) await t.db.insertInto('grants').values({ form_id: w.formId, group_id: g.id, grant: JSON.stringify(grant) }).execute();
}

/** Phone masked with reveal (reason required), level hidden, rest read: the seed case's 客服. */
const supportGrant: Grant = { actions: { view: { scope: 'all' }, reveal: { scope: 'all', reason: true } }, fields: { '*': 'read', phone: 'masked', level: 'hidden' } };

const auditOf = (t: TestDatabase, action: string) =>
  t.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('at', 'desc').execute();

describe('field modes on reads', () => {
  it('a masked field arrives masked, a hidden one not at all, on the operation, the page and REST', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '客服', supportGrant);
    const page = await listRecords(w.caller('support'), { formId: w.formId, pageSize: 50 });
    expect(page.total).toBe(9);
    for (const item of page.items) {
      expect(item.values.phone).toMatch(/^138\*{4}\d{4}$/);
      expect(item.modes).toEqual({ name: 'read', phone: 'masked', owner: 'read', notes: 'read' });
      expect(item.values).not.toHaveProperty('level');
      expect(item.revealable).toEqual([{ field: 'phone', reasonRequired: true }]);
      expect(item.can).toMatchObject({ view: true, edit: false, reveal: true, export: false });
    }
    const one = await recordPage(w.caller('support'), { formId: w.formId, recordId: w.records.sales1[0] });
    expect(one.record.values.phone).toMatch(/^138\*{4}\d{4}$/);
    // The form as 客服 may see it: no trace of the hidden field, keys included.
    expect(one.form.fields.map((f) => f.key)).toEqual(['name', 'phone', 'owner', 'notes']);
    expect(JSON.stringify(one.form.schema)).not.toContain('level');
    expect(JSON.stringify(one)).not.toMatch(/1380000100\d/);

    const res = await call(forms.GET, { token: w.tokens.support });
    const form = res.body.items.find((f: { id: string }) => f.id === w.formId);
    expect(form.fields).toEqual([
      { key: 'name', title: '客户名称', kind: 'text', mode: 'read' },
      { key: 'phone', title: '手机号', kind: 'phone', mode: 'masked' },
      { key: 'owner', title: '负责人', kind: 'owner', mode: 'read' },
      { key: 'notes', title: '跟进记录', kind: 'textarea', mode: 'read' },
    ]);
    expect(Object.keys(form.schema.properties).sort()).toEqual(['name', 'notes', 'owner', 'phone']);
  });

  it('modes follow each grant\'s rows: own records in plain, everyone else\'s masked', async () => {
    const { t, w } = await freshWorld();
    // 销售 sees its own records with the phone in plain and, through a second group, all records masked.
    await setGrant(t, w, '销售', { actions: { view: { scope: 'own' } }, fields: { '*': 'read' } });
    await setGrant(t, w, '客服', { actions: { view: { scope: 'all' } }, fields: { '*': 'read', phone: 'masked' } });
    const supportGroup = await t.db.selectFrom('groups').select('id').where('name', '=', '客服').executeTakeFirstOrThrow();
    await t.db.insertInto('group_members').values({ group_id: supportGroup.id, user_id: w.users.sales1 }).execute();
    const page = await listRecords(w.caller('sales1'), { formId: w.formId, pageSize: 50 });
    expect(page.total).toBe(9);
    for (const item of page.items) {
      const own = w.records.sales1.includes(item.id);
      expect(item.modes.phone).toBe(own ? 'read' : 'masked');
      expect(String(item.values.phone)).toMatch(own ? /^1380000100\d$/ : /^138\*{4}\d{4}$/);
    }
    // Sorting by phone is refused: on the masked rows an order would tell the values.
    expect(await codeOf(listRecords(w.caller('sales1'), { formId: w.formId, sort: 'phone' }))).toBe('invalid_input');
  });

  it('search never matches a field the caller cannot read in plain, and sorting by it is refused like an unknown field', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '客服', { actions: { view: { scope: 'all' } }, fields: { '*': 'read', name: 'masked', level: 'hidden' } });
    // Names are "sales1-客户0" …: searchable for a reader, not for a masked viewer.
    expect((await listRecords(w.caller('manager'), { formId: w.formId, q: 'sales1-客户' })).total).toBe(3);
    expect((await listRecords(w.caller('support'), { formId: w.formId, q: 'sales1-客户' })).total).toBe(0);
    expect((await listRecords(w.caller('support'), { formId: w.formId, q: 'B' })).total).toBe(0); // level is hidden
    const hidden = await failure(listRecords(w.caller('support'), { formId: w.formId, sort: 'level' }));
    const unknown = await failure(listRecords(w.caller('support'), { formId: w.formId, sort: 'nosuchfield' }));
    expect(hidden.code).toBe('invalid_input');
    expect(hidden.details).toEqual(unknown.details);
    expect(await codeOf(listRecords(w.caller('support'), { formId: w.formId, sort: 'name' }))).toBe('invalid_input');
  });
});

describe('the records page', () => {
  it('sends only the columns the list shows: long text stays on the record page, and the read audit names only those', async () => {
    const { t, w } = await freshWorld();
    const notes = `跟进内容-${Date.now()}`;
    await t.db.updateTable('records').set({ values: sql`values || ${JSON.stringify({ notes })}::jsonb` }).where('form_id', '=', w.formId).execute();
    const data = await recordsListPage(w.caller('manager'), { formId: w.formId, pageSize: 50 });
    const columns = listColumns(data.form).map((f) => f.key);
    // The manager may read notes (a textarea): the list does not show it, so it is not sent.
    expect(data.form.fields.map((f) => f.key)).toContain('notes');
    expect(columns).toEqual(['name', 'phone', 'level']);
    expect(data.page!.items.length).toBeGreaterThan(0);
    for (const item of data.page!.items) {
      expect(Object.keys(item.values).sort()).toEqual([...columns].sort());
      expect(Object.keys(item.modes).sort()).toEqual([...columns].sort());
    }
    expect(JSON.stringify(data)).not.toContain(notes);
    const [event] = await auditOf(t, 'records.list');
    expect([...(event.fields as string[])].sort()).toEqual([...columns].sort());
    // The record page and the API still carry it.
    const one = await recordPage(w.caller('manager'), { formId: w.formId, recordId: data.page!.items[0].id });
    expect(one.record.values.notes).toBe(notes);
    expect((await listRecords(w.caller('manager'), { formId: w.formId, pageSize: 1 })).items[0].values.notes).toBe(notes);
  });
});

describe('field modes on writes', () => {
  it('a read-only field cannot be changed, a hidden one is refused like an unknown one, and the stored values stay', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '销售', { actions: { view: { scope: 'own' }, edit: { scope: 'own' } }, fields: { '*': 'write', phone: 'read', level: 'hidden' } });
    const id = w.records.sales1[0];
    const before = await t.db.selectFrom('records').select(['values', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
    const readOnly = await failure(updateRecord(w.caller('sales1'), { formId: w.formId, recordId: id, version: 1, values: { phone: '13999999999' } }));
    expect(readOnly.code).toBe('invalid_input');
    expect(Object.keys(readOnly.details?.fields ?? {})).toEqual(['phone']);
    const hidden = await failure(updateRecord(w.caller('sales1'), { formId: w.formId, recordId: id, version: 1, values: { level: 'VIP' } }));
    const unknown = await failure(updateRecord(w.caller('sales1'), { formId: w.formId, recordId: id, version: 1, values: { nosuch: 'VIP' } }));
    expect(hidden.code).toBe('invalid_input');
    expect(Object.values(hidden.details?.fields ?? {})).toEqual(Object.values(unknown.details?.fields ?? {}));
    const after = await t.db.selectFrom('records').select(['values', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);

    // A save of the writable fields keeps the hidden and read-only values exactly as stored.
    const saved = await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: id, version: 1, values: { notes: '新备注', phone: String((await getRecord(w.caller('sales1'), { formId: w.formId, recordId: id })).values.phone) } });
    expect(saved.values).not.toHaveProperty('level');
    const stored = await t.db.selectFrom('records').select('values').where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.values.level).toBe('B');
    expect(stored.values.phone).toBe(before.values.phone); // the same ciphertext: never rewritten
    expect(stored.values.notes).toBe('新备注');
  });

  it('validation errors name only fields the caller may see', async () => {
    const { t, w } = await freshWorld();
    // `name` is required by the form; hidden from this group, a save must not mention it.
    await setGrant(t, w, '销售', { actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write', name: 'hidden' } });
    const e = await failure(createRecord(w.caller('sales1'), { formId: w.formId, values: { phone: 'not a phone' } }));
    expect(e.code).toBe('invalid_input');
    expect(Object.keys(e.details?.fields ?? {})).toEqual(['phone']);
    expect(JSON.stringify(e.details)).not.toContain('name');
  });

  it('write-on-create: filled in on create, read afterwards', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '销售', { actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write', phone: 'write-on-create' } });
    const created = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '新客户', phone: '13700001111' } });
    expect(created.values.phone).toBe('13700001111');
    expect(created.modes.phone).toBe('read');
    expect(created.modes.name).toBe('write');
    expect(await codeOf(updateRecord(w.caller('sales1'), { formId: w.formId, recordId: created.id, version: 1, values: { phone: '13700002222' } }))).toBe('invalid_input');
  });
});

describe('owner assignment', () => {
  it('without assign: creating for someone else, giving a record away and planting one elsewhere are refused', async () => {
    const { t, w } = await freshWorld();
    const own = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '自己的', phone: '13700001111' } });
    expect(own.owner.id).toBe(w.users.sales1);
    expect(own.departmentId).toBe(w.departments.sales1);
    for (const other of [w.users.sales2, w.users.sales3]) {
      const e = await failure(createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '别人的', phone: '13700001111', owner: other } }));
      expect(e.code).toBe('invalid_input');
      expect(Object.keys(e.details?.fields ?? {})).toEqual(['owner']);
    }
    const give = await failure(updateRecord(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales1[0], version: 1, values: { owner: w.users.sales3 } }));
    expect(give.code).toBe('invalid_input');
    const row = await t.db.selectFrom('records').select(['owner_id', 'version']).where('id', '=', w.records.sales1[0]).executeTakeFirstOrThrow();
    expect(row).toEqual({ owner_id: w.users.sales1, version: 1 });
    const count = await t.db.selectFrom('records').select(sql<number>`count(*)::int`.as('n')).where(sql<boolean>`values @> '{"name":"别人的"}'::jsonb`).executeTakeFirstOrThrow();
    expect(count.n).toBe(0);
    // The owner picker offers only the salesperson.
    const p = await recordPage(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales1[0] });
    expect(p.ownerOptions.map((o) => o.id)).toEqual([w.users.sales1]);
  });

  it('assign within the department: the new owner must be in the assigner\'s department', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '销售', { actions: { view: { scope: 'department' }, create: {}, edit: { scope: 'department' }, assign: { scope: 'department' } }, fields: { '*': 'write' } });
    const moved = await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales1[0], version: 1, values: { owner: w.users.sales2 } });
    expect(moved.owner.id).toBe(w.users.sales2);
    // sales3 is in 销售二部: outside the assign scope.
    expect(await codeOf(updateRecord(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales1[1], version: 1, values: { owner: w.users.sales3 } }))).toBe('invalid_input');
    expect(await codeOf(createRecord(w.caller('sales1'), { formId: w.formId, values: { name: 'x', phone: '13700001111', owner: w.users.sales3 } }))).toBe('invalid_input');
    const p = await recordPage(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales1[1] });
    expect(p.ownerOptions.map((o) => o.id).sort()).toEqual([w.users.sales1, w.users.sales2, w.users.lead1, w.users.nobody].sort());
  });
});

describe('reveal', () => {
  it('shows one field of one record once, with the reason in the audit log, never the value', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '客服', supportGrant);
    const recordId = w.records.sales2[1];
    const noReason = await failure(revealField(w.caller('support'), { formId: w.formId, recordId, field: 'phone' }));
    expect(noReason.code).toBe('invalid_input');
    expect(Object.keys(noReason.details?.fields ?? {})).toEqual(['reason']);
    const res = await call(reveal.POST, { token: w.tokens.support, params: { formId: w.formId, recordId }, body: { field: 'phone', reason: '客户来电' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ field: 'phone', value: '13800002001' });
    const [event] = await auditOf(t, 'records.reveal');
    expect(event).toMatchObject({ actor_id: w.users.support, outcome: 'ok', record_ids: [recordId], fields: ['phone'] });
    expect(event.details).toMatchObject({ reason: '客户来电', groups: ['客服'] });
    expect(JSON.stringify(event)).not.toContain('13800002001');
  });

  it('refuses what is not masked-and-revealable: hidden fields like unknown ones, readable ones, records out of view', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '客服', supportGrant);
    const recordId = w.records.sales1[0];
    const hidden = await failure(revealField(w.caller('support'), { formId: w.formId, recordId, field: 'level', reason: 'x' }));
    const unknown = await failure(revealField(w.caller('support'), { formId: w.formId, recordId, field: 'nosuch', reason: 'x' }));
    expect(hidden.code).toBe('invalid_input');
    expect(hidden.details).toEqual(unknown.details);
    expect(await codeOf(revealField(w.caller('support'), { formId: w.formId, recordId, field: 'name', reason: 'x' }))).toBe('forbidden');
    // A salesperson has no reveal; another salesperson's record does not exist for them.
    expect(await codeOf(revealField(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales1[0], field: 'phone', reason: 'x' }))).toBe('forbidden');
    expect(await codeOf(revealField(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales3[0], field: 'phone', reason: 'x' }))).toBe('not_found');
    const events = await auditOf(t, 'records.reveal');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.outcome !== 'ok')).toBe(true);
  });

  it('is rate-limited per user, with a clear message', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '客服', supportGrant);
    const ids = [...w.records.sales1, ...w.records.sales2, ...w.records.sales3];
    // 30 successful reveals within the hour: the 31st is refused.
    const events = Array.from({ length: 30 }, (_, i) => ({
      action: 'records.reveal',
      outcome: 'ok',
      actor_id: w.users.support,
      form_id: w.formId,
      record_ids: JSON.stringify([ids[i % ids.length]]),
      fields: JSON.stringify(['phone']),
    }));
    await t.db.insertInto('audit_events').values(events).execute();
    const e = await failure(revealField(w.caller('support'), { formId: w.formId, recordId: ids[0], field: 'phone', reason: '核实' }));
    expect(e.code).toBe('rate_limited');
    expect(e.message).toContain('30');
    const en = await failure(revealField(w.caller('support', 'en'), { formId: w.formId, recordId: ids[0], field: 'phone', reason: 'check' }));
    expect(en.message).toMatch(/at most 30 per hour/);
  });
});

describe('forms the caller may use', () => {
  it('lists each form with the caller\'s modes; a group without grant sees nothing', async () => {
    const { t, w } = await freshWorld();
    await setGrant(t, w, '客服', supportGrant);
    const [form] = await listUsableForms(w.caller('support'), {});
    expect(form.fields.find((f) => f.key === 'phone')).toMatchObject({ mode: 'masked', sortable: false, searchable: false });
    expect(form.fields.find((f) => f.key === 'level')).toBeUndefined();
    expect(form.can).toMatchObject({ view: true, reveal: true, create: false, export: false });
    expect(await listUsableForms(w.caller('nobody'), {})).toEqual([]);
  });
});
