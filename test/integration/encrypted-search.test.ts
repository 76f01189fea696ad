/**
 * Exact search on encrypted fields through the blind index: by the whole phone number, within
 * the caller's scope, only where the caller sees the field at least masked; partial values and
 * fields the caller cannot see are refused; the stored digests change with the value.
 */
import { describe, expect, it } from 'vitest';
import { freshWorld } from '../helpers/world';
import { call } from '../helpers/rest';
import * as collection from '@/app/api/v1/forms/[formId]/records/route';
import { createRecord, getRecord, listRecords, updateRecord } from '@/lib/records/operations';
import { failure } from '../helpers/outcome';

// The world's phones: 1380000<seller digit>00<i>.
const phoneOf = (seller: 1 | 2 | 3, i: number) => `1380000${seller}00${i}`;

async function supportSeesPhoneMasked(t: Awaited<ReturnType<typeof freshWorld>>['t'], formId: string) {
  const grant = { actions: { view: { scope: 'all' } }, fields: { '*': 'read', phone: 'masked' } };
  const g = await t.db.selectFrom('groups').select('id').where('name', '=', '客服').executeTakeFirstOrThrow();
  await t.db.updateTable('grants').set({ grant: JSON.stringify(grant) }).where('group_id', '=', g.id).where('form_id', '=', formId).execute();
}

describe('exact search on an encrypted phone', () => {
  it('a salesperson finds their own customer by the whole number, and not another salesperson\'s', async () => {
    const { w } = await freshWorld();
    const own = await listRecords(w.caller('sales1'), { formId: w.formId, q: phoneOf(1, 1) });
    expect(own.items.map((r) => r.id)).toEqual([w.records.sales1[1]]);
    expect(own.items[0].values.phone).toBe(phoneOf(1, 1));
    // Spelled as people type it: spaces, dashes, +86.
    const spaced = await listRecords(w.caller('sales1'), { formId: w.formId, q: `+86 138-0000-1001` });
    expect(spaced.items.map((r) => r.id)).toEqual([w.records.sales1[1]]);
    // sales3's customer: exactly what a number nobody has answers (no count, no hint).
    const other = await listRecords(w.caller('sales1'), { formId: w.formId, q: phoneOf(3, 0) });
    const nobody = await listRecords(w.caller('sales1'), { formId: w.formId, q: '13899999999' });
    expect(other).toEqual(nobody);
    expect(other.total).toBe(0);
    const filtered = await listRecords(w.caller('sales1'), { formId: w.formId, filter: { phone: phoneOf(3, 0) } });
    expect(filtered.total).toBe(0);
  });

  it('客服 finds any customer by phone and sees it masked', async () => {
    const { t, w } = await freshWorld();
    await supportSeesPhoneMasked(t, w.formId);
    const page = await listRecords(w.caller('support'), { formId: w.formId, q: phoneOf(3, 2) });
    expect(page.items.map((r) => r.id)).toEqual([w.records.sales3[2]]);
    expect(page.items[0].values.phone).toBe('138****3002');
    expect(JSON.stringify(page)).not.toContain(phoneOf(3, 2));
    const rest = await call(collection.GET, { token: w.tokens.support, params: { formId: w.formId }, query: `filter[phone]=${phoneOf(2, 0)}` });
    expect(rest.status).toBe(200);
    expect(rest.body.items.map((r: { id: string }) => r.id)).toEqual([w.records.sales2[0]]);
    expect(rest.body.items[0].values.phone).toBe('138****2000');
  });

  it('part of a number finds nothing through q, and a filter with it is refused with the reason', async () => {
    const { w } = await freshWorld();
    expect((await listRecords(w.caller('manager'), { formId: w.formId, q: '1380000' })).total).toBe(0);
    const err = await failure(listRecords(w.caller('manager'), { formId: w.formId, filter: { phone: '1380000' } }));
    expect(err.code).toBe('invalid_input');
    expect(err.details?.fields).toEqual({ 'filter.phone': expect.stringContaining('只能按完整的值精确查找') });
    const rest = await call(collection.GET, { token: w.tokens.manager, params: { formId: w.formId }, query: 'filter[phone]=138', locale: 'en' });
    expect(rest.status).toBe(422);
    expect(JSON.stringify(rest.body)).toContain('whole value only');
  });

  it('a field the caller cannot see cannot be filtered or searched by, with the words of a field that does not exist', async () => {
    const { t, w } = await freshWorld();
    const grant = { actions: { view: { scope: 'all' } }, fields: { '*': 'read', phone: 'hidden' } };
    const g = await t.db.selectFrom('groups').select('id').where('name', '=', '客服').executeTakeFirstOrThrow();
    await t.db.updateTable('grants').set({ grant: JSON.stringify(grant) }).where('group_id', '=', g.id).execute();
    const hidden = await failure(listRecords(w.caller('support'), { formId: w.formId, filter: { phone: phoneOf(1, 0) } }));
    const missing = await failure(listRecords(w.caller('support'), { formId: w.formId, filter: { nosuch: phoneOf(1, 0) } }));
    expect(hidden.details?.fields?.['filter.phone']).toBe(missing.details?.fields?.['filter.nosuch']);
    expect((await listRecords(w.caller('support'), { formId: w.formId, q: phoneOf(1, 0) })).total).toBe(0);
  });

  it('plain fields filter by equality where read in plain; filters combine', async () => {
    const { w } = await freshWorld();
    const both = await listRecords(w.caller('manager'), { formId: w.formId, filter: { level: 'B', phone: phoneOf(2, 1) } });
    expect(both.items.map((r) => r.id)).toEqual([w.records.sales2[1]]);
    expect((await listRecords(w.caller('manager'), { formId: w.formId, filter: { level: 'VIP', phone: phoneOf(2, 1) } })).total).toBe(0);
  });

  it('the index follows the value: a new number is found, the old one no more', async () => {
    const { w } = await freshWorld();
    const created = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '新号码', phone: '13912340000' } });
    expect((await listRecords(w.caller('sales1'), { formId: w.formId, q: '13912340000' })).items.map((r) => r.id)).toEqual([created.id]);
    await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: created.id, version: created.version, values: { phone: '13912349999' } });
    expect((await listRecords(w.caller('sales1'), { formId: w.formId, q: '13912340000' })).total).toBe(0);
    expect((await listRecords(w.caller('sales1'), { formId: w.formId, q: '13912349999' })).items.map((r) => r.id)).toEqual([created.id]);
    const now = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: created.id });
    expect(now.values.phone).toBe('13912349999');
  });

  it('stores no plaintext and no digest that repeats across forms', async () => {
    const { t, w } = await freshWorld();
    const rows = await t.db.selectFrom('records').select(['blind_index']).where('form_id', '=', w.formId).execute();
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/1380000\d00\d/);
    expect(rows.every((r) => /^1\.[\w-]{22}$/.test(r.blind_index.phone))).toBe(true);
    expect(new Set(rows.map((r) => r.blind_index.phone)).size).toBe(rows.length);
  });

  it('exact searches on encrypted fields are limited per user and hour (guessing the masked digits), ordinary searches are not', async () => {
    const { t, w } = await freshWorld();
    await supportSeesPhoneMasked(t, w.formId);
    // 299 lookups already made this hour (as the audit log tells them), then the 300th passes and the 301st is refused.
    const events = Array.from({ length: 299 }, () => ({ actor_id: w.users.support, action: 'records.list', outcome: 'ok', form_id: w.formId, details: JSON.stringify({ lookups: ['phone'] }) }));
    await t.db.insertInto('audit_events').values(events).execute();
    expect((await listRecords(w.caller('support'), { formId: w.formId, q: phoneOf(1, 0) })).total).toBe(1);
    const refused = await failure(listRecords(w.caller('support'), { formId: w.formId, q: phoneOf(1, 1) }));
    expect(refused.code).toBe('rate_limited');
    expect(refused.message).toContain('每小时最多 300 次');
    const rest = await call(collection.GET, { token: w.tokens.support, params: { formId: w.formId }, query: `filter[phone]=${phoneOf(1, 1)}` });
    expect(rest.status).toBe(429);
    // A search that looks nothing up (no whole phone in it) and other users are not held back.
    expect((await listRecords(w.caller('support'), { formId: w.formId, q: 'sales1' })).total).toBe(3);
    expect((await listRecords(w.caller('manager'), { formId: w.formId, q: phoneOf(1, 1) })).total).toBe(1);
  });
});
