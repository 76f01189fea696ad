/**
 * JSON results arrive parsed from the driver and the ParseJSONResultsPlugin (lib/db/connection.ts),
 * on PGlite and PostgreSQL alike, and only the JSON columns we built are parsed: text that looks
 * like JSON stays text, and nothing about it is logged (the plugin's default would turn a
 * customer's `{"a":1}` into an object and log the failed parse of `{abc}`, value included).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type World } from '../helpers/world';
import { createGroup, listGroups, listUsers, updateGroup } from '@/lib/directory/operations';
import { createRecord, getRecord, listRecords } from '@/lib/records/operations';
import { recordDtoSchema } from '@/lib/records/dto';
import { compileDetached } from '@/lib/forms/ajv';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

afterEach(() => vi.restoreAllMocks());

describe('JSON results', () => {
  it('aggregates arrive as arrays; names that look like JSON stay text', async () => {
    const admin = w.caller('admin');
    const { id } = await createGroup(admin, { name: '{"a":1}', description: '[not json' });
    await updateGroup(admin, { groupId: id, memberIds: [w.users.sales1, w.users.sales2] });
    await t.db.updateTable('users').set({ name: '[1,2]' }).where('id', '=', w.users.sales2).execute();

    const group = (await listGroups(admin, {})).find((g) => g.id === id)!;
    expect(group.name).toBe('{"a":1}');
    expect(group.description).toBe('[not json');
    expect(group.memberCount).toBe(2);
    expect(group.members.map((m) => m.name)).toContain('[1,2]');

    const users = await listUsers(admin, {});
    const sales2 = users.find((u) => u.id === w.users.sales2)!;
    expect(sales2.name).toBe('[1,2]');
    expect(sales2.groups).toEqual(expect.arrayContaining([{ id, name: '{"a":1}' }]));
  });

  it('a record value that looks like JSON comes back as the text that was typed, and nothing is logged', async () => {
    const error = vi.spyOn(console, 'error');
    const manager = w.caller('manager');
    const created = await createRecord(manager, { formId: w.formId, values: { name: '{"a":1}', phone: '13800138000', notes: '{abc}' } });
    const read = await getRecord(manager, { formId: w.formId, recordId: created.id });
    expect(read.values.name).toBe('{"a":1}');
    expect(read.values.notes).toBe('{abc}');
    const page = await listRecords(manager, { formId: w.formId, q: '{"a":1}' });
    expect(page.items.map((r) => r.values.name)).toContain('{"a":1}');
    expect(error).not.toHaveBeenCalled();
  });

  it('a record leaves the door in the shape recordDtoSchema (and so the OpenAPI document) describes', async () => {
    const validate = compileDetached(recordDtoSchema);
    const page = await listRecords(w.caller('manager'), { formId: w.formId });
    expect(page.items.length).toBeGreaterThan(0);
    for (const r of page.items) expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
  });
});
