/**
 * Canaries (issue 6, "What it must show"): records planted with known values in masked and
 * hidden fields, and for each person who may not read them in plain, every answer of every
 * path collected (operations, REST, server actions: lists, records, pages, forms, searches,
 * sorts, refusals and field errors) and searched for those values and for the digits the
 * mask hides. The audit events those calls wrote are searched too. The HTML and RSC payloads
 * of the same pages are test/e2e/canaries.spec.ts.
 *
 * The people: 客服 (手机号 masked, 身份证号 hidden) and 销售 (身份证号 masked; a colleague's
 * record not visible at all), both from the example; and, to make the search oracle testable
 * on fields that are not encrypted (ciphertext can never match `q` anyway), a test-only group
 * that sees 邮箱 masked and 地址 hidden.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Caller } from '@/lib/auth/principal';
import { isAppError } from '@/lib/errors';
import {
  createRecord,
  deleteRecord,
  getRecord,
  listRecords,
  listUsableForms,
  newRecordPage,
  recordPage,
  recordsListPage,
  revealField,
  updateRecord,
} from '@/lib/records/operations';
import * as formsRoute from '@/app/api/v1/forms/route';
import * as collection from '@/app/api/v1/forms/[formId]/records/route';
import * as item from '@/app/api/v1/forms/[formId]/records/[recordId]/route';
import * as revealRoute from '@/app/api/v1/forms/[formId]/records/[recordId]/reveal/route';
import * as actions from '@/app/(app)/apps/actions';
import { call } from '../helpers/rest';
import { allValues, canaryIdNo, canaryPhone, canaryValues, hiddenLeaks, maskedForms, maskedLeaks, type CanaryValues } from '../helpers/canary';
import { addPerson, exampleUser, plantRecords, template, useExampleWorld, type ExampleWorld, type Person } from '../helpers/example-world';

const acting = vi.hoisted(() => ({ caller: undefined as Caller | undefined }));
vi.mock('@/lib/next/caller', () => ({
  getCaller: async () => {
    if (!acting.caller) throw new Error('a server action ran without a caller');
    return acting.caller;
  },
  getLocale: async () => 'zh-CN',
}));

// ---------------------------------------------------------------------------------------------

interface Canary {
  id: string;
  owner: string;
  values: CanaryValues;
}

let w: ExampleWorld;
let support: Person;
let sales: Person;
let outsider: Person;
/** A record of the salesperson (sales1), and one of the manager the salesperson cannot see. */
let ofSales: Canary;
let ofManager: Canary;

const SUPPORT_EMAIL = template.users.find((u) => u.groups.includes('客服'))!.email;
const SALES_EMAIL = template.users.find((u) => u.groups.includes('销售'))!.email;
const MANAGER_EMAIL = template.users.find((u) => u.groups.includes('管理者') && u.department !== '销售中心')!.email;
const OUTSOURCED = { group: '外包客服', grant: { actions: { view: { scope: 'all' } }, fields: { '*': 'read', email: 'masked', address: 'hidden', phone: 'hidden', idNo: 'hidden' } } };

useExampleWorld(6, async (world) => {
  w = world;
  const managerId = w.exampleUserIds.get(MANAGER_EMAIL)!;
  const salesId = w.exampleUserIds.get(SALES_EMAIL)!;
  const deptOf = async (id: string) => (await w.t.db.selectFrom('users').select('department_id').where('id', '=', id).executeTakeFirstOrThrow()).department_id;
  const planted = [
    { owner: { id: salesId, departmentId: await deptOf(salesId) }, values: canaryValues() },
    { owner: { id: managerId, departmentId: await deptOf(managerId) }, values: canaryValues() },
  ];
  const [a, b] = await plantRecords(w, planted);
  ofSales = { id: a, owner: salesId, values: planted[0].values };
  ofManager = { id: b, owner: managerId, values: planted[1].values };

  const group = await w.t.db.insertInto('groups').values({ name: OUTSOURCED.group }).returning('id').executeTakeFirstOrThrow();
  await w.t.db.insertInto('grants').values({ form_id: w.formId, group_id: group.id, grant: JSON.stringify(OUTSOURCED.grant) }).execute();
  w.groupIds.set(OUTSOURCED.group, group.id);
  support = await exampleUser(w, SUPPORT_EMAIL);
  sales = await exampleUser(w, SALES_EMAIL);
  outsider = await addPerson(w, { email: 'outsourced@example.com', name: '外包一号', departmentId: w.departmentByName(template.departments[1].name).id, groups: [OUTSOURCED.group] });
});

// ---------------------------------------------------------------------------------------------
// Collecting every answer.

interface Answer {
  path: string;
  text: string;
  /** The parsed answer of a success, for the oracle checks. */
  data?: any;
  code: string;
}

async function viaOperation(path: string, p: Promise<unknown>): Promise<Answer> {
  try {
    const data = await p;
    return { path, text: JSON.stringify(data), data, code: 'ok' };
  } catch (e) {
    if (!isAppError(e)) throw e;
    // Everything an error carries to a page or a client: code, message, field errors.
    return { path, text: JSON.stringify({ code: e.code, message: e.message, details: e.details }), code: e.code };
  }
}
async function viaRest(path: string, res: Promise<{ status: number; body: any }>): Promise<Answer> {
  const r = await res;
  return { path, text: JSON.stringify(r.body), data: r.status < 300 ? r.body : undefined, code: r.status < 300 ? 'ok' : r.body.code };
}
async function viaAction(path: string, p: Person, run: () => Promise<{ ok: boolean; data?: unknown; error?: { code: string } }>): Promise<Answer> {
  acting.caller = p.session;
  try {
    const res = await run();
    return { path, text: JSON.stringify(res), data: res.ok ? res.data : undefined, code: res.ok ? 'ok' : res.error!.code };
  } finally {
    acting.caller = undefined;
  }
}

/**
 * Every path a person has to the form's records. `q` are search terms (the canaries), `sorts`
 * fields to sort by, `writes` values to try to save (refused: read-only, masked, hidden or
 * invalid), `reveals` fields to try to reveal.
 */
async function everyAnswer(p: Person, o: { records: Canary[]; q: string[]; sorts: string[]; writes: Record<string, unknown>[]; reveals: string[] }): Promise<Answer[]> {
  const formId = w.formId;
  const out: Answer[] = [];
  const s = p.session;
  const token = p.token;
  out.push(await viaOperation('listUsableForms', listUsableForms(s, {})));
  out.push(await viaRest('GET /forms', call(formsRoute.GET, { token })));
  out.push(await viaOperation('listRecords', listRecords(s, { formId })));
  out.push(await viaOperation('listRecords pageSize=200', listRecords(s, { formId, pageSize: 200 })));
  out.push(await viaOperation('recordsListPage', recordsListPage(s, { formId, pageSize: 100 })));
  out.push(await viaOperation('newRecordPage', newRecordPage(s, { formId })));
  out.push(await viaRest('GET records', call(collection.GET, { token, params: { formId }, query: 'pageSize=200' })));
  for (const q of o.q) {
    out.push(await viaOperation(`listRecords q=${q}`, listRecords(s, { formId, q, pageSize: 200 })));
    out.push(await viaOperation(`recordsListPage q=${q}`, recordsListPage(s, { formId, q, pageSize: 100 })));
    out.push(await viaRest(`GET records q=${q}`, call(collection.GET, { token, params: { formId }, query: `q=${encodeURIComponent(q)}&pageSize=200` })));
  }
  for (const sort of o.sorts) {
    for (const order of ['asc', 'desc'] as const) {
      out.push(await viaOperation(`listRecords sort=${sort} ${order}`, listRecords(s, { formId, sort, order })));
      out.push(await viaOperation(`recordsListPage sort=${sort} ${order}`, recordsListPage(s, { formId, sort, order })));
      out.push(await viaRest(`GET records sort=${sort} ${order}`, call(collection.GET, { token, params: { formId }, query: `sort=${sort}&order=${order}` })));
    }
  }
  for (const r of o.records) {
    const params = { formId, recordId: r.id };
    out.push(await viaOperation(`getRecord ${r.id}`, getRecord(s, params)));
    out.push(await viaOperation(`recordPage ${r.id}`, recordPage(s, params)));
    out.push(await viaRest(`GET record ${r.id}`, call(item.GET, { token, params })));
    for (const values of o.writes) {
      const v = JSON.stringify(values);
      out.push(await viaOperation(`updateRecord ${r.id} ${v}`, updateRecord(s, { ...params, version: 1, values })));
      out.push(await viaRest(`PATCH record ${r.id} ${v}`, call(item.PATCH, { token, params, method: 'PATCH', body: { version: 1, values } })));
      out.push(await viaAction(`updateRecordAction ${r.id} ${v}`, p, () => actions.updateRecordAction({ ...params, version: 1, values })));
    }
    // A stale version: the conflict must not show the stored record either.
    out.push(await viaRest(`PATCH record ${r.id} stale`, call(item.PATCH, { token, params, method: 'PATCH', body: { version: 99, values: { notes: 'x' } } })));
    out.push(await viaOperation(`deleteRecord ${r.id}`, deleteRecord(s, { ...params, version: 99 })));
    out.push(await viaRest(`DELETE record ${r.id}`, call(item.DELETE, { token, params, method: 'DELETE', query: 'version=99' })));
    out.push(await viaAction(`deleteRecordAction ${r.id}`, p, () => actions.deleteRecordAction({ ...params, version: 99 })));
    for (const field of o.reveals) {
      // Without a reason: refused for every field here (a permitted reveal answers the value in
      // plain, by design; that one is its own test below).
      out.push(await viaOperation(`revealField ${r.id} ${field}`, revealField(s, { ...params, field })));
      out.push(await viaRest(`POST reveal ${r.id} ${field}`, call(revealRoute.POST, { token, params, body: { field } })));
      out.push(await viaAction(`revealFieldAction ${r.id} ${field}`, p, () => actions.revealFieldAction({ ...params, field })));
    }
  }
  for (const values of o.writes) {
    const v = JSON.stringify(values);
    const full = { ...ofSales.values, ...values };
    out.push(await viaOperation(`createRecord ${v}`, createRecord(s, { formId, values: full })));
    out.push(await viaRest(`POST records ${v}`, call(collection.POST, { token, params: { formId }, body: { values: full } })));
    out.push(await viaAction(`createRecordAction ${v}`, p, () => actions.createRecordAction({ formId, values: full })));
  }
  return out;
}

/** Where each forbidden string shows up: `[string, path]` pairs, none expected. */
const leaks = (answers: Answer[], forbidden: string[]) =>
  forbidden.flatMap((f) => answers.filter((a) => a.text.includes(f)).map((a) => `${f} in ${a.path}: ${a.text.slice(Math.max(0, a.text.indexOf(f) - 80), a.text.indexOf(f) + f.length + 20)}`));
const somewhere = (answers: Answer[], s: string) => answers.some((a) => a.text.includes(s));
/** The record ids a list answer holds. */
const idsIn = (a: Answer): string[] => ((a.data?.items ?? a.data?.page?.items ?? []) as { id: string }[]).map((i) => i.id);

/** The whole audit log: no event may hold a stored value, whoever wrote it. */
async function auditLog(): Promise<Answer[]> {
  return [{ path: 'audit_events', text: JSON.stringify(await w.t.db.selectFrom('audit_events').selectAll().execute()), code: 'ok' }];
}


describe('canaries', () => {
  it('客服: no path shows 手机号 unmasked or anything of 身份证号; q finds a phone by its whole number only, never by 身份证号', async () => {
        const records = [ofSales, ofManager];
    const answers = await everyAnswer(support, {
      records,
      q: records.flatMap((r) => [r.values.phone, r.values.phone.slice(3, 7), r.values.idNo, r.values.idNo.slice(6, 14)]),
      sorts: ['phone', 'idNo'],
      writes: [{ phone: records[0].values.phone }, { idNo: '110105199001011234' }, { name: '' }],
      reveals: ['idNo', 'phone'],
    });
    const forbidden = records.flatMap((r) => [...maskedLeaks.phone(r.values.phone), ...hiddenLeaks('idNo', r.values.idNo)]);
    expect(leaks(answers, forbidden)).toEqual([]);
    // The scan read real answers: the records are there, masked.
    for (const r of records) {
      expect(somewhere(answers, maskedForms.phone(r.values.phone)), r.id).toBe(true);
      expect(somewhere(answers, r.values.name), r.id).toBe(true);
    }
    // A masked phone is found by its whole number (exact search through the blind index; the
    // answer stays masked, as checked above); part of it, or anything of the hidden 身份证号,
    // finds nothing. Searching a field the caller reads in plain does.
    for (const a of answers.filter((x) => /q=/.test(x.path))) {
      const matches = idsIn(a).filter((id) => records.some((r) => r.id === id));
      const asked = a.path.slice(a.path.indexOf('q=') + 2);
      expect(matches, a.path).toEqual(records.filter((r) => r.values.phone === asked).map((r) => r.id));
      expect(a.code, a.path).toBe('ok');
    }
    const plain = await listRecords(support.session, { formId: w.formId, q: ofSales.values.email });
    expect(plain.items.map((i) => i.id)).toEqual([ofSales.id]);
    // Sorting by a masked or hidden field is refused (the order would tell the values).
    for (const a of answers.filter((x) => /sort=/.test(x.path) && !x.path.startsWith('recordsListPage'))) expect(a.code, a.path).toBe('invalid_input');
    for (const a of answers.filter((x) => x.path.startsWith('recordsListPage sort='))) expect(a.data.sort, a.path).toBe('updatedAt');
    // Refusals and field errors were collected too (they are part of the scan).
    expect(new Set(answers.map((a) => a.code))).toEqual(new Set(['ok', 'forbidden', 'invalid_input']));
    expect(leaks(await auditLog(), [...forbidden, ...records.flatMap((r) => allValues(r.values))])).toEqual([]);
    // A masked value cannot be confirmed by trying to save it: the true value and another are refused alike.
    const tryPhone = (phone: string) => viaOperation('', updateRecord(support.session, { formId: w.formId, recordId: ofSales.id, version: 1, values: { phone } }));
    expect((await tryPhone(ofSales.values.phone)).text).toBe((await tryPhone(canaryPhone())).text);
  }, 120_000);

  it('客服: a reveal shows the one value asked for, once; later answers and the audit log stay masked', async () => {
        const revealed = await revealField(support.session, { formId: w.formId, recordId: ofManager.id, field: 'phone', reason: '客户来电核实身份' });
    expect(revealed).toEqual({ field: 'phone', value: ofManager.values.phone });
    const after = await everyAnswer(support, { records: [ofManager], q: [], sorts: [], writes: [], reveals: [] });
    expect(leaks(after, maskedLeaks.phone(ofManager.values.phone))).toEqual([]);
    const audit = await auditLog();
    expect(leaks(audit, [...maskedLeaks.phone(ofManager.values.phone), ...hiddenLeaks('idNo', ofManager.values.idNo)])).toEqual([]);
    // The reveal itself is on record, with the field and the reason.
    const event = await w.t.db.selectFrom('audit_events').select(['fields', 'details', 'record_ids']).where('action', '=', 'records.reveal').where('outcome', '=', 'ok').where('actor_id', '=', support.id).executeTakeFirstOrThrow();
    expect(event).toMatchObject({ fields: ['phone'], record_ids: [ofManager.id], details: { reason: '客户来电核实身份' } });
  }, 60_000);

  it('销售: no path shows 身份证号 unmasked, nor anything of a colleague’s record', async () => {
        const answers = await everyAnswer(sales, {
      records: [ofSales, ofManager],
      q: [ofSales.values.idNo, ofSales.values.idNo.slice(6, 14), ofManager.values.name, ofManager.values.email, ofManager.values.phone],
      sorts: ['idNo'],
      // idNo and phone are not writable on an existing record; name must not be empty.
      writes: [{ idNo: ofSales.values.idNo }, { idNo: maskedForms.idNo(ofSales.values.idNo) + 'X' }, { phone: canaryPhone() }, { name: '' }, { email: 'not an email' }],
      reveals: ['idNo', 'phone'],
    });
    const invisible = [ofManager.id, ...Object.values(ofManager.values).filter((v) => v !== 'VIP').flatMap((v) => [v]), ...maskedLeaks.phone(ofManager.values.phone), ...maskedLeaks.idNo(ofManager.values.idNo)];
    const forbidden = [...maskedLeaks.idNo(ofSales.values.idNo), ...invisible];
    expect(leaks(answers, forbidden)).toEqual([]);
    expect(somewhere(answers, maskedForms.idNo(ofSales.values.idNo))).toBe(true);
    // 手机号 is read in plain on their own record: the scan would see it.
    expect(somewhere(answers, ofSales.values.phone)).toBe(true);
    // Their own customer is found by the whole masked 身份证号 (exact search); by part of it, or the
    // colleague's record by anything, never.
    for (const a of answers.filter((x) => /q=/.test(x.path))) {
      const asked = a.path.slice(a.path.indexOf('q=') + 2);
      expect(idsIn(a).filter((id) => id === ofSales.id || id === ofManager.id), a.path).toEqual(asked === ofSales.values.idNo ? [ofSales.id] : []);
    }
    for (const a of answers.filter((x) => /sort=/.test(x.path) && !x.path.startsWith('recordsListPage'))) expect(a.code, a.path).toBe('invalid_input');
    expect(new Set(answers.map((a) => a.code))).toEqual(new Set(['ok', 'forbidden', 'not_found', 'invalid_input', 'conflict']));
    // (Other people's events name the colleague's record by id; no event may hold a value.)
    expect(leaks(await auditLog(), [...maskedLeaks.idNo(ofSales.values.idNo), ...allValues(ofSales.values), ...allValues(ofManager.values)])).toEqual([]);
    // Saving the true 身份证号 and another one are refused alike: a write is no oracle for the masked value.
    const tryIdNo = (idNo: string) => viaOperation('', updateRecord(sales.session, { formId: w.formId, recordId: ofSales.id, version: 1, values: { idNo } }));
    expect((await tryIdNo(ofSales.values.idNo)).text).toBe((await tryIdNo(canaryIdNo())).text);
  }, 120_000);

  it('a group with 邮箱 masked and 地址 hidden (plain fields): no path shows them, and q is no oracle for them', async () => {
        const records = [ofSales, ofManager];
    const answers = await everyAnswer(outsider, {
      records,
      q: records.flatMap((r) => [r.values.email, r.values.email.split('@')[0], r.values.address, r.values.address.slice(r.values.address.indexOf('区') + 1)]),
      sorts: ['email', 'address', 'phone', 'idNo'],
      writes: [{ email: 'x@example.com' }, { address: '北京市' }],
      reveals: ['email', 'address', 'phone'],
    });
    const forbidden = records.flatMap((r) => [
      ...maskedLeaks.email(r.values.email),
      ...maskedLeaks.address(r.values.address),
      ...hiddenLeaks('phone', r.values.phone),
      ...hiddenLeaks('idNo', r.values.idNo),
    ]);
    expect(leaks(answers, forbidden)).toEqual([]);
    for (const r of records) expect(somewhere(answers, r.values.name), r.id).toBe(true);
    // The search oracle: a term found only in a masked or hidden value matches no record.
    for (const a of answers.filter((x) => /q=/.test(x.path))) {
      expect(a.code, a.path).toBe('ok');
      expect(idsIn(a).filter((id) => records.some((r) => r.id === id)), a.path).toEqual([]);
      expect(a.data.total ?? a.data.page?.total, a.path).toBe(0);
    }
    // …while a term in a field read in plain does match.
    expect((await listRecords(outsider.session, { formId: w.formId, q: ofManager.values.notes })).items.map((i) => i.id)).toEqual([ofManager.id]);
    for (const a of answers.filter((x) => /sort=/.test(x.path) && !x.path.startsWith('recordsListPage'))) expect(a.code, a.path).toBe('invalid_input');
    expect(leaks(await auditLog(), [...forbidden, ...records.flatMap((r) => allValues(r.values))])).toEqual([]);
  }, 120_000);
});
