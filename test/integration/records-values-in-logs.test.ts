/**
 * No record values in logs, and no value of an unexpected type breaks a
 * list: sorting casts safely, publishing a type change over stored values of
 * another type is refused, and a failing operation logs codes only.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { format } from 'node:util';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { freshWorld, useWorld, type World } from '../helpers/world';
import { call } from '../helpers/rest';
import { failure } from '../helpers/outcome';
import * as collection from '@/app/api/v1/forms/[formId]/records/route';
import { createRecord, listRecords } from '@/lib/records/operations';
import { getFormDraft, publishForm, saveFormDraft } from '@/lib/forms/operations';
import { restRoute } from '@/lib/http/rest';
import type { FormDefinition } from '@/lib/forms/definition';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

const CANARY = 'CANARY-7f3a91';

/** Everything written to the console while `run` runs, as it would be printed. */
async function consoleDuring(run: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const spies = (['error', 'warn', 'log', 'info', 'debug'] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(format(...args))),
  );
  try {
    await run().catch(() => undefined);
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return lines.join('\n');
}

/** A second form, "线索", with a number field, granted to the sales group like the customer form. */
const leadForm: FormDefinition = {
  type: 'object',
  title: '线索',
  'x-order': ['name', 'score'],
  required: ['name'],
  properties: {
    name: { type: 'string', title: '名称', 'x-widget': 'text' },
    score: { type: 'number', title: '评分', 'x-widget': 'number' },
  },
};
let leadFormId: string;
let leadIds: Record<string, string>;

/** Adds the 线索 form with its four records (three of them numbers) to a world. */
async function addLeadForm(t: TestDatabase, w: World): Promise<{ formId: string; ids: Record<string, string> }> {
  const sales = await t.db.selectFrom('groups').select('id').where('name', '=', '销售').executeTakeFirstOrThrow();
  const formId = (
    await t.db.insertInto('forms').values({ name: '线索', draft: JSON.stringify(leadForm), published_version: 1 }).returning('id').executeTakeFirstOrThrow()
  ).id;
  await t.db.insertInto('form_versions').values({ form_id: formId, version: 1, schema: JSON.stringify(leadForm) }).execute();
  await t.db
    .insertInto('grants')
    .values({ form_id: formId, group_id: sales.id, grant: JSON.stringify({ actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write' } }) })
    .execute();
  // Numbers, and one value that is not a number (written before a type change, or imported).
  const ids: Record<string, string> = {};
  for (const [name, score] of [['low', 3], ['high', 42], ['odd', CANARY], ['none', undefined]] as const) {
    const id = randomUUID();
    ids[name] = id;
    await t.db
      .insertInto('records')
      .values({ id, form_id: formId, form_version: 1, values: JSON.stringify(score === undefined ? { name } : { name, score }), owner_id: w.users.sales1, department_id: w.departments.sales1, created_by: w.users.sales1 })
      .execute();
  }
  return { formId, ids };
}

beforeAll(async () => {
  ({ formId: leadFormId, ids: leadIds } = await addLeadForm(t, w));
});

afterEach(() => vi.restoreAllMocks());

describe('sorting never fails on a value of another type', () => {
  it('a number sort puts numbers in order and anything else last, and logs nothing', async () => {
    let asc: Awaited<ReturnType<typeof listRecords>> | undefined;
    const logged = await consoleDuring(async () => {
      asc = await listRecords(w.caller('sales1'), { formId: leadFormId, sort: 'score', order: 'asc' });
    });
    expect(logged).toBe('');
    expect(asc!.items.map((r) => r.values.name).slice(0, 2)).toEqual(['low', 'high']);
    expect(new Set(asc!.items.slice(2).map((r) => r.values.name))).toEqual(new Set(['odd', 'none']));
    const desc = await listRecords(w.caller('sales1'), { formId: leadFormId, sort: 'score', order: 'desc' });
    expect(desc.items.map((r) => r.values.name).slice(0, 2)).toEqual(['high', 'low']);
    // Search over the form's text fields is untouched by the odd value.
    expect((await listRecords(w.caller('sales1'), { formId: leadFormId, q: 'hig' })).items.map((r) => r.id)).toEqual([leadIds.high]);
  });
});

describe('publishing a type change over stored values of another type', () => {
  // Each builds its own world: they publish and retype forms, and count the
  // customer form's records (9 in a fresh world, whatever other tests create).
  it('is refused, naming the field and how many records', async () => {
    const { t, w } = await freshWorld();
    const draft = (await getFormDraft(w.caller('admin'), { formId: w.formId })).draft;
    // 客户等级 (level) holds "B" in every record: it cannot become a number.
    const retyped = structuredClone(draft);
    retyped.properties.level = { type: 'number', title: '客户等级', 'x-widget': 'number' };
    await saveFormDraft(w.caller('admin'), { formId: w.formId, draft: retyped });
    const err = await failure(publishForm(w.caller('admin'), { formId: w.formId }));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('客户等级');
    expect(err.message).toMatch(/有 9 条记录/);
    const en = await failure(publishForm(w.caller('admin', 'en'), { formId: w.formId }));
    expect(en.message).toMatch(/“客户等级”.*in 9 records/);
    const form = await t.db.selectFrom('forms').select('published_version').where('id', '=', w.formId).executeTakeFirstOrThrow();
    expect(form.published_version).toBe(1);
  });

  it('is allowed when the stored values fit the new type, and for changes that keep the type', async () => {
    const { t, w } = await freshWorld();
    const { formId: leadFormId } = await addLeadForm(t, w);
    // No record holds 跟进记录 (notes) yet: it may become a number.
    const draft = (await getFormDraft(w.caller('admin'), { formId: w.formId })).draft;
    const retyped = structuredClone(draft);
    retyped.properties.notes = { type: 'number', title: '跟进记录', 'x-widget': 'number' };
    await saveFormDraft(w.caller('admin'), { formId: w.formId, draft: retyped });
    expect((await publishForm(w.caller('admin'), { formId: w.formId })).version).toBe(2);
    // 评分 already holds one odd value; a publish that does not touch its type is not held hostage by it.
    const lead = (await getFormDraft(w.caller('admin'), { formId: leadFormId })).draft;
    const changed = structuredClone(lead);
    changed.properties.name = { ...changed.properties.name, maxLength: 50 };
    await saveFormDraft(w.caller('admin'), { formId: leadFormId, draft: changed });
    expect((await publishForm(w.caller('admin'), { formId: leadFormId })).version).toBe(2);
  });
});

describe('logs carry codes, never values', () => {
  it('a database error quoting a stored value is logged by SQLSTATE and constraint only', async () => {
    // A unique index makes the database quote the duplicate value in its error detail.
    await sql`create unique index records_canary_name_uq on records ((values->>'name')) where form_id = ${sql.lit(w.formId)}`.execute(t.db);
    try {
      await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: CANARY, phone: '13912340011' } });
      let code: string | undefined;
      let told = '';
      const logged = await consoleDuring(async () => {
        const err = await failure(createRecord(w.caller('sales1'), { formId: w.formId, values: { name: CANARY, phone: '13912340012' } }));
        code = err.code;
        // What the caller is told: the message and details, not just the code.
        told = `${err.message}\n${JSON.stringify(err.details ?? {})}`;
      });
      expect(code).toBe('internal');
      expect(told).not.toContain(CANARY);
      expect(told).not.toContain('1391234');
      expect(logged).toContain('records.create');
      expect(logged).toContain('23505');
      expect(logged).toContain('records_canary_name_uq');
      expect(logged).not.toContain(CANARY);
      expect(logged).not.toContain('1391234');
    } finally {
      await sql`drop index records_canary_name_uq`.execute(t.db);
    }
  });

  it('an error raised with the values in its message is logged without them, and the API answers 500 without them', async () => {
    await sql`create function fw_test_canary() returns trigger language plpgsql as $$ begin raise exception 'refused %', new.values::text; end $$`.execute(t.db);
    await sql`create trigger fw_test_canary before insert on records for each row execute function fw_test_canary()`.execute(t.db);
    try {
      let res: Awaited<ReturnType<typeof call>> | undefined;
      const logged = await consoleDuring(async () => {
        res = await call(collection.POST, { token: w.tokens.sales1, params: { formId: w.formId }, body: { values: { name: CANARY, phone: '13912340013' } } });
      });
      expect(res!.status).toBe(500);
      expect(JSON.stringify(res!.body)).not.toContain(CANARY);
      expect(logged).toContain('P0001');
      expect(logged).not.toContain(CANARY);
      expect(logged).not.toContain('refused');
    } finally {
      await sql`drop trigger fw_test_canary on records`.execute(t.db);
      await sql`drop function fw_test_canary()`.execute(t.db);
    }
  });

  it('a REST handler that throws is logged without its message', async () => {
    const route = restRoute(async () => {
      throw new Error(`bad value ${CANARY}\nsecond line ${CANARY}`);
    });
    let status = 0;
    const logged = await consoleDuring(async () => {
      status = (await call(route, { token: 'fw_anything' })).status;
    });
    expect(status).toBe(500);
    expect(logged).toContain('REST handler');
    expect(logged).not.toContain(CANARY);
  });
});
