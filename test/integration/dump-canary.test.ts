/**
 * The canary test of issue 7 (encryption): records holding known plaintext in encrypted fields
 * are written, listed, searched, edited, revealed and rotated; then a full dump of the database,
 * the application log, the audit events, the job table and every answer given on the way are
 * searched for that plaintext. It may appear only in the answers that were allowed to show it
 * (the owner's own reads, a permitted reveal), nowhere else.
 *
 * The dump: on PostgreSQL the real `pg_dump` (plain SQL, data included). On PGlite there is no
 * usable pg_dump: @electric-sql/pglite-tools (its WASM pg_dump) pins its pglite peer exactly,
 * and no release pins ours (0.4.8, the newest, wants pglite 0.5.8; ours is 0.5.17, and npm
 * refuses the install). So PGlite gets two dumps that cover each other's blind spots:
 *   - the raw data directory (`dumpDataDir('none')`, an uncompressed tar after a CHECKPOINT):
 *     every heap, index, catalog and WAL byte, dead row versions included;
 *   - a logical dump, every row of every table outside the system schemas as text
 *     (`select t::text from <table> t`) plus function and view definitions: raw pages may hold
 *     a long value TOAST-compressed (pglz/lz4), where a byte scan alone would miss plaintext.
 * A dump that cannot be taken fails the test with the reason; nothing here is skipped.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { format, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { buildWorld, type World } from '../helpers/world';
import { call } from '../helpers/rest';
import { canaryBankCard, canaryIdNo, canaryPhone } from '../helpers/canary';
import { isAppError } from '@/lib/errors';
import type { FormDefinition } from '@/lib/forms/definition';
import { createForm, publishForm, setFormGrants } from '@/lib/forms/operations';
import { createRecord, getRecord, listRecords, revealField, updateRecord } from '@/lib/records/operations';
import { rotateDataKey } from '@/lib/crypto/operations';
import { runDueJobs } from '@/lib/jobs/runner';
import * as collection from '@/app/api/v1/forms/[formId]/records/route';
import * as item from '@/app/api/v1/forms/[formId]/records/[recordId]/route';
import * as revealRoute from '@/app/api/v1/forms/[formId]/records/[recordId]/reveal/route';

const PG_DUMP = '/usr/bin/pg_dump';
const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// The form: every encrypted kind there is, and one plain field as the scans' positive control.

const vault: FormDefinition = {
  type: 'object',
  title: '金丝雀档案',
  'x-order': ['name', 'phone', 'idNo', 'card', 'email', 'secret'],
  required: ['name', 'phone'],
  properties: {
    name: { type: 'string', title: '名称', maxLength: 100, 'x-widget': 'text' },
    phone: { type: 'string', title: '手机号', format: 'cn-mobile', 'x-widget': 'phone', 'x-encrypted': true, 'x-mask': 'phone' },
    idNo: { type: 'string', title: '身份证号', format: 'cn-id-card', 'x-widget': 'id-card', 'x-encrypted': true, 'x-mask': 'id-card' },
    card: { type: 'string', title: '银行卡号', format: 'bank-card', 'x-widget': 'bank-card', 'x-encrypted': true, 'x-mask': 'bank-card' },
    email: { type: 'string', title: '邮箱', format: 'email', maxLength: 100, 'x-widget': 'email', 'x-encrypted': true, 'x-mask': 'email' },
    secret: { type: 'string', title: '暗号', maxLength: 2000, 'x-widget': 'textarea', 'x-encrypted': true },
  },
};
/** Sellers own and edit their records; support sees everything masked and may reveal, with a reason. */
const salesGrant = { actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write' } };
const supportGrant = { actions: { view: { scope: 'all' }, reveal: { scope: 'all', reason: true } }, fields: { '*': 'masked', name: 'read' } };

// ---------------------------------------------------------------------------------------------
// Canaries: every value ever sent for an encrypted field, stored, replaced or refused.

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** The plain name of every record: must be found by every scan (they read real data). */
const PLAIN = `明文对照${hex(4)}`;
const REASON = `来电核实${hex(3)}`;

/** Canary value → where it came from. */
const canaries = new Map<string, string>();
function canary(label: string, value: string): string {
  if (canaries.has(value)) throw new Error(`canary ${value} generated twice`);
  canaries.set(value, label);
  return value;
}

type Sealed = { phone: string; idNo: string; card: string; email: string; secret: string };
const freshValues = (label: string, secret: string = `FWCANARY-${hex(8)}`): Sealed => ({
  phone: canary(`${label}.phone`, canaryPhone()),
  idNo: canary(`${label}.idNo`, canaryIdNo()),
  card: canary(`${label}.card`, canaryBankCard()),
  email: canary(`${label}.email`, `canary.${hex(5)}@example.com`),
  secret: canary(`${label}.secret`, secret),
});

/** The forms a value could take on its way into text: each is searched for. */
function encodings(value: string): { how: string; s: string }[] {
  const out = new Map<string, string>();
  const add = (how: string, s: string) => {
    if (!out.has(s)) out.set(s, how);
  };
  add('raw', value);
  add('lower-cased', value.toLowerCase());
  add('JSON-escaped', JSON.stringify(value).slice(1, -1));
  add('JSON \\u-escaped', value.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  add('JSON \\u-escaped (upper)', value.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`));
  add('URL-encoded', encodeURIComponent(value));
  const digits = value.replace(/\D/g, '');
  if (digits.length >= 11) add('digits only', digits);
  if (/^1\d{10}$/.test(digits)) {
    add('spaced 3-4-4', `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`);
    add('dashed 3-4-4', `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`);
  }
  if (/^\d{16}$/.test(value)) add('in fours', value.replace(/(\d{4})(?=\d)/g, '$1 '));
  return [...out].map(([s, how]) => ({ how, s }));
}

const printable = (s: string) => s.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '.');

/** Every canary (not in `allowed`) that `text` holds, as "what, how, where: context" lines. */
function leaksIn(where: string, text: string | Buffer, allowed: ReadonlySet<string> = new Set()): string[] {
  const found: string[] = [];
  for (const [value, label] of canaries) {
    if (allowed.has(value)) continue;
    for (const { how, s } of encodings(value)) {
      let at: number;
      let context: string;
      if (typeof text === 'string') {
        at = text.indexOf(s);
        context = at < 0 ? '' : text.slice(Math.max(0, at - 60), at + s.length + 20);
      } else {
        const needle = Buffer.from(s, 'utf8');
        at = text.indexOf(needle);
        context = at < 0 ? '' : text.subarray(Math.max(0, at - 60), at + needle.length + 20).toString('utf8');
      }
      if (at >= 0) found.push(`${label} "${value}" (${how}) in ${where}: …${printable(context)}…`);
    }
  }
  return found;
}
const holds = (text: string | Buffer, s: string) => (typeof text === 'string' ? text.includes(s) : text.includes(Buffer.from(s, 'utf8')));

// ---------------------------------------------------------------------------------------------
// Every answer, with the canaries it was allowed to show.

interface Answer {
  path: string;
  code: string;
  text: string;
  allowed: ReadonlySet<string>;
}
const answers: Answer[] = [];

async function ok<T>(path: string, allowed: Iterable<string>, p: Promise<T>): Promise<T> {
  const data = await p;
  answers.push({ path, code: 'ok', text: JSON.stringify(data), allowed: new Set(allowed) });
  return data;
}
/** An operation expected to fail: everything its error carries (code, message, field errors) is kept. */
async function refused(path: string, codes: string | string[], p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isAppError(e)) throw e;
    answers.push({ path, code: e.code, text: JSON.stringify({ code: e.code, message: e.message, details: e.details }), allowed: new Set() });
    expect([codes].flat(), path).toContain(e.code);
    return;
  }
  throw new Error(`${path}: expected ${String(codes)}, the operation succeeded`);
}
type Rest = Awaited<ReturnType<typeof call>>;
async function restOk(path: string, allowed: Iterable<string>, res: Promise<Rest>, status = 200): Promise<Rest> {
  const r = await res;
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(status);
  answers.push({ path, code: 'ok', text: JSON.stringify(r.body), allowed: new Set(allowed) });
  return r;
}
async function restRefused(path: string, status: number, res: Promise<Rest>): Promise<void> {
  const r = await res;
  answers.push({ path, code: String(r.body?.code ?? r.status), text: JSON.stringify(r.body), allowed: new Set() });
  expect(r.status, path).toBe(status);
}

// ---------------------------------------------------------------------------------------------
// The application log: everything written to the console or straight to stdout/stderr.

const logged: string[] = [];
function captureLog(): () => void {
  const methods = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(`console.${m}: ${format(...args)}`)),
  );
  const streams = (['stdout', 'stderr'] as const).map((name) => {
    const stream = process[name];
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    return vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      logged.push(`${name}: ${typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')}`);
      return write(chunk, ...rest);
    }) as never);
  });
  return () => [...methods, ...streams].forEach((s) => s.mockRestore());
}

// ---------------------------------------------------------------------------------------------

let t: TestDatabase;
let w: World;
/** The embedded instance behind `t.db` (PGlite only), for its data directory. */
let pglite: PGlite | undefined;
let formId: string;

interface Rec {
  key: string;
  id: string;
  version: number;
  name: string;
  values: Sealed;
}
const recs: Rec[] = [];
/** What the owner (sales1, who owns every canary record) may see: the current values. */
const current = () => recs.flatMap((r) => Object.values(r.values));
const byId = <T extends { id: string }>(items: T[]) => items.map((i) => i.id).sort();
const idsOf = (...rs: Rec[]) => rs.map((r) => r.id).sort();

beforeAll(async () => {
  // createTestDatabase opens PGlite itself; catch the instance it creates.
  const create = vi.spyOn(PGlite, 'create');
  try {
    t = await createTestDatabase();
    if (t.kind === 'pglite') pglite = (await create.mock.results[0]?.value) as PGlite | undefined;
  } finally {
    create.mockRestore();
  }
  if (t.kind === 'pglite' && !pglite) throw new Error('could not get hold of the PGlite instance behind the test database: its data directory cannot be dumped');
  w = await buildWorld(t.db);
  const admin = w.caller('admin');
  formId = (await createForm(admin, { name: '金丝雀档案', definition: vault })).id;
  await publishForm(admin, { formId });
  const group = async (name: string) => (await t.db.selectFrom('groups').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  await setFormGrants(admin, {
    formId,
    grants: [
      { groupId: await group('销售'), grant: salesGrant },
      { groupId: await group('客服'), grant: supportGrant },
    ],
  });

  const stop = captureLog();
  try {
    await exercise();
  } finally {
    stop();
  }
}, 120_000);

afterAll(async () => t?.drop());

async function exercise(): Promise<void> {
  const sales1 = w.caller('sales1');
  const sales2 = w.caller('sales2');
  const support = w.caller('support');
  const token = w.tokens.sales1;
  const list = (caller: typeof sales1, input: Omit<Parameters<typeof listRecords>[1], 'formId'>) => listRecords(caller, { formId, ...input });

  // 1. Written: two through the operation, one through REST.
  for (const [key, via] of [['A', 'operation'], ['B', 'operation'], ['C', 'rest']] as const) {
    const r: Rec = { key, id: '', version: 0, name: `${PLAIN}-${key}`, values: freshValues(key, key === 'B' ? `金丝雀暗号${hex(6)}` : undefined) };
    recs.push(r);
    const body = { name: r.name, ...r.values };
    const dto =
      via === 'operation'
        ? await ok(`createRecord ${key}`, current(), createRecord(sales1, { formId, values: body }))
        : (await restOk(`POST records ${key}`, current(), call(collection.POST, { token, params: { formId }, body: { values: body } }), 201)).body;
    expect(dto.values).toMatchObject(body);
    r.id = dto.id;
    r.version = dto.version;
  }
  const [A, B, C] = recs;

  // 2. Listed: in plain to the owner, masked to support, not at all to another seller.
  const mine = await ok('listRecords sales1', current(), list(sales1, { pageSize: 100 }));
  expect(byId(mine.items)).toEqual(idsOf(A, B, C));
  await restOk('GET records sales1', current(), call(collection.GET, { token, params: { formId }, query: 'pageSize=100' }));
  const masked = await ok('listRecords support', [], list(support, { pageSize: 100 }));
  expect(masked.items.map((i) => i.values.phone)).toEqual(expect.arrayContaining([`${A.values.phone.slice(0, 3)}****${A.values.phone.slice(7)}`]));
  await restOk('GET records support', [], call(collection.GET, { token: w.tokens.support, params: { formId } }));
  expect((await ok('listRecords sales2', [], list(sales2, {}))).total).toBe(0);

  // 3. Searched by the exact value: q and filter[field]=value, for the owner and for support (masked).
  expect(byId((await ok('listRecords q=A.phone', current(), list(sales1, { q: A.values.phone }))).items)).toEqual(idsOf(A));
  expect(byId((await ok('listRecords filter phone=B.phone', current(), list(sales1, { filter: { phone: B.values.phone } }))).items)).toEqual(idsOf(B));
  expect(byId((await ok('listRecords filter idNo=C.idNo', current(), list(sales1, { filter: { idNo: C.values.idNo } }))).items)).toEqual(idsOf(C));
  expect(byId((await ok('listRecords filter card=A.card', current(), list(sales1, { filter: { card: A.values.card } }))).items)).toEqual(idsOf(A));
  expect(byId((await ok('listRecords filter email=B.email', current(), list(sales1, { filter: { email: B.values.email } }))).items)).toEqual(idsOf(B));
  const restFilter = await restOk('GET records filter[phone]=C.phone', current(), call(collection.GET, { token, params: { formId }, query: `filter[phone]=${C.values.phone}` }));
  expect(byId(restFilter.body.items)).toEqual(idsOf(C));
  const restQ = await restOk('GET records q=A.phone', current(), call(collection.GET, { token, params: { formId }, query: `q=${encodeURIComponent(A.values.phone)}` }));
  expect(byId(restQ.body.items)).toEqual(idsOf(A));
  expect(byId((await ok('listRecords support q=C.phone', [], list(support, { q: C.values.phone }))).items)).toEqual(idsOf(C));
  const supportFilter = await restOk('GET records support filter[phone]=B.phone', [], call(collection.GET, { token: w.tokens.support, params: { formId }, query: `filter[phone]=${B.values.phone}` }));
  expect(byId(supportFilter.body.items)).toEqual(idsOf(B));
  expect((await ok('listRecords sales2 q=A.phone', [], list(sales2, { q: A.values.phone }))).total).toBe(0);

  // 4. Edited: encrypted values replaced by new canaries (the old ones stay canaries: no answer may show them again).
  const oldA = { ...A.values };
  const oldB = { ...B.values };
  const nextA = freshValues('A (edited)', `金丝雀新暗号${hex(6)}`);
  A.values = { ...A.values, phone: nextA.phone, card: nextA.card, secret: nextA.secret };
  const editedA = await ok('updateRecord A', current(), updateRecord(sales1, { formId, recordId: A.id, version: A.version, values: { phone: A.values.phone, card: A.values.card, secret: A.values.secret } }));
  expect(editedA.values).toMatchObject(A.values);
  A.version = editedA.version;
  const nextB = freshValues('B (edited)');
  B.values = { ...B.values, email: nextB.email, idNo: nextB.idNo };
  const editedB = await restOk(
    'PATCH record B',
    current(),
    call(item.PATCH, { token, params: { formId, recordId: B.id }, method: 'PATCH', body: { version: B.version, values: { email: B.values.email, idNo: B.values.idNo } } }),
  );
  expect(editedB.body.values).toMatchObject(B.values);
  B.version = editedB.body.version;
  expect((await ok('listRecords q=old A.phone', current(), list(sales1, { q: oldA.phone }))).total).toBe(0);
  expect(byId((await ok('listRecords q=new A.phone', current(), list(sales1, { q: A.values.phone }))).items)).toEqual(idsOf(A));
  expect((await ok('listRecords filter email=old B.email', current(), list(sales1, { filter: { email: oldB.email } }))).total).toBe(0);
  expect(byId((await ok('listRecords filter email=new B.email', current(), list(sales1, { filter: { email: B.values.email } }))).items)).toEqual(idsOf(B));
  await ok('getRecord A after edit', current(), getRecord(sales1, { formId, recordId: A.id }));

  // 5. Revealed: each answer may show the one value asked for, nothing else.
  const revealedA = await ok('revealField support A.phone', [A.values.phone], revealField(support, { formId, recordId: A.id, field: 'phone', reason: REASON }));
  expect(revealedA).toEqual({ field: 'phone', value: A.values.phone });
  const revealedB = await restOk(
    'POST reveal support B.idNo',
    [B.values.idNo],
    call(revealRoute.POST, { token: w.tokens.support, params: { formId, recordId: B.id }, body: { field: 'idNo', reason: REASON } }),
  );
  expect(revealedB.body).toEqual({ field: 'idNo', value: B.values.idNo });

  // 6. Refused: wrong input, stale versions, records out of scope, reveals without the right. Every
  //    value sent here is a canary too: a refusal must not echo it, log it or keep it.
  const bad = (label: string) => {
    const phone = canary(`${label}.phone (valid part)`, canaryPhone());
    const idNo = canaryIdNo();
    return {
      name: `${PLAIN}-refused`,
      phone: canary(`${label}.phone (12 digits)`, `${phone}9`),
      idNo: canary(`${label}.idNo (wrong check digit)`, `${idNo.slice(0, 17)}${idNo[17] === '0' ? '1' : '0'}`),
      card: canary(`${label}.card (fails Luhn)`, (() => {
        const c = canaryBankCard();
        return `${c.slice(0, 15)}${(Number(c[15]) + 1) % 10}`;
      })()),
      email: canary(`${label}.email (no domain)`, `canary.${hex(5)}@`),
      secret: canary(`${label}.secret (too long)`, `FWCANARY-${hex(8)}-${'x'.repeat(2001)}`),
    };
  };
  await refused('createRecord invalid values', 'invalid_input', createRecord(sales1, { formId, values: bad('refused create') }));
  await restRefused('POST records invalid values', 422, call(collection.POST, { token, params: { formId }, body: { values: bad('refused POST') } }));
  const twelve = canary('filter phone (12 digits)', `${canaryPhone()}0`);
  await refused('listRecords filter phone 12 digits', 'invalid_input', list(sales1, { filter: { phone: twelve } }));
  await restRefused('GET records filter[idNo] partial', 422, call(collection.GET, { token, params: { formId }, query: `filter[idNo]=${C.values.idNo.slice(0, 14)}` }));
  await refused('listRecords sort=phone', 'invalid_input', list(sales1, { sort: 'phone' }));
  await refused('updateRecord A stale', 'conflict', updateRecord(sales1, { formId, recordId: A.id, version: 1, values: { phone: canary('stale update.phone', canaryPhone()) } }));
  await restRefused(
    'PATCH record B stale',
    409,
    call(item.PATCH, { token, params: { formId, recordId: B.id }, method: 'PATCH', body: { version: 1, values: { card: canary('stale PATCH.card', canaryBankCard()) } } }),
  );
  await refused('updateRecord sales2 on A', ['not_found', 'forbidden'], updateRecord(sales2, { formId, recordId: A.id, version: A.version, values: { idNo: canary('out of scope update.idNo', canaryIdNo()) } }));
  await refused('getRecord sales2 on C', 'not_found', getRecord(sales2, { formId, recordId: C.id }));
  await restRefused('GET record sales2 on C', 404, call(item.GET, { token: w.tokens.sales2, params: { formId, recordId: C.id } }));
  await refused('updateRecord support on C', 'forbidden', updateRecord(support, { formId, recordId: C.id, version: C.version, values: { email: canary('support update.email', `canary.${hex(5)}@example.com`) } }));
  await refused('revealField support without reason', 'invalid_input', revealField(support, { formId, recordId: A.id, field: 'idNo' }));
  await refused('revealField sales1 (reads in plain, may not reveal)', 'forbidden', revealField(sales1, { formId, recordId: A.id, field: 'phone', reason: REASON }));
  await restRefused('POST reveal sales2 on C', 404, call(revealRoute.POST, { token: w.tokens.sales2, params: { formId, recordId: C.id }, body: { field: 'phone', reason: REASON } }));
  // An internal error: a trigger that quotes the stored row in its message (ciphertext there, since
  // values are sealed before they reach SQL); the log gets its SQLSTATE, the caller a bare 500.
  await sql`create function fw_test_dump_canary() returns trigger language plpgsql as $$ begin raise exception 'refused %', new.values::text; end $$`.execute(t.db);
  await sql`create trigger fw_test_dump_canary before insert on records for each row execute function fw_test_dump_canary()`.execute(t.db);
  try {
    await restRefused('POST records (trigger fails)', 500, call(collection.POST, { token, params: { formId }, body: { values: { name: `${PLAIN}-trigger`, ...freshValues('internal error') } } }));
  } finally {
    await sql`drop trigger fw_test_dump_canary on records`.execute(t.db);
    await sql`drop function fw_test_dump_canary()`.execute(t.db);
  }

  // 7. Rotated: a new data key, and the re-encryption job run to completion.
  await ok('keys.rotate', [], rotateDataKey(w.caller('admin'), { graceSeconds: 0, batchSize: 2 }));
  expect(await runDueJobs()).toBeGreaterThanOrEqual(1);
  const job = await t.db.selectFrom('jobs').select(['state', 'done', 'total']).where('kind', '=', 'keys.reseal').executeTakeFirstOrThrow();
  expect(job.state).toBe('done');
  const stored = await t.db.selectFrom('records').select('values').where('form_id', '=', formId).execute();
  // Nothing is left under the old key. (Whether every value is a token at all is for the scans
  // below to tell: a value stored in plain must be reported where it was found.)
  const tokens = stored.flatMap((r) => ['phone', 'idNo', 'card', 'email', 'secret'].map((k) => String((r.values as Record<string, unknown>)[k]))).filter((v) => /^fw\d+\./.test(v));
  expect(tokens.length).toBeGreaterThan(0);
  expect(tokens.filter((tok) => !/^fw\d+\.2\./.test(tok)), 'values still under the old key version').toEqual([]);

  // 8. Read after the rotation: every value opens to what it was, exact search still finds it.
  for (const r of recs) {
    const rec = await ok(`getRecord ${r.key} after rotation`, current(), getRecord(sales1, { formId, recordId: r.id }));
    expect(rec.unreadable ?? []).toEqual([]);
    expect(rec.values).toMatchObject({ name: r.name, ...r.values });
  }
  expect(byId((await ok('listRecords q=A.phone after rotation', current(), list(sales1, { q: A.values.phone }))).items)).toEqual(idsOf(A));
  expect(byId((await ok('listRecords filter card=C.card after rotation', current(), list(sales1, { filter: { card: C.values.card } }))).items)).toEqual(idsOf(C));
  await restOk('GET record C after rotation', current(), call(item.GET, { token, params: { formId, recordId: C.id } }));
  await ok('listRecords support after rotation', [], list(support, { pageSize: 100 }));
  const revealedC = await ok('revealField support C.card after rotation', [C.values.card], revealField(support, { formId, recordId: C.id, field: 'card', reason: REASON }));
  expect(revealedC.value).toBe(C.values.card);
}

// ---------------------------------------------------------------------------------------------
// The dumps.

interface Source {
  where: string;
  text: string | Buffer;
}

/** PostgreSQL: the real pg_dump, plain SQL with data, one source per table's COPY block. */
async function pgDump(): Promise<Source[]> {
  if (!t.url) throw new Error('PostgreSQL test database without a URL: pg_dump has nothing to connect to');
  const version = await run(PG_DUMP, ['--version']).catch((e: Error) => {
    throw new Error(`${PG_DUMP} cannot run (${e.message}): the PostgreSQL dump scan needs the pg_dump binary of the server's major version`);
  });
  const clientMajor = Number(/\(PostgreSQL\) (\d+)/.exec(version.stdout)?.[1]);
  const serverMajor = Math.floor(Number((await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(t.db)).rows[0].v) / 10000);
  expect(clientMajor, `${PG_DUMP} is "${version.stdout.trim()}", the server is PostgreSQL ${serverMajor}`).toBe(serverMajor);
  let dump: string;
  try {
    ({ stdout: dump } = await run(PG_DUMP, ['--format=plain', '--no-password', `--dbname=${t.url}`], {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
    }));
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`pg_dump of the test database failed: ${err.stderr?.trim() || err.message}`);
  }
  expect(dump, 'pg_dump wrote no data for the records table').toMatch(/^COPY public\.records /m);
  const sources: Source[] = [];
  const rest: string[] = [];
  let copy: { table: string; lines: string[] } | undefined;
  for (const line of dump.split('\n')) {
    if (copy) {
      if (line === '\\.') {
        sources.push({ where: `pg_dump, data of ${copy.table}`, text: copy.lines.join('\n') });
        copy = undefined;
      } else copy.lines.push(line);
    } else if (line.startsWith('COPY ')) copy = { table: line.split(' ')[1], lines: [] };
    else rest.push(line);
  }
  sources.push({ where: 'pg_dump, schema and statements outside COPY data', text: rest.join('\n') });
  return sources;
}

/** The user tables (every schema but the system ones), as `schema.table`. */
async function userTables(): Promise<{ schema: string; table: string }[]> {
  return (
    await sql<{ schema: string; table: string }>`
      select n.nspname as schema, c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
      order by 1, 2`.execute(t.db)
  ).rows;
}

/** PGlite, logical: every row of every user table as text (detoasted), and the definitions of functions and views. */
async function pgliteLogicalDump(): Promise<Source[]> {
  const sources: Source[] = [];
  const tables = await userTables();
  expect(tables.map((x) => `${x.schema}.${x.table}`)).toEqual(expect.arrayContaining(['public.records', 'public.audit_events', 'public.jobs']));
  for (const { schema, table } of tables) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.id(schema, table)} t`.execute(t.db);
    sources.push({ where: `PGlite logical dump, table ${schema}.${table}`, text: rows.rows.map((r) => r.row).join('\n') });
  }
  const definitions = await sql<{ what: string; def: string }>`
    select 'function ' || p.oid::regprocedure::text as what, pg_get_functiondef(p.oid) as def
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prokind in ('f', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
    union all
    select 'view ' || c.oid::regclass::text, pg_get_viewdef(c.oid)
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('v', 'm') and n.nspname not in ('pg_catalog', 'information_schema')`.execute(t.db);
  for (const d of definitions.rows) sources.push({ where: `PGlite logical dump, ${d.what}`, text: d.def });
  return sources;
}

/** The files of a (ustar) tar archive. */
function tarFiles(tar: Buffer): { path: string; data: Buffer }[] {
  const files: { path: string; data: Buffer }[] = [];
  const field = (h: Buffer, at: number, len: number) => h.subarray(at, at + len).toString('utf8').replace(/\0[\s\S]*$/, '');
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size)) throw new Error(`unreadable tar header at byte ${at} of the PGlite data directory dump`);
    at += 512;
    files.push({ path: prefix ? `${prefix}/${name}` : name, data: tar.subarray(at, at + size) });
    at += Math.ceil(size / 512) * 512;
  }
  return files;
}

/** PGlite, raw: the data directory as an uncompressed tar, every file a source (named by its relation where it has one). */
async function pgliteDataDirectory(): Promise<Source[]> {
  if (!pglite) throw new Error('no PGlite instance: the data directory cannot be dumped');
  // Dirty buffers to the files first (the WAL holds them anyway).
  await sql`checkpoint`.execute(t.db);
  const tar = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
  const files = tarFiles(tar).filter((f) => f.data.length > 0);
  const relations = new Map(
    (
      await sql<{ path: string; rel: string }>`
        select pg_relation_filepath(c.oid) as path, n.nspname || '.' || c.relname as rel
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where pg_relation_filepath(c.oid) is not null`.execute(t.db)
    ).rows.map((r) => [r.path, r.rel]),
  );
  const relationOf = (path: string) => {
    const m = /((?:base\/\d+|global)\/\d+)(?:_(?:fsm|vm|init))?(?:\.\d+)?$/.exec(path);
    return m ? relations.get(m[1]) : undefined;
  };
  expect(files.some((f) => /\/pg_wal\/[0-9A-F]{24}$/.test(f.path)), 'the data directory dump holds no WAL segment').toBe(true);
  const recordsFile = relations.get((await sql<{ p: string }>`select pg_relation_filepath('public.records') as p`.execute(t.db)).rows[0].p);
  expect(recordsFile).toBe('public.records');
  return files.map((f) => {
    const rel = relationOf(f.path);
    return { where: `PGlite data directory file ${f.path}${rel ? ` (${rel})` : ''}`, text: f.data };
  });
}

// ---------------------------------------------------------------------------------------------

describe('the encryption canaries (issue 7): known plaintext written, listed, searched, edited, revealed and rotated', () => {
  it('a full dump of the database holds none of it', async () => {
    const dumps: { name: string; sources: Source[] }[] =
      t.kind === 'postgres'
        ? [{ name: 'pg_dump', sources: await pgDump() }]
        : [
            { name: 'PGlite logical dump', sources: await pgliteLogicalDump() },
            { name: 'PGlite data directory', sources: await pgliteDataDirectory() },
          ];
    for (const { name, sources } of dumps) {
      // Positive controls: the dump holds the records (their plain names), the audit log and the ciphertexts.
      expect(sources.some((s) => holds(s.text, `${PLAIN}-A`)), `${name} does not hold the plain field of the records`).toBe(true);
      expect(sources.some((s) => holds(s.text, REASON)), `${name} does not hold the reveal reasons of the audit log`).toBe(true);
      expect(sources.some((s) => /fw\d+\.2\./.test(typeof s.text === 'string' ? s.text : s.text.toString('latin1'))), `${name} holds no ciphertext under the new key`).toBe(true);
    }
    // One list over every dump, so a failure tells every place at once.
    const found = dumps.flatMap(({ name, sources }) => sources.flatMap((s) => leaksIn(`${name}: ${s.where}`, s.text)));
    expect(found, `plaintext of encrypted fields found in the ${dumps.map((d) => d.name).join(' and ')}`).toEqual([]);
  });

  it('the application log holds none of it', () => {
    // It did capture the log: the internal error was logged, by SQLSTATE.
    expect(logged.join('\n')).toContain('P0001');
    expect(logged.flatMap((line, i) => leaksIn(`application log line ${i + 1}`, line)), 'plaintext of encrypted fields in the application log').toEqual([]);
  });

  it('the audit events hold none of it', async () => {
    const events = await t.db.selectFrom('audit_events').selectAll().orderBy('at').execute();
    const reveals = events.filter((e) => e.action === 'records.reveal' && e.outcome === 'ok');
    expect(reveals.map((e) => (e.details as { reason?: string }).reason)).toEqual([REASON, REASON, REASON]);
    for (const action of ['records.create', 'records.update', 'records.list', 'records.reveal', 'keys.rotate', 'keys.reseal']) {
      expect(events.some((e) => e.action === action), `no ${action} event`).toBe(true);
    }
    expect(events.flatMap((e) => leaksIn(`audit_events ${e.action} ${e.outcome} (${e.id})`, JSON.stringify(e))), 'plaintext of encrypted fields in audit events').toEqual([]);
  });

  it('the job table holds none of it', async () => {
    const jobs = await t.db.selectFrom('jobs').selectAll().execute();
    expect(jobs.some((j) => j.kind === 'keys.reseal' && j.state === 'done')).toBe(true);
    const found = jobs.flatMap((j) =>
      [...(['params', 'checkpoint', 'error'] as const).map((col) => [col, j[col]] as const), ['whole row', j] as const].flatMap(([col, v]) =>
        leaksIn(`jobs.${col} of ${j.kind} job ${j.id}`, JSON.stringify(v ?? null)),
      ),
    );
    expect(found, 'plaintext of encrypted fields in the job table').toEqual([]);
  });

  it('no error response shows any of it', () => {
    const errors = answers.filter((a) => a.code !== 'ok');
    expect(new Set(errors.map((a) => a.code))).toEqual(new Set(['invalid_input', 'conflict', 'not_found', 'forbidden', 'internal']));
    expect(errors.flatMap((a) => leaksIn(`error response of ${a.path} (${a.code})`, a.text)), 'plaintext of encrypted fields in error responses').toEqual([]);
  });

  it('every other answer shows only what it was allowed to (the owner’s current values, the one value revealed)', () => {
    const answered = answers.filter((a) => a.code === 'ok');
    // The scan reads real answers: an allowed value is there where allowed.
    const reveal = answered.find((a) => a.path === 'revealField support A.phone')!;
    expect([...reveal.allowed].every((v) => reveal.text.includes(v))).toBe(true);
    expect(answered.filter((a) => a.allowed.size > 0 && [...a.allowed].some((v) => a.text.includes(v))).length).toBeGreaterThan(10);
    expect(answered.flatMap((a) => leaksIn(`answer of ${a.path}`, a.text, a.allowed)), 'plaintext of encrypted fields where the answer may not show it').toEqual([]);
  });
});
