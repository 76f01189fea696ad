/**
 * The authorization matrix of the 客户管理 example (issue 6, "What it must show"), generated,
 * not hand-picked: every combination of the example's groups (their names and grants are the
 * template's, loaded by the setup operation) × every action of the grant vocabulary
 * (`recordActions`) × the record's relation to the caller (own, same department,
 * sub-department, other department) × every field of the example form. Each cell runs through
 * the operations and REST, and the writes also through the server actions; an allowed cell
 * must work, a denied one must be refused and change nothing.
 *
 * The expected outcome of a cell comes from `seedCase`, the example's rights as the issue
 * words them, and a small evaluator written here over relations (not scope expressions):
 * never from decide(), so a wrong decision cannot agree with itself.
 */
import { describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { recordActions, fieldModes, type RecordAction } from '@/lib/policy';
import { httpStatusOf, isAppError } from '@/lib/errors';
import { env } from '@/lib/env';
import type { Caller } from '@/lib/auth/principal';
import type { FieldInfo } from '@/lib/forms/definition';
import { createRng, fakeCustomer, fakeIdCard, fakeMobile } from '@/lib/examples/fake-customers';
import { fieldCrypto, type FieldCrypto } from '@/lib/crypto/keyring';
import type { RecordDTO, FormView } from '@/lib/records/operations';
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
import { call } from '../helpers/rest';
import { addOwner, addPerson, exampleUser, plantRecords, template, useExampleWorld, type ExampleWorld, type Person } from '../helpers/example-world';
import * as actions from '@/app/(app)/apps/actions';

// Server actions read their caller from the request (cookies, headers); here it is the
// signed-in session of the person a cell runs as. Everything after getCaller is the real
// action: serverAction, the operation, the database.
const acting = vi.hoisted(() => ({ caller: undefined as Caller | undefined }));
vi.mock('@/lib/next/caller', () => ({
  getCaller: async () => {
    if (!acting.caller) throw new Error('a server action ran without a caller');
    return acting.caller;
  },
  getLocale: async () => 'zh-CN',
}));

// ---------------------------------------------------------------------------------------------
// The expectation, written from the issue text ("The 客户管理 example, configured as the seed
// case describes", with the lead's seed case: 手机号 filled in on create and read afterwards).

type Mode = 'hidden' | 'masked' | 'read' | 'write-on-create' | 'write';
/** "hidden < masked < read < write-on-create < write": most open wins across groups. */
const openness: readonly Mode[] = ['hidden', 'masked', 'read', 'write-on-create', 'write'];
const rank = (m: Mode) => openness.indexOf(m);
const most = (modes: Mode[]): Mode => modes.reduce<Mode>((a, b) => (rank(b) > rank(a) ? b : a), 'hidden');

const relations = ['own', 'same department', 'sub-department', 'other department'] as const;
type Relation = (typeof relations)[number];
type RowScope = 'own' | 'department' | 'department-tree' | 'all';

interface SeedGrant {
  /** A row scope per scoped action; `true` for create and import (they make new rows). */
  actions: Partial<Record<RecordAction, RowScope | true>>;
  revealNeedsReason?: boolean;
  /** Field key (or "*") -> mode; a field named nowhere is hidden. */
  fields: Record<string, Mode>;
}

const seedCase: Record<string, SeedGrant> = {
  // 销售: view, create, edit own customers; 手机号 on create only, 身份证号 masked, the rest
  // (跟进记录 …) write; no delete, export, reveal or assign.
  销售: { actions: { view: 'own', create: true, edit: 'own' }, fields: { '*': 'write', phone: 'write-on-create', idNo: 'masked' } },
  // 客服: view all; 手机号 masked with reveal (reason required), 身份证号 hidden, the rest read;
  // no create, edit, delete or export.
  客服: { actions: { view: 'all', reveal: 'all' }, revealNeedsReason: true, fields: { '*': 'read', phone: 'masked', idNo: 'hidden' } },
  // 管理者: every action on all customers, every field write, reveal without reason, export on.
  管理者: {
    actions: { view: 'all', create: true, edit: 'all', delete: 'all', reveal: 'all', export: 'all', import: true, assign: 'all' },
    revealNeedsReason: false,
    fields: { '*': 'write' },
  },
};

function covers(scope: RowScope | true | undefined, r: Relation): boolean {
  switch (scope) {
    case undefined:
      return false;
    case true:
    case 'all':
      return true;
    case 'own':
      return r === 'own';
    case 'department':
      return r === 'own' || r === 'same department';
    case 'department-tree':
      return r !== 'other department';
  }
}
const modeIn = (g: SeedGrant, key: string): Mode => g.fields[key] ?? g.fields['*'] ?? 'hidden';
/** What a grant's mode shows on an existing record: write only where that grant edits it. */
const onRecord = (m: Mode, edits: boolean): Mode => (m === 'write' ? (edits ? 'write' : 'read') : m === 'write-on-create' ? 'read' : m);

/** How each action of the vocabulary is tested; a new action without a kind fails typecheck and the first test. */
const actionKinds: Record<RecordAction, 'rows' | 'new rows' | 'reveal' | 'right'> = {
  view: 'rows',
  create: 'new rows',
  edit: 'rows',
  delete: 'rows',
  reveal: 'reveal',
  export: 'right',
  import: 'right',
  assign: 'rows',
};

/** "create and import make new rows": they hold on the form, not on a record. */
const unscoped = new Set<RecordAction>(['create', 'import']);

/** What one combination of groups may do, by the seed case. */
class Expected {
  readonly grants: SeedGrant[];
  constructor(readonly groups: readonly string[]) {
    this.grants = groups.map((g) => seedCase[g]);
  }
  /** Without any grant the form does not exist for the caller. */
  get knowsForm() {
    return this.grants.length > 0;
  }
  holds(a: RecordAction) {
    return this.grants.some((g) => g.actions[a] !== undefined);
  }
  sees(r: Relation) {
    return this.grants.some((g) => covers(g.actions.view, r));
  }
  may(a: RecordAction, r: Relation) {
    return this.sees(r) && this.grants.some((g) => covers(g.actions[a], r));
  }
  /** The mode on a record of relation r; undefined when the record is not visible. */
  modeOn(r: Relation, key: string): Mode | undefined {
    const viewers = this.grants.filter((g) => covers(g.actions.view, r));
    return viewers.length ? most(viewers.map((g) => onRecord(modeIn(g, key), covers(g.actions.edit, r)))) : undefined;
  }
  /** Whether `key` may be revealed on such a record: masked to the caller, and a group that sees it may reveal it and shows the field. */
  revealable(r: Relation, key: string): { reasonRequired: boolean } | undefined {
    if (this.modeOn(r, key) !== 'masked') return undefined;
    const from = this.grants.filter((g) => covers(g.actions.view, r) && covers(g.actions.reveal, r) && rank(modeIn(g, key)) >= rank('masked'));
    return from.length ? { reasonRequired: from.every((g) => g.revealNeedsReason === true) } : undefined;
  }
  /** The field's mode in the FormView: the most open on any record the caller sees. */
  ceiling(key: string): Mode {
    return most(this.grants.filter((g) => g.actions.view).map((g) => onRecord(modeIn(g, key), g.actions.edit !== undefined)));
  }
  onCreate(key: string): Mode {
    return most(this.grants.filter((g) => g.actions.create || g.actions.import).map((g) => modeIn(g, key)));
  }
  writableOnCreate(key: string) {
    return this.onCreate(key) === 'write' || this.onCreate(key) === 'write-on-create';
  }
  /** A record owned by someone of relation r (to the caller) is inside the assign scope. */
  mayGiveTo(r: Relation) {
    return this.grants.some((g) => covers(g.actions.assign, r));
  }
  recordCan(r: Relation, keys: string[]): Record<RecordAction, boolean> {
    const out = {} as Record<RecordAction, boolean>;
    for (const a of recordActions) {
      const kind = actionKinds[a];
      if (kind === 'reveal') out[a] = keys.some((k) => this.revealable(r, k) !== undefined);
      else if (unscoped.has(a)) out[a] = this.holds(a);
      else if (a === 'view') out[a] = this.sees(r);
      else out[a] = this.may(a, r);
    }
    return out;
  }
}

/** The masked forms the issue names: 138****5678, 110105********1234. */
const maskedAs: Record<string, (v: string) => string> = {
  phone: (v) => `${v.slice(0, 3)}****${v.slice(7)}`,
  'id-card': (v) => `${v.slice(0, 6)}********${v.slice(14)}`,
};

// ---------------------------------------------------------------------------------------------
// The world: the example, one person per combination of its groups (in the department that
// has sub-departments, so all four relations exist), owners for the other relations, and
// records of each relation for each person and purpose.

interface Actor extends Person {
  label: string;
  x: Expected;
}
interface Planted {
  id: string;
  relation: Relation;
  owner: { id: string; departmentId: string | null };
  values: Record<string, unknown>;
}
const purposes = ['view', 'edit', 'delete', 'assign'] as const;
const writePaths = ['operations', 'REST', 'server action'] as const;
type WritePath = (typeof writePaths)[number];

let w: ExampleWorld;
let crypto: FieldCrypto;
let fields: FieldInfo[];
let ownerKey: string;
let keys: string[];
const actors: Actor[] = [];
const ownerOf = {} as Record<Exclude<Relation, 'own'>, { id: string; departmentId: string | null }>;
/** records[actor][relation][purpose or purpose:path] */
const records = new Map<string, Record<Relation, Record<string, Planted>>>();
const rng = createRng(6);

const groupNames = template.groups.map((g) => g.name);
const combinations = (names: string[]): string[][] =>
  names.reduce<string[][]>((subsets, n) => [...subsets, ...subsets.map((s) => [...s, n])], [[]]);

useExampleWorld(12, async (world) => {
  w = world;
  crypto = await fieldCrypto(w.t.db);
  fields = w.fields;
  keys = fields.map((f) => f.key);
  ownerKey = fields.find((f) => f.kind === 'owner')!.key;
  // The department with sub-departments (销售中心), one below it, and one outside it.
  const parentSpec = template.departments.find((d) => 'children' in d && d.children?.length)!;
  const home = w.departmentByName(parentSpec.name);
  const below = w.departmentByName((parentSpec as { children: { name: string }[] }).children[0].name);
  const outside = w.departmentByName(template.departments.find((d) => d !== parentSpec)!.name);
  ownerOf['same department'] = await addOwner(w, { email: 'owner-same@example.com', name: '同部门负责人', departmentId: home.id });
  ownerOf['sub-department'] = await addOwner(w, { email: 'owner-sub@example.com', name: '下级部门负责人', departmentId: below.id });
  ownerOf['other department'] = await addOwner(w, { email: 'owner-other@example.com', name: '其他部门负责人', departmentId: outside.id });

  for (const [i, groups] of combinations(groupNames).entries()) {
    const label = groups.length ? groups.join('+') : '(no group)';
    const p = await addPerson(w, { email: `matrix-${i}@example.com`, name: `矩阵${i}`, departmentId: home.id, groups });
    actors.push({ ...p, label, x: new Expected(groups) });
  }
  const planted: Planted[] = [];
  for (const a of actors) {
    const byRelation = {} as Record<Relation, Record<string, Planted>>;
    for (const r of relations) {
      byRelation[r] = {};
      const owner = r === 'own' ? { id: a.id, departmentId: a.departmentId } : ownerOf[r];
      for (const purpose of purposes) {
        for (const path of purpose === 'view' ? [''] : writePaths) {
          const rec: Planted = { id: '', relation: r, owner, values: { ...fakeCustomer(rng) } };
          byRelation[r][path ? `${purpose}:${path}` : purpose] = rec;
          planted.push(rec);
        }
      }
    }
    records.set(a.label, byRelation);
  }
  const ids = await plantRecords(w, planted);
  planted.forEach((p, i) => (p.id = ids[i]));
});

// ---------------------------------------------------------------------------------------------
// Outcomes, one shape for every path.

interface Outcome {
  code: string;
  data?: any;
  fields?: Record<string, string>;
}
const viaOperation = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    (data) => ({ code: 'ok', data }),
    (e) => (isAppError(e) ? { code: e.code, fields: e.details?.fields } : Promise.reject(e)),
  );
/** A REST answer; its status must be the one its code stands for. */
function viaRest(res: { status: number; body: any }, success = 200): Outcome {
  if (res.status === success) return { code: 'ok', data: res.body };
  const code = res.body?.code ?? `status ${res.status}`;
  if (httpStatusOf[code as keyof typeof httpStatusOf] !== res.status) return { code: `${code} with status ${res.status}` };
  return { code, fields: res.body.errors };
}
async function viaAction(a: Actor, run: () => Promise<{ ok: true; data: unknown } | { ok: false; error: { code: string; fields?: Record<string, string> } }>): Promise<Outcome> {
  acting.caller = a.session;
  try {
    const res = await run();
    return res.ok ? { code: 'ok', data: res.data } : { code: res.error.code, fields: res.error.fields };
  } finally {
    acting.caller = undefined;
  }
}

const params = (recordId?: string): Record<string, string> => (recordId ? { formId: w.formId, recordId } : { formId: w.formId });

/** The writes, by path. */
const write: Record<
  WritePath,
  {
    create(a: Actor, values: Record<string, unknown>): Promise<Outcome>;
    update(a: Actor, recordId: string, version: number, values: Record<string, unknown>): Promise<Outcome>;
    remove(a: Actor, recordId: string, version: number): Promise<Outcome>;
    reveal(a: Actor, recordId: string, field: string, reason?: string): Promise<Outcome>;
  }
> = {
  operations: {
    create: (a, values) => viaOperation(createRecord(a.session, { formId: w.formId, values })),
    update: (a, recordId, version, values) => viaOperation(updateRecord(a.session, { formId: w.formId, recordId, version, values })),
    remove: (a, recordId, version) => viaOperation(deleteRecord(a.session, { formId: w.formId, recordId, version })),
    reveal: (a, recordId, field, reason) => viaOperation(revealField(a.session, { formId: w.formId, recordId, field, ...(reason ? { reason } : {}) })),
  },
  REST: {
    create: async (a, values) => viaRest(await call(collection.POST, { token: a.token, params: params(), body: { values } }), 201),
    update: async (a, recordId, version, values) => viaRest(await call(item.PATCH, { token: a.token, params: params(recordId), method: 'PATCH', body: { version, values } })),
    remove: async (a, recordId, version) => viaRest(await call(item.DELETE, { token: a.token, params: params(recordId), method: 'DELETE', query: `version=${version}` })),
    reveal: async (a, recordId, field, reason) => viaRest(await call(revealRoute.POST, { token: a.token, params: params(recordId), body: { field, ...(reason ? { reason } : {}) } })),
  },
  'server action': {
    create: (a, values) => viaAction(a, () => actions.createRecordAction({ formId: w.formId, values })),
    update: (a, recordId, version, values) => viaAction(a, () => actions.updateRecordAction({ formId: w.formId, recordId, version, values })),
    remove: (a, recordId, version) => viaAction(a, () => actions.deleteRecordAction({ formId: w.formId, recordId, version })),
    reveal: (a, recordId, field, reason) => viaAction(a, () => actions.revealFieldAction({ formId: w.formId, recordId, field, ...(reason ? { reason } : {}) })),
  },
};

// ---------------------------------------------------------------------------------------------
// Checking cells.

/** Allowed and denied cells per action and path: the matrix must test both ways. */
const tally = new Map<string, { allowed: number; denied: number }>();
function count(action: RecordAction, path: string, allowed: boolean) {
  const k = `${action} / ${path}`;
  const t = tally.get(k) ?? { allowed: 0, denied: 0 };
  t[allowed ? 'allowed' : 'denied']++;
  tally.set(k, t);
}

/** Collects every wrong cell of a test, then fails once with all of them. */
function cells() {
  const wrong: string[] = [];
  return {
    wrong,
    check(cell: string, ok: boolean, detail: () => string) {
      if (!ok) wrong.push(`${cell}: ${detail()}`);
    },
  };
}
type Cells = ReturnType<typeof cells>;
const show = (v: unknown) => JSON.stringify(v);

/** A record's row as stored: anything a refused write might have changed. */
const rowState = (id: string) =>
  w.t.db
    .selectFrom('records')
    .select(['values', 'version', 'owner_id', 'department_id', 'deleted_at', 'updated_at', 'updated_by', 'form_version'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

function relationTo(a: Actor, owner: { id: string; departmentId: string | null }): Relation {
  if (owner.id === a.id) return 'own';
  if (owner.departmentId === a.departmentId) return 'same department';
  return owner.departmentId && w.subtree(a.departmentId).has(owner.departmentId) ? 'sub-department' : 'other department';
}

/** The value the caller must see for a field in mode m (undefined: the key must be absent). */
function shownValue(f: FieldInfo, m: Mode | undefined, plain: Record<string, unknown>, ownerId: string): unknown {
  if (m === undefined || m === 'hidden') return undefined;
  if (f.key === ownerKey) return ownerId;
  const v = plain[f.key];
  if (m !== 'masked' || v === undefined) return v;
  const rule = f.schema['x-mask'];
  const mask = typeof rule === 'string' ? maskedAs[rule] : undefined;
  return mask ? mask(String(v)) : `(no expectation for masking ${f.key})`;
}

/** One record as the caller must get it: modes, values (masked or left out), revealable fields, rights. */
function checkDto(c: Cells, cell: string, a: Actor, r: Relation, dto: RecordDTO, plain: Record<string, unknown>, ownerId: string) {
  for (const f of fields) {
    const m = a.x.modeOn(r, f.key);
    const fieldCell = `${cell} | ${f.key}`;
    if (m === undefined || m === 'hidden') {
      c.check(fieldCell, !(f.key in dto.values) && !(f.key in dto.modes), () => `hidden, but sent ${show({ value: dto.values[f.key], mode: dto.modes[f.key] })}`);
      continue;
    }
    c.check(fieldCell, dto.modes[f.key] === m, () => `mode ${m} expected, got ${dto.modes[f.key]}`);
    const expected = shownValue(f, m, plain, ownerId);
    c.check(fieldCell, show(dto.values[f.key]) === show(expected), () => `value ${show(expected)} expected, got ${show(dto.values[f.key])}`);
  }
  const can = a.x.recordCan(r, keys);
  for (const action of recordActions) c.check(`${cell} | can.${action}`, dto.can[action] === can[action], () => `${can[action]} expected, got ${dto.can[action]}`);
  const revealable = keys.flatMap((k) => {
    const rv = a.x.revealable(r, k);
    return rv ? [{ field: k, reasonRequired: rv.reasonRequired }] : [];
  });
  c.check(`${cell} | revealable`, show(dto.revealable) === show(revealable), () => `${show(revealable)} expected, got ${show(dto.revealable)}`);
  c.check(`${cell} | owner`, dto.owner.id === ownerId, () => `owner ${ownerId} expected, got ${dto.owner.id}`);
}

/** The form as the caller must see it: hidden fields gone, each field's modes, the rights. */
function checkFormView(c: Cells, cell: string, a: Actor, form: Pick<FormView, 'fields' | 'schema' | 'can'>, full: boolean) {
  const shown = fields.filter((f) => a.x.ceiling(f.key) !== 'hidden' || a.x.onCreate(f.key) !== 'hidden');
  c.check(`${cell} | fields`, show(form.fields.map((f) => f.key)) === show(shown.map((f) => f.key)), () => `${show(shown.map((f) => f.key))} expected, got ${show(form.fields.map((f) => f.key))}`);
  for (const f of form.fields) {
    c.check(`${cell} | ${f.key} mode`, f.mode === a.x.ceiling(f.key), () => `${a.x.ceiling(f.key)} expected, got ${f.mode}`);
    if (full) c.check(`${cell} | ${f.key} onCreate`, f.onCreate === a.x.onCreate(f.key), () => `${a.x.onCreate(f.key)} expected, got ${f.onCreate}`);
  }
  const schemaKeys = Object.keys(form.schema.properties);
  c.check(`${cell} | schema`, show([...schemaKeys].sort()) === show(shown.map((f) => f.key).sort()), () => `schema fields ${show(schemaKeys)}`);
  c.check(`${cell} | schema x-order`, show(form.schema['x-order']) === show(shown.map((f) => f.key)), () => `x-order ${show(form.schema['x-order'])}`);
  for (const action of recordActions) {
    c.check(`${cell} | can.${action}`, form.can[action] === a.x.holds(action), () => `${a.x.holds(action)} expected, got ${form.can[action]}`);
  }
}

async function activeUsers() {
  return w.t.db.selectFrom('users').select(['id', 'department_id']).where('status', '=', 'active').execute();
}
/** Whom the owner picker must offer: the kept owner and everyone inside the assign scope. */
async function expectedOwnerOptions(a: Actor, keep: string): Promise<string[]> {
  const assignable = (await activeUsers()).filter((u) => a.x.mayGiveTo(relationTo(a, { id: u.id, departmentId: u.department_id }))).map((u) => u.id);
  return [...new Set([keep, ...assignable])].sort();
}

/** A new valid value for a field, different from `current`. */
function freshValue(f: FieldInfo, n: number, current: unknown): unknown {
  const s = f.schema;
  if (s.enum) return s.enum.find((v) => v !== current);
  if (s.format === 'cn-mobile') return fakeMobile(rng);
  if (s.format === 'cn-id-card') return fakeIdCard(rng);
  if (s.format === 'email') return `m${n}.${Date.now().toString(36)}@example.com`;
  return `${s.title}-${n}`;
}
let serial = 0;

// ---------------------------------------------------------------------------------------------

describe('the authorization matrix of the 客户管理 example', () => {
  it('covers the example and the whole vocabulary', () => {
    // Every group of the template has an expectation, and nothing else does.
    expect(Object.keys(seedCase).sort()).toEqual([...groupNames].sort());
    expect(actors).toHaveLength(2 ** groupNames.length);
    // Every action of the vocabulary is tested, and every field mode is one the expectation knows.
    expect(Object.keys(actionKinds).sort()).toEqual([...recordActions].sort());
    expect([...fieldModes].sort()).toEqual([...openness].sort());
    // The seed case uses every mode, so the matrix meets each one.
    expect([...new Set(Object.values(seedCase).flatMap((g) => Object.values(g.fields)))].sort()).toEqual([...fieldModes].sort());
    expect(keys).toEqual(template.forms[0].schema['x-order']);
  });

  for (let i = 0; i < 2 ** groupNames.length; i++) {
    const actor = () => actors[i];
    const name = combinations(groupNames)[i].join('+') || '(no group)';

    describe(name, () => {
      it('view, export, import, assign rights: FormView, records and pages (operations, REST)', async () => {
        const a = actor();
        const c = cells();
        // The forms the caller may use, through the operation and GET /forms.
        const forms = await listUsableForms(a.session, {});
        const listed = forms.filter((f) => f.id === w.formId);
        c.check('listUsableForms', listed.length === (a.x.knowsForm ? 1 : 0), () => `listed ${listed.length} times`);
        if (listed[0]) checkFormView(c, 'listUsableForms', a, listed[0], true);
        const rest = await call(formsRoute.GET, { token: a.token });
        const restForm = (rest.body.items as FormView[]).filter((f) => f.id === w.formId);
        c.check('GET /forms', rest.status === 200 && restForm.length === (a.x.knowsForm ? 1 : 0), () => `status ${rest.status}, listed ${restForm.length}`);
        if (restForm[0]) checkFormView(c, 'GET /forms', a, restForm[0], false);
        for (const action of recordActions) {
          if (actionKinds[action] === 'right') for (const path of ['operations', 'REST']) count(action, `${path} FormView`, a.x.holds(action));
        }

        const listPage = await viaOperation(recordsListPage(a.session, { formId: w.formId, pageSize: 1 }));
        c.check('recordsListPage', listPage.code === (a.x.knowsForm ? 'ok' : 'not_found'), () => `got ${listPage.code}`);
        if (listPage.code === 'ok') checkFormView(c, 'recordsListPage', a, listPage.data.form, true);

        const newPage = await viaOperation(newRecordPage(a.session, { formId: w.formId }));
        const newExpected = !a.x.knowsForm ? 'not_found' : a.x.holds('create') ? 'ok' : 'forbidden';
        c.check('newRecordPage', newPage.code === newExpected, () => `${newExpected} expected, got ${newPage.code}`);
        if (newPage.code === 'ok') {
          checkFormView(c, 'newRecordPage', a, newPage.data.form, true);
          const offered = newPage.data.ownerOptions.map((o: { id: string }) => o.id).sort();
          const expected = await expectedOwnerOptions(a, a.id);
          c.check('newRecordPage | owner options', show(offered) === show(expected), () => `${expected.length} expected, got ${offered.length}`);
        }

        for (const r of relations) {
          const rec = records.get(a.label)![r].view;
          const visible = a.x.sees(r);
          count('view', 'operations', visible);
          count('view', 'REST', visible);
          for (const action of recordActions) if (actionKinds[action] === 'right') for (const path of ['operations', 'REST']) count(action, `${path} record`, visible && a.x.recordCan(r, keys)[action]);
          const got = await viaOperation(getRecord(a.session, { formId: w.formId, recordId: rec.id }));
          const viaApi = viaRest(await call(item.GET, { token: a.token, params: params(rec.id) }));
          const page = await viaOperation(recordPage(a.session, { formId: w.formId, recordId: rec.id }));
          for (const [path, out] of [
            ['getRecord', got],
            ['GET record', viaApi],
            ['recordPage', page],
          ] as const) {
            const cell = `${r} | ${path}`;
            c.check(cell, out.code === (visible ? 'ok' : 'not_found'), () => `${visible ? 'ok' : 'not_found'} expected, got ${out.code}`);
            if (out.code !== 'ok') continue;
            checkDto(c, cell, a, r, path === 'recordPage' ? out.data.record : out.data, rec.values, rec.owner.id);
          }
          if (page.code === 'ok') {
            checkFormView(c, `${r} | recordPage form`, a, page.data.form, true);
            const offered = page.data.ownerOptions.map((o: { id: string }) => o.id).sort();
            const expected = a.x.may('edit', r) ? await expectedOwnerOptions(a, rec.owner.id) : [rec.owner.id];
            c.check(`${r} | recordPage owner options`, show(offered) === show(expected), () => `${expected.length} expected, got ${offered.length}`);
          }
        }
        expect(c.wrong).toEqual([]);
      }, 120_000);

      for (const path of writePaths) {
        it(`create × owner relation × field, through ${path}`, async () => {
          const a = actor();
          const c = cells();
          const required = fields.filter((f) => f.required && f.key !== ownerKey);
          for (const r of relations) {
            const owner = r === 'own' ? { id: a.id, departmentId: a.departmentId } : ownerOf[r];
            for (const f of fields.filter((x) => x.key !== ownerKey)) {
              const marker = `创建-${++serial}`;
              const base = { ...fakeCustomer(rng), name: marker } as Record<string, unknown>;
              const values: Record<string, unknown> = Object.fromEntries(required.map((x) => [x.key, base[x.key]]));
              if (f.key !== 'name') values[f.key] = freshValue(f, serial, undefined);
              values[ownerKey] = owner.id;
              const refusedField = [f, ...required].find((x) => !a.x.writableOnCreate(x.key));
              const expected = !a.x.knowsForm
                ? 'not_found'
                : !a.x.holds('create')
                  ? 'forbidden'
                  : refusedField || (r !== 'own' && !a.x.mayGiveTo(r))
                    ? 'invalid_input'
                    : 'ok';
              const namedField = refusedField ? refusedField.key : ownerKey;
              count('create', path, expected === 'ok');
              if (r !== 'own') count('assign', `${path} (create)`, expected === 'ok');
              const out = await write[path].create(a, values);
              const cell = `${r} owner | ${f.key}`;
              c.check(cell, out.code === expected, () => `${expected} expected, got ${out.code} ${show(out.fields ?? '')}`);
              const stored = await w.t.db
                .selectFrom('records')
                .select(['id', 'owner_id', 'department_id', 'created_by'])
                .where('form_id', '=', w.formId)
                .where(sql<boolean>`values->>'name' = ${marker}`)
                .execute();
              if (expected === 'ok' && out.code === 'ok') {
                const dto = out.data as RecordDTO;
                c.check(cell, stored.length === 1 && stored[0].id === dto.id, () => `stored ${stored.length} records`);
                c.check(cell, stored[0]?.owner_id === owner.id && stored[0]?.department_id === owner.departmentId && stored[0]?.created_by === a.id, () => `stored owner ${stored[0]?.owner_id}`);
                checkDto(c, `${cell} | answer`, a, r, dto, values, owner.id);
              } else {
                c.check(cell, stored.length === 0, () => `refused, but ${stored.length} record(s) stored`);
                if (expected === 'invalid_input' && out.code === expected) c.check(cell, Boolean(out.fields && namedField in out.fields), () => `error names ${show(out.fields)}, not ${namedField}`);
              }
            }
          }
          expect(c.wrong).toEqual([]);
        }, 180_000);

        it(`edit × relation × field, through ${path}`, async () => {
          const a = actor();
          const c = cells();
          for (const r of relations) {
            const rec = records.get(a.label)![r][`edit:${path}`];
            let before = await rowState(rec.id);
            for (const f of fields.filter((x) => x.key !== ownerKey)) {
              const value = freshValue(f, ++serial, rec.values[f.key]);
              const expected = !a.x.knowsForm || !a.x.sees(r) ? 'not_found' : !a.x.may('edit', r) ? 'forbidden' : a.x.modeOn(r, f.key) === 'write' ? 'ok' : 'invalid_input';
              count('edit', path, expected === 'ok');
              const out = await write[path].update(a, rec.id, before.version, { [f.key]: value });
              const after = await rowState(rec.id);
              const cell = `${r} | ${f.key}`;
              c.check(cell, out.code === expected, () => `${expected} expected, got ${out.code} ${show(out.fields ?? '')}`);
              if (expected === 'ok' && out.code === 'ok') {
                rec.values[f.key] = value;
                c.check(cell, after.version === before.version + 1, () => `version ${before.version} -> ${after.version}`);
                checkDto(c, `${cell} | answer`, a, r, out.data, rec.values, rec.owner.id);
              } else {
                c.check(cell, show(after) === show(before), () => 'refused, but the stored record changed');
                if (expected === 'invalid_input' && out.code === expected) c.check(cell, Boolean(out.fields && f.key in out.fields), () => `error names ${show(out.fields)}`);
              }
              before = after;
            }
          }
          expect(c.wrong).toEqual([]);
        }, 180_000);

        it(`assign (owner change) × relation × new owner's relation, through ${path}`, async () => {
          const a = actor();
          const c = cells();
          for (const r of relations) {
            const rec = records.get(a.label)![r][`assign:${path}`];
            let before = await rowState(rec.id);
            for (const to of relations) {
              const newOwner = to === 'own' ? { id: a.id, departmentId: a.departmentId } : ownerOf[to];
              const unchanged = to === r;
              const expected =
                !a.x.knowsForm || !a.x.sees(r) ? 'not_found' : !a.x.may('edit', r) ? 'forbidden' : unchanged || a.x.mayGiveTo(to) ? 'ok' : 'invalid_input';
              if (!unchanged) count('assign', path, expected === 'ok');
              const out = await write[path].update(a, rec.id, before.version, { [ownerKey]: newOwner.id });
              const after = await rowState(rec.id);
              const cell = `${r} record -> ${to} owner`;
              c.check(cell, out.code === expected, () => `${expected} expected, got ${out.code} ${show(out.fields ?? '')}`);
              if (expected === 'ok' && out.code === 'ok') {
                c.check(cell, after.owner_id === newOwner.id && after.department_id === newOwner.departmentId, () => `stored owner ${after.owner_id}, department ${after.department_id}`);
                c.check(cell, out.data.owner.id === newOwner.id, () => `answered owner ${out.data.owner.id}`);
                // Back to its relation for the next cell (test setup, not a cell).
                await w.t.db.updateTable('records').set({ owner_id: rec.owner.id, department_id: rec.owner.departmentId }).where('id', '=', rec.id).execute();
                before = await rowState(rec.id);
              } else {
                c.check(cell, show(after) === show(before), () => 'refused, but the stored record changed');
                if (expected === 'invalid_input' && out.code === expected) c.check(cell, Boolean(out.fields && ownerKey in out.fields), () => `error names ${show(out.fields)}`);
                before = after;
              }
            }
          }
          expect(c.wrong).toEqual([]);
        }, 120_000);

        it(`delete × relation, through ${path}`, async () => {
          const a = actor();
          const c = cells();
          for (const r of relations) {
            const rec = records.get(a.label)![r][`delete:${path}`];
            const before = await rowState(rec.id);
            const expected = !a.x.knowsForm || !a.x.sees(r) ? 'not_found' : !a.x.may('delete', r) ? 'forbidden' : 'ok';
            count('delete', path, expected === 'ok');
            const out = await write[path].remove(a, rec.id, before.version);
            const after = await rowState(rec.id);
            c.check(r, out.code === expected, () => `${expected} expected, got ${out.code}`);
            if (expected === 'ok') {
              c.check(r, after.deleted_at !== null, () => 'answered ok, but the record is not deleted');
              const gone = await viaOperation(getRecord(a.session, { formId: w.formId, recordId: rec.id }));
              c.check(r, gone.code === 'not_found', () => `deleted record still answers ${gone.code}`);
            } else c.check(r, show(after) === show(before), () => 'refused, but the stored record changed');
          }
          expect(c.wrong).toEqual([]);
        }, 60_000);

        it(`reveal × relation × field, through ${path}`, async () => {
          const a = actor();
          const c = cells();
          const reveals = async () =>
            (
              await w.t.db
                .selectFrom('audit_events')
                .select(['fields', 'details', 'record_ids'])
                .where('actor_id', '=', a.id)
                .where('action', '=', 'records.reveal')
                .where('outcome', '=', 'ok')
                .execute()
            ).length;
          for (const r of relations) {
            const rec = records.get(a.label)![r].view;
            for (const f of fields) {
              const rv = a.x.revealable(r, f.key);
              const expected = !a.x.knowsForm
                ? 'not_found'
                : a.x.ceiling(f.key) === 'hidden'
                  ? 'invalid_input'
                  : !a.x.sees(r)
                    ? 'not_found'
                    : rv
                      ? 'ok'
                      : 'forbidden';
              count('reveal', path, expected === 'ok');
              const cell = `${r} | ${f.key}`;
              const n = await reveals();
              if (rv?.reasonRequired) {
                // Without a reason the form's rule refuses it, and nothing is revealed.
                const bare = await write[path].reveal(a, rec.id, f.key);
                c.check(`${cell} | no reason`, bare.code === 'invalid_input' && Boolean(bare.fields?.reason), () => `invalid_input on reason expected, got ${bare.code} ${show(bare.fields ?? '')}`);
                c.check(`${cell} | no reason`, bare.data === undefined, () => `answered ${show(bare.data)}`);
              }
              const reason = rv?.reasonRequired || expected !== 'ok' ? `核实来电 ${serial++}` : undefined;
              const out = await write[path].reveal(a, rec.id, f.key, reason);
              c.check(cell, out.code === expected, () => `${expected} expected, got ${out.code} ${show(out.fields ?? '')}`);
              const m = await reveals();
              if (expected === 'ok' && out.code === 'ok') {
                c.check(cell, show(out.data) === show({ field: f.key, value: rec.values[f.key] }), () => `answered ${show(out.data)}`);
                c.check(cell, m === n + 1, () => `${m - n} reveal events`);
              } else {
                c.check(cell, out.data === undefined, () => `refused, but answered ${show(out.data)}`);
                c.check(cell, m === n, () => `refused, but ${m - n} reveal events`);
                if (expected === 'invalid_input' && out.code === expected) {
                  // A hidden field is refused exactly like a field the form does not have.
                  const unknown = await write[path].reveal(a, rec.id, 'noSuchField', reason);
                  c.check(cell, show(unknown.fields) === show(out.fields) && unknown.code === out.code, () => `${show(out.fields)} differs from an unknown field's ${show(unknown.fields)}`);
                }
              }
            }
          }
          expect(c.wrong).toEqual([]);
        }, 120_000);
      }
    });
  }

  it('lists (operations, REST) hold exactly the records in the view scope, each as its relation shows it', async () => {
    const c = cells();
    const rows = await w.t.db.selectFrom('records').select(['id', 'owner_id', 'department_id', 'values']).where('form_id', '=', w.formId).where('deleted_at', 'is', null).execute();
    const plain = new Map(
      rows.map((row) => [
        row.id,
        Object.fromEntries(
          Object.entries(row.values as Record<string, unknown>).map(([k, v]) => [
            k,
            fields.find((f) => f.key === k)?.schema['x-encrypted'] ? crypto.decrypt(v as string, { formId: w.formId, recordId: row.id, field: k }) : v,
          ]),
        ),
      ]),
    );
    for (const a of actors) {
      const expected = rows.filter((row) => a.x.sees(relationTo(a, { id: row.owner_id, departmentId: row.department_id }))).map((row) => row.id).sort();
      for (const path of ['operations', 'REST'] as const) {
        const got: RecordDTO[] = [];
        let code = 'ok';
        for (let page = 1; code === 'ok'; page++) {
          const out =
            path === 'operations'
              ? await viaOperation(listRecords(a.session, { formId: w.formId, page, pageSize: 200 }))
              : viaRest(await call(collection.GET, { token: a.token, params: params(), query: `page=${page}&pageSize=200` }));
          code = out.code;
          if (out.code !== 'ok') break;
          got.push(...out.data.items);
          if (out.data.items.length < 200) break;
        }
        const cell = `${a.label} | list via ${path}`;
        c.check(cell, code === (a.x.knowsForm ? 'ok' : 'not_found'), () => `got ${code}`);
        c.check(cell, show(got.map((d) => d.id).sort()) === show(a.x.knowsForm ? expected : []), () => `${expected.length} records expected, got ${got.length}`);
        for (const dto of got) {
          const row = rows.find((x) => x.id === dto.id);
          if (row) checkDto(c, `${cell} | ${dto.id}`, a, relationTo(a, { id: row.owner_id, departmentId: row.department_id }), dto, plain.get(dto.id)!, row.owner_id);
        }
      }
    }
    expect(c.wrong).toEqual([]);
  }, 180_000);

  it('tests every action both ways on every path', () => {
    const oneSided = [...tally].filter(([, t]) => t.allowed === 0 || t.denied === 0).map(([k, t]) => `${k}: ${show(t)}`);
    expect(oneSided).toEqual([]);
    for (const action of recordActions) expect([...tally.keys()].some((k) => k.startsWith(`${action} /`)), action).toBe(true);
    for (const path of writePaths) for (const action of ['create', 'edit', 'delete', 'reveal', 'assign'] as const) expect(tally.has(`${action} / ${path}`), `${action} / ${path}`).toBe(true);
  });
});

/** A reveal is one value at a time: past the hourly limit the next one is refused. */
describe('reveal rate limit', () => {
  it('refuses the reveal after the hourly limit, through every path, and reveals nothing', async () => {
    // The example's last 客服 (the matrix's people are its own; this one has revealed nothing yet).
    const support = await exampleUser(w, template.users.filter((u) => u.groups.includes('客服')).at(-1)!.email);
    const target = [...records.values()][0]['other department'].view;
    const limit = env().revealPerHour;
    const supportActor: Actor = { ...support, label: 'support', x: new Expected(['客服']) };
    for (let i = 0; i < limit; i++) {
      const out = await write[writePaths[i % 3]].reveal(supportActor, target.id, 'phone', `核实 ${i}`);
      expect(out.code, `reveal ${i + 1}`).toBe('ok');
    }
    for (const path of writePaths) {
      const out = await write[path].reveal(supportActor, target.id, 'phone', '再核实');
      expect(out.code, path).toBe('rate_limited');
      expect(out.data).toBeUndefined();
    }
  }, 120_000);
});
