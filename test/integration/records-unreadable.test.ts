/**
 * One bad ciphertext does not break a list: a tampered value, or one moved
 * from another record, shows as an unreadable field; the rest stays
 * readable, the failure is audited (names only), and an edit can replace it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../helpers/db';
import { freshWorld, useWorld, type World } from '../helpers/world';
import { call } from '../helpers/rest';
import * as item from '@/app/api/v1/forms/[formId]/records/[recordId]/route';
import { getRecord, listRecords, updateRecord } from '@/lib/records/operations';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

let tampered: string;
let moved: string;
let intact: string;
const phoneOf = async (id: string, db: TestDatabase = t) =>
  ((await db.db.selectFrom('records').select('values').where('id', '=', id).executeTakeFirstOrThrow()).values as { phone: string }).phone;
const setPhone = async (db: TestDatabase, id: string, phone: string) => {
  const row = await db.db.selectFrom('records').select('values').where('id', '=', id).executeTakeFirstOrThrow();
  await db.db.updateTable('records').set({ values: JSON.stringify({ ...row.values, phone }) }).where('id', '=', id).execute();
};

/** Breaks two of sales1's three records: returns which is which. */
async function breakRecords(db: TestDatabase, world: World) {
  const [tampered, intact, moved] = world.records.sales1;
  // One byte of the sealed body changed…
  const token = await phoneOf(tampered, db);
  const i = token.length - 8;
  await setPhone(db, tampered, token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1));
  // …and a valid ciphertext copied from another record: bound to that record, it must not open here.
  await setPhone(db, moved, await phoneOf(intact, db));
  return { tampered, intact, moved };
}

// The reading tests share one broken world; the editing tests (which repair
// or change a record) each break a world of their own.
beforeAll(async () => {
  ({ tampered, intact, moved } = await breakRecords(t, w));
});

describe('unreadable values', () => {
  it('the list stays readable and marks only the broken fields', async () => {
    const page = await listRecords(w.caller('sales1'), { formId: w.formId, pageSize: 100 });
    expect(page.total).toBe(3);
    const byId = new Map(page.items.map((r) => [r.id, r]));
    for (const id of [tampered, moved]) {
      const r = byId.get(id)!;
      expect(r.unreadable).toEqual(['phone']);
      expect(r.values).not.toHaveProperty('phone');
      expect(r.values.name).toMatch(/^sales1-客户/);
      expect(r.values.level).toBe('B');
    }
    expect(byId.get(intact)!.unreadable).toEqual([]);
    expect(byId.get(intact)!.values.phone).toBe('13800001001');
  });

  it('each failure is an audit event naming form, record and field, never the value', async () => {
    await listRecords(w.caller('sales1'), { formId: w.formId, pageSize: 100 });
    const events = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'records.decryptFailed')
      .where('actor_id', '=', w.users.sales1)
      .execute();
    const seen = new Set(events.map((e) => e.resource_id));
    expect(seen).toEqual(new Set([tampered, moved]));
    for (const e of events) {
      expect(e.form_id).toBe(w.formId);
      expect(e.record_ids).toEqual([e.resource_id]);
      expect(e.fields).toEqual(['phone']);
      const text = JSON.stringify(e);
      expect(text).not.toContain('fw1.');
      expect(text).not.toContain('13800001');
    }
    // The list's own event is still the list.
    const list = await t.db.selectFrom('audit_events').select('outcome').where('action', '=', 'records.list').where('actor_id', '=', w.users.sales1).execute();
    expect(list.every((e) => e.outcome === 'ok')).toBe(true);
  });

  it('the record page and the REST API carry the marker', async () => {
    const rec = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: tampered });
    expect(rec.unreadable).toEqual(['phone']);
    const res = await call(item.GET, { token: w.tokens.sales1, params: { formId: w.formId, recordId: moved } });
    expect(res.status).toBe(200);
    expect(res.body.unreadable).toEqual(['phone']);
    expect(res.body.values).not.toHaveProperty('phone');
  });

  it('editing other fields keeps the broken value as it is', async () => {
    const { t, w } = await freshWorld();
    const { tampered } = await breakRecords(t, w);
    const before = await phoneOf(tampered, t);
    const rec = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: tampered });
    // phone is required: the edit must not need the value nobody can read.
    const saved = await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: tampered, version: rec.version, values: { notes: '只改备注' } });
    expect(saved.values.notes).toBe('只改备注');
    expect(saved.unreadable).toEqual(['phone']);
    expect(await phoneOf(tampered, t)).toBe(before);
  });

  it('submitting a new value replaces the broken one', async () => {
    const { t, w } = await freshWorld();
    const { tampered } = await breakRecords(t, w);
    const rec = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: tampered });
    const saved = await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: tampered, version: rec.version, values: { phone: '13912349876' } });
    expect(saved.unreadable).toEqual([]);
    expect(saved.values.phone).toBe('13912349876');
    expect(await phoneOf(tampered, t)).toMatch(/^fw1\./);
    expect((await getRecord(w.caller('sales1'), { formId: w.formId, recordId: tampered })).values.phone).toBe('13912349876');
    const ev = await t.db.selectFrom('audit_events').select('fields').where('action', '=', 'records.update').where('resource_id', '=', tampered).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(ev.fields).toEqual(['phone']);
  });
});
