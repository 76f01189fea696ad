/**
 * Bad input gets a clear 4xx, never a 500, and never a stored value: body limits (item 12),
 * linear-time patterns (13), malformed text, ids and owners, ciphertext-looking text (14),
 * safe field keys (16) and validation messages in the caller's language (24).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type World } from '../helpers/world';
import { call } from '../helpers/rest';
import { failure } from '../helpers/outcome';
import * as collection from '@/app/api/v1/forms/[formId]/records/route';
import * as item from '@/app/api/v1/forms/[formId]/records/[recordId]/route';
import { createRecord, getRecord, listRecords, updateRecord } from '@/lib/records/operations';
import { createForm, publishForm, saveFormDraft } from '@/lib/forms/operations';
import type { FormDefinition } from '@/lib/forms/definition';
import { streamedBody } from '@/test/helpers/streamed-body';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

/** A second form: an encrypted text field without format, a plain one, and a ReDoS pattern. */
const notesForm: FormDefinition = {
  type: 'object',
  title: '备忘',
  'x-order': ['memo', 'plain', 'code'],
  required: [],
  properties: {
    memo: { type: 'string', title: '密文备注', maxLength: 200, 'x-widget': 'text', 'x-encrypted': true },
    plain: { type: 'string', title: '备注', maxLength: 200, 'x-widget': 'text' },
    code: { type: 'string', title: '编码', maxLength: 100, pattern: '^(a+)+$', 'x-widget': 'text' },
  },
};
let notesId: string;

beforeAll(async () => {
  notesId = (
    await t.db
      .insertInto('forms')
      .values({ name: '备忘', draft: JSON.stringify(notesForm), published_version: 1, created_by: w.users.admin })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await t.db.insertInto('form_versions').values({ form_id: notesId, version: 1, schema: JSON.stringify(notesForm) }).execute();
  const managers = await t.db.selectFrom('groups').select('id').where('name', '=', '管理者').executeTakeFirstOrThrow();
  const grant = { actions: { view: { scope: 'all' }, create: {}, edit: { scope: 'all' } }, fields: { '*': 'write' } };
  await t.db.insertInto('grants').values({ form_id: notesId, group_id: managers.id, grant: JSON.stringify(grant) }).execute();
});

/** Records and write events: what a refusal must leave unchanged. */
async function stored() {
  const records = await t.db.selectFrom('records').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  const writes = await t.db
    .selectFrom('audit_events')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('action', 'in', ['records.create', 'records.update', 'records.delete'])
    .where('outcome', '=', 'success')
    .executeTakeFirstOrThrow();
  const versions = await t.db.selectFrom('records').select(sql<number>`coalesce(sum(version), 0)::int`.as('n')).executeTakeFirstOrThrow();
  return { records: records.n, writes: writes.n, versions: versions.n };
}

const rawPost = (token: string, body: BodyInit, headers: Record<string, string> = {}) =>
  new Request('http://localhost/api/v1/x', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.1', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);

const ctx = (params: Record<string, string>) => ({ params: Promise.resolve(params) });

describe('item 12: bodies are limited before they are read', () => {
  it('refuses a fake token without reading the body', async () => {
    const { stream, stats } = streamedBody(400 * 1024 * 1024);
    const res = await collection.POST(rawPost('fw_fake-token-of-an-outsider', stream), ctx({ formId: w.formId }));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(stats.pulled).toBe(0);
  });

  it('stops reading at the limit for a valid token: 413, nothing stored', async () => {
    const before = await stored();
    const { stream, stats } = streamedBody(400 * 1024 * 1024);
    const res = await collection.POST(rawPost(w.tokens.manager, stream), ctx({ formId: w.formId }));
    expect(res.status).toBe(413);
    const body = await res.json();
    expect(body.code).toBe('payload_too_large');
    expect(body.title).toBe('请求体过大（上限 1 MB）');
    expect(stats.pulled).toBeLessThanOrEqual(20); // 1 MB in 64 KB chunks, not 6,400 of them
    const declared = await collection.POST(rawPost(w.tokens.manager, '{}', { 'content-length': String(2_000_000) }), ctx({ formId: w.formId }));
    expect(declared.status).toBe(413);
    expect(await stored()).toEqual(before);
  });

  it('answers malformed JSON with 400 and a well-formed body that fails validation with 422', async () => {
    const before = await stored();
    const bad = await collection.POST(rawPost(w.tokens.manager, '{"values": {"name": '), ctx({ formId: w.formId }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('bad_request');
    const invalid = await call(collection.POST, { token: w.tokens.manager, params: { formId: w.formId }, body: { values: { name: 'x'.repeat(101), phone: '13912345678' } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('invalid_input');
    expect(await stored()).toEqual(before);
  });
});

describe('item 13: linear-time patterns', () => {
  it('validates ^(a+)+$ against 28 a and a "!" promptly', async () => {
    const started = performance.now();
    const e = await failure(createRecord(w.caller('manager'), { formId: notesId, values: { code: 'a'.repeat(28) + '!' } }));
    console.info(`[input] ^(a+)+$ on a 29-character value through createRecord: ${(performance.now() - started).toFixed(1)} ms`);
    expect(e.code).toBe('invalid_input');
    expect(e.details?.fields).toEqual({ code: '格式不正确' });
  });

  it('refuses to publish a draft whose pattern has a backreference, with the reason', async () => {
    const { id } = await createForm(w.caller('admin'), { name: '反向引用' });
    const draft: FormDefinition = {
      type: 'object',
      'x-order': ['code'],
      required: [],
      properties: { code: { type: 'string', title: '编码', pattern: '^(\\d)\\1$', 'x-widget': 'text' } },
    };
    // Saving goes through the same check…
    expect((await failure(saveFormDraft(w.caller('admin'), { formId: id, draft }))).code).toBe('invalid_input');
    // …and a draft stored before the rule existed cannot be published.
    await t.db.updateTable('forms').set({ draft: JSON.stringify(draft) }).where('id', '=', id).execute();
    const e = await failure(publishForm(w.caller('admin'), { formId: id }));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('不支持的写法（反向引用');
    const published = await t.db.selectFrom('form_versions').select('version').where('form_id', '=', id).execute();
    expect(published).toEqual([]);
  });
});

describe('item 14: bad input is a 4xx, never a 500, and nothing is stored', () => {
  const NUL = 'a\u0000b';
  const LONE_HIGH = 'x\ud800y';
  const LONE_LOW = '\udc00';

  it('refuses NUL and unpaired surrogates in values, keys and q', async () => {
    const before = await stored();
    for (const bad of [NUL, LONE_HIGH, LONE_LOW]) {
      const created = await call(collection.POST, { token: w.tokens.manager, params: { formId: w.formId }, body: { values: { name: bad, phone: '13912345678' } } });
      expect(created.status).toBe(422);
      expect(created.body.errors['values.name']).toBe('包含不允许的字符（空字符或不完整的 Unicode 字符）');
      const patched = await call(item.PATCH, {
        token: w.tokens.manager,
        params: { formId: w.formId, recordId: w.records.sales1[0] },
        method: 'PATCH',
        body: { version: 1, values: { notes: bad } },
      });
      expect(patched.status).toBe(422);
      // A query string cannot carry a lone surrogate (URL decoding makes it U+FFFD); a server action can.
      expect((await failure(listRecords(w.caller('manager'), { formId: w.formId, q: bad }))).details?.fields).toHaveProperty('q');
      const keyed = await call(collection.POST, { token: w.tokens.manager, params: { formId: w.formId }, body: { values: { [bad]: 'x', name: 'ok', phone: '13912345678' } } });
      expect(keyed.status).toBe(422);
    }
    const listed = await call(collection.GET, { token: w.tokens.manager, params: { formId: w.formId }, query: 'q=a%00b' });
    expect(listed.status).toBe(422);
    expect(listed.body.errors.q).toBe('包含不允许的字符（空字符或不完整的 Unicode 字符）');
    expect(await stored()).toEqual(before);
  });

  it('refuses ids written as urn:uuid: and other non-UUIDs with 422', async () => {
    const urn = `urn:uuid:${w.records.sales1[0]}`;
    const get = await call(item.GET, { token: w.tokens.manager, params: { formId: w.formId, recordId: urn } });
    expect(get.status).toBe(422);
    const form = await call(collection.GET, { token: w.tokens.manager, params: { formId: `urn:uuid:${w.formId}` } });
    expect(form.status).toBe(422);
    expect(form.body.errors.formId).toBeTruthy();
    expect((await failure(getRecord(w.caller('manager'), { formId: w.formId, recordId: 'not-a-uuid' }))).code).toBe('invalid_input');
  });

  it('refuses an owner that is no UUID, by field', async () => {
    const before = await stored();
    for (const owner of ['not-a-uuid', `urn:uuid:${w.users.sales1}`, "x' or '1'='1"]) {
      const res = await call(collection.POST, { token: w.tokens.manager, params: { formId: w.formId }, body: { values: { name: '客户', phone: '13912345678', owner } } });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual({ owner: '请选择有效的用户' });
    }
    expect(await stored()).toEqual(before);
  });

  it('never takes input as ciphertext: an encrypted field encrypts "fw1.…", a plain field stores it as typed', async () => {
    const token = 'fw1.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const rec = await createRecord(w.caller('manager'), { formId: notesId, values: { memo: token, plain: token } });
    expect(rec.values).toEqual({ memo: token, plain: token });
    const row = await t.db.selectFrom('records').select('values').where('id', '=', rec.id).executeTakeFirstOrThrow();
    const values = row.values as Record<string, string>;
    expect(values.plain).toBe(token);
    expect(values.memo).toMatch(/^fw1\./);
    expect(values.memo).not.toBe(token); // sealed, not stored as given
    const read = await getRecord(w.caller('manager'), { formId: notesId, recordId: rec.id });
    expect(read.values).toEqual({ memo: token, plain: token });
    const list = await listRecords(w.caller('manager'), { formId: notesId });
    expect(list.items.find((i) => i.id === rec.id)?.values).toEqual({ memo: token, plain: token });
    // An edit of another field keeps both as they were typed.
    const updated = await updateRecord(w.caller('manager'), { formId: notesId, recordId: rec.id, version: rec.version, values: { code: 'aaa' } });
    expect(updated.values).toEqual({ memo: token, plain: token, code: 'aaa' });
  });

  it('refuses to publish encryption turned off over stored ciphertext', async () => {
    await createRecord(w.caller('manager'), { formId: notesId, values: { memo: '机密' } });
    const off = structuredClone(notesForm);
    delete off.properties.memo['x-encrypted'];
    await saveFormDraft(w.caller('admin'), { formId: notesId, draft: off });
    const e = await failure(publishForm(w.caller('admin'), { formId: notesId }));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('确认这一风险后才能发布');
    await saveFormDraft(w.caller('admin'), { formId: notesId, draft: notesForm });
  });
});

describe('item 16: field keys are safe identifiers', () => {
  it('refuses __proto__ and constructor in submitted values, by name, and stores nothing', async () => {
    const before = await stored();
    const body = JSON.parse('{"values": {"name": "客户", "phone": "13912345678", "__proto__": {"x": 1}, "constructor": "y"}}');
    const res = await call(collection.POST, { token: w.tokens.manager, params: { formId: w.formId }, body });
    expect(res.status).toBe(422);
    // Computed keys: a literal `__proto__:` would set the expected object's prototype instead.
    expect(res.body.errors).toEqual({ ['__proto__']: '未知字段', constructor: '未知字段' });
    expect(Object.keys(res.body.errors).sort()).toEqual(['__proto__', 'constructor']);
    const patched = await call(item.PATCH, {
      token: w.tokens.manager,
      params: { formId: w.formId, recordId: w.records.sales1[0] },
      method: 'PATCH',
      body: JSON.parse('{"version": 1, "values": {"toString": "x"}}'),
    });
    expect(patched.status).toBe(422);
    expect(patched.body.errors).toEqual({ toString: '未知字段' });
    expect(await stored()).toEqual(before);
  });

  it('refuses a field named constructor in a draft', async () => {
    const { id } = await createForm(w.caller('admin'), { name: '保留名' });
    const draft = { type: 'object', 'x-order': ['constructor'], required: [], properties: { constructor: { type: 'string', title: '构造', 'x-widget': 'text' } } };
    const e = await failure(saveFormDraft(w.caller('admin'), { formId: id, draft }));
    expect(e.code).toBe('invalid_input');
    const reasons = (e.details?.errors as { message: string }[]).map((x) => x.message);
    expect(reasons).toContain('字段标识「constructor」是保留名称，请换一个');
  });
});

describe("item 24: operation input errors are in the caller's language", () => {
  it('says pageSize is too large in Chinese to a Chinese request, in English to an English one', async () => {
    const zh = await call(collection.GET, { token: w.tokens.manager, params: { formId: w.formId }, query: 'pageSize=500', locale: 'zh-CN,zh;q=0.9' });
    expect(zh.status).toBe(422);
    expect(zh.body.title).toBe('输入不正确');
    expect(zh.body.errors.pageSize).toMatch(/[\u4e00-\u9fa5]/);
    expect(zh.body.errors.pageSize).not.toMatch(/must/);
    expect(zh.body.errors.pageSize).toContain('200');
    const en = await call(collection.GET, { token: w.tokens.manager, params: { formId: w.formId }, query: 'pageSize=500', locale: 'en' });
    expect(en.body.errors.pageSize).toBe('must be <= 200');
  });

  it('names an unknown input key in its own error', async () => {
    const e = await failure(getRecord(w.caller('manager', 'zh-CN'), { formId: w.formId, recordId: randomUUID(), extra: 1 } as never));
    expect(Object.keys(e.details?.fields ?? {})).toEqual(['extra']);
    expect(e.details?.fields?.extra).toMatch(/[\u4e00-\u9fa5]/);
  });
});
