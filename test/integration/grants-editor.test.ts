/**
 * The permission editor's save (setFormGrants) and load (getFormGrants): a grant whose
 * condition could never apply (encrypted, hidden or unknown field, too deep) or that fails
 * the schema is refused with the reason in the admin's language, and nothing of the call is
 * stored; good grants of several groups are saved together, each change audited with before
 * and after; only admins may do either; and a change applies at the affected user's next
 * request, with no cache in between.
 */
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type Who, type World } from '../helpers/world';
import { failure } from '../helpers/outcome';
import { getFormGrants, setFormGrants } from '@/lib/forms/operations';
import { listRecords } from '@/lib/records/operations';
import { policyFieldsOf, type FormDefinition } from '@/lib/forms/definition';
import { decide, grantPresets, modesOn, type Grant, type ScopeContext } from '@/lib/policy';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

let made = 0;
/** A group of this test's own (with members, when given), so tests do not share grants. */
async function newGroup(members: string[] = []): Promise<string> {
  const g = await t.db.insertInto('groups').values({ name: `编辑器测试组${++made}` }).returning('id').executeTakeFirstOrThrow();
  for (const user_id of members) await t.db.insertInto('group_members').values({ group_id: g.id, user_id }).execute();
  return g.id;
}

const storedGrant = async (groupId: string) =>
  (await t.db.selectFrom('grants').select('grant').where('form_id', '=', w.formId).where('group_id', '=', groupId).executeTakeFirst())?.grant ?? null;

const grantEvents = (groupId: string) =>
  t.db
    .selectFrom('audit_events')
    .select(['action', 'outcome', 'details', 'actor_id'])
    .where('action', '=', 'forms.setGrant')
    .where('resource_id', '=', `${w.formId}/${groupId}`)
    .orderBy('id')
    .execute();

const save = (grants: { groupId: string; grant: unknown }[], who: Who = 'admin', locale: 'zh-CN' | 'en' = 'zh-CN') =>
  setFormGrants(w.caller(who, locale), { formId: w.formId, grants: grants as { groupId: string; grant: Record<string, unknown> | null }[] });

/** Refused with invalid_input; nothing of the call is stored and no change is audited. */
async function refused(grants: { groupId: string; grant: unknown }[], locale: 'zh-CN' | 'en' = 'zh-CN') {
  const before = await Promise.all(grants.map((g) => storedGrant(g.groupId)));
  const e = await failure(save(grants, 'admin', locale));
  expect(e.code).toBe('invalid_input');
  expect(await Promise.all(grants.map((g) => storedGrant(g.groupId)))).toEqual(before);
  for (const g of grants) expect(await grantEvents(g.groupId)).toEqual([]);
  return e;
}

const readAll = { '*': 'read' } as const;

describe('setFormGrants refuses what could never apply, naming it', () => {
  it('a condition on an encrypted field, and stores nothing of the call (not even the good grant beside it)', async () => {
    const bad = await newGroup();
    const good = await newGroup();
    const e = await refused([
      { groupId: good, grant: grantPresets.viewAll },
      { groupId: bad, grant: { actions: { view: { scope: { field: 'phone', eq: '13800000000' } } }, fields: readAll } },
    ]);
    expect(e.message).toMatch(/编辑器测试组\d+.*查看.*加密字段「手机号」/);
    expect(e.details?.fields).toEqual({ 'grants.1.grant.actions.view': expect.stringMatching(/加密字段「手机号」/) });
  });

  it('a condition on a field the same grant hides (a search oracle)', async () => {
    const g = await newGroup();
    const e = await refused([{ groupId: g, grant: { actions: { view: { scope: 'all' }, edit: { scope: { all: [{ field: 'level', eq: 'VIP' }] } } }, fields: { '*': 'read', level: 'hidden' } } }]);
    expect(e.message).toMatch(/编辑.*隐藏的字段「客户等级」/);
    // Hidden because nothing names it: no "*", no key.
    const e2 = await refused([{ groupId: g, grant: { actions: { view: { scope: { field: 'notes', eq: 'x' } } }, fields: { name: 'read' } } }]);
    expect(e2.message).toMatch(/隐藏的字段「跟进记录」/);
  });

  it('an unknown field, in the caller’s language', async () => {
    const g = await newGroup();
    const e = await refused([{ groupId: g, grant: { actions: { view: { scope: { any: [{ field: 'budget', gt: 5 }] } } }, fields: readAll } }], 'en');
    expect(e.message).toMatch(/View condition uses “budget”, which the form does not have/);
    const e2 = await refused([{ groupId: g, grant: { actions: { view: { scope: 'all' } }, fields: { '*': 'read', ghost: 'write' } } }]);
    expect(e2.message).toMatch(/「ghost」不是表单的字段/);
    expect(Object.keys(e2.details?.fields ?? {})).toEqual(['grants.0.grant.fields.ghost']);
  });

  it('a condition nested too deep, and grants that fail the schema', async () => {
    const g = await newGroup();
    let deep: unknown = { field: 'level', eq: 'VIP' };
    for (let i = 0; i < 6; i++) deep = { not: deep };
    expect((await refused([{ groupId: g, grant: { actions: { view: { scope: deep } }, fields: readAll } }])).message).toMatch(/嵌套过深/);
    for (const grant of [
      { actions: { view: { scope: 'everyone' } } },
      { actions: { purge: {} } },
      { actions: { view: { scope: 'all', sudo: true } } },
      { actions: { view: { scope: { field: 'level', gt: 'VIP' } } } },
      { actions: { view: { scope: 'all' } }, fields: { name: 'sometimes' } },
    ]) {
      expect((await refused([{ groupId: g, grant }])).message).toMatch(/授权格式不符合规则/);
    }
  });

  it('the same group twice in one call, and an unknown group', async () => {
    const g = await newGroup();
    await refused([
      { groupId: g, grant: grantPresets.viewAll },
      { groupId: g, grant: null },
    ]);
    expect((await failure(save([{ groupId: '00000000-0000-4000-8000-000000000000', grant: grantPresets.viewAll }]))).code).toBe('not_found');
  });
});

describe('setFormGrants saves', () => {
  it('good grants of several groups at once; getFormGrants returns them valid', async () => {
    const a = await newGroup();
    const b = await newGroup();
    const conditional: Grant = {
      actions: {
        view: { scope: { all: [{ field: 'level', eq: 'VIP' }, { field: '$owner', eq: '$me' }] } },
        edit: { scope: { any: [{ field: 'owner', eq: '$me' }, { field: '$department', in: ['$myDepartment'] }] } },
        reveal: { scope: 'department-tree', reason: true },
        export: { scope: 'department' },
      },
      // Its conditions name only plain fields (and the owner and department columns) this grant shows.
      fields: { '*': 'read', phone: 'masked', name: 'hidden', notes: 'write-on-create' },
    };
    expect(await save([{ groupId: a, grant: conditional }, { groupId: b, grant: grantPresets.manageOwn }])).toEqual({ changed: 2 });
    expect(await storedGrant(a)).toEqual(conditional);
    expect(await storedGrant(b)).toEqual(grantPresets.manageOwn);
    const loaded = await getFormGrants(w.caller('admin'), { formId: w.formId });
    expect(loaded.groups.filter((g) => g.groupId === a || g.groupId === b).map((g) => [g.grant, g.invalid])).toEqual([
      [conditional, false],
      [grantPresets.manageOwn, false],
    ]);
  });

  it('each changed group gets one audit event with before and after; an unchanged one none', async () => {
    const changed = await newGroup();
    const same = await newGroup();
    await save([{ groupId: changed, grant: grantPresets.viewAll }, { groupId: same, grant: grantPresets.createOnly }]);
    // The same grant again, its keys in another order (jsonb keeps none), is no change.
    const reordered = { fields: { '*': 'write-on-create' }, actions: { create: {} } };
    expect(await save([{ groupId: changed, grant: grantPresets.manageAll }, { groupId: same, grant: reordered }])).toEqual({ changed: 1 });
    await save([{ groupId: changed, grant: null }]);
    expect(await storedGrant(changed)).toBeNull();

    const events = await grantEvents(changed);
    expect(events.map((e) => [e.outcome, e.actor_id, (e.details as { before: unknown }).before, (e.details as { after: unknown }).after])).toEqual([
      ['ok', w.users.admin, null, grantPresets.viewAll],
      ['ok', w.users.admin, grantPresets.viewAll, grantPresets.manageAll],
      ['ok', w.users.admin, grantPresets.manageAll, null],
    ]);
    expect((await grantEvents(same)).map((e) => (e.details as { after: unknown }).after)).toEqual([grantPresets.createOnly]);
  });

  it('only admins: a non-admin may neither load nor save, and nothing changes', async () => {
    const g = await newGroup();
    expect((await failure(getFormGrants(w.caller('manager'), { formId: w.formId }))).code).toBe('forbidden');
    expect((await failure(save([{ groupId: g, grant: grantPresets.manageAll }], 'manager'))).code).toBe('forbidden');
    expect((await failure(save([{ groupId: g, grant: grantPresets.manageAll }], 'sales1'))).code).toBe('forbidden');
    expect(await storedGrant(g)).toBeNull();
    expect(await grantEvents(g)).toEqual([]);
  });
});

describe('getFormGrants', () => {
  it('lists the fields as grants see them, and flags stored grants that cannot apply', async () => {
    const old = await newGroup();
    const hiddenCondition = await newGroup();
    // Written around the editor: an older vocabulary, and a condition on a hidden field.
    await t.db.insertInto('grants').values({ form_id: w.formId, group_id: old, grant: JSON.stringify({ actions: { view: { scope: 'everyone' } } }) }).execute();
    await t.db
      .insertInto('grants')
      .values({ form_id: w.formId, group_id: hiddenCondition, grant: JSON.stringify({ actions: { view: { scope: { field: 'notes', eq: 'x' } } } }) })
      .execute();
    const data = await getFormGrants(w.caller('admin'), { formId: w.formId });
    expect(data.publishedVersion).toBe(1);
    expect(data.fields.map((f) => [f.key, f.title, f.kind, f.encrypted, f.owner, f.mask])).toEqual([
      ['name', '客户名称', 'text', false, false, null],
      ['phone', '手机号', 'phone', true, false, 'phone'],
      ['level', '客户等级', 'select', false, false, null],
      ['owner', '负责人', 'owner', false, true, null],
      ['notes', '跟进记录', 'textarea', false, false, null],
    ]);
    expect(data.fields.find((f) => f.key === 'level')?.options).toEqual(['VIP', 'A', 'B', 'C']);
    const flag = (id: string) => data.groups.find((g) => g.groupId === id)?.invalid;
    expect([flag(old), flag(hiddenCondition)]).toEqual([true, true]);
    expect(data.groups.find((g) => g.groupName === '客服')?.invalid).toBe(false);
  });

  it('checks grants against the published version, not the unpublished draft', async () => {
    // A draft that adds a field: a grant naming it waits for the publish.
    const draft = structuredClone((await t.db.selectFrom('forms').select('draft').where('id', '=', w.formId).executeTakeFirstOrThrow()).draft) as FormDefinition;
    draft.properties.budget = { type: 'number', title: '预算', 'x-widget': 'number' };
    draft['x-order'].push('budget');
    await t.db.updateTable('forms').set({ draft: JSON.stringify(draft) }).where('id', '=', w.formId).execute();
    try {
      expect((await getFormGrants(w.caller('admin'), { formId: w.formId })).fields.map((f) => f.key)).not.toContain('budget');
      const g = await newGroup();
      expect((await refused([{ groupId: g, grant: { actions: { view: { scope: { field: 'budget', gt: 1 } } }, fields: readAll } }])).message).toMatch(/没有的字段「budget」/);
    } finally {
      const published = (await t.db.selectFrom('form_versions').select('schema').where('form_id', '=', w.formId).where('version', '=', 1).executeTakeFirstOrThrow()).schema;
      await t.db.updateTable('forms').set({ draft: JSON.stringify(published) }).where('id', '=', w.formId).execute();
    }
  });
});

describe('a change applies at the affected user’s next request', () => {
  /** What policy decides for a user on the form, from what is stored right now (no cache). */
  async function decisionFor(userId: string) {
    const user = await t.db.selectFrom('users').select('department_id').where('id', '=', userId).executeTakeFirstOrThrow();
    const departments = await t.db.selectFrom('departments').select(['id', 'parent_id']).execute();
    const tree: string[] = [];
    const walk = (id: string) => (tree.push(id), departments.filter((d) => d.parent_id === id).forEach((d) => walk(d.id)));
    if (user.department_id) walk(user.department_id);
    const me: ScopeContext = { userId, departmentId: user.department_id, departmentTree: tree };
    const grants = await t.db
      .selectFrom('grants as gr')
      .innerJoin('group_members as gm', 'gm.group_id', 'gr.group_id')
      .innerJoin('groups as g', 'g.id', 'gr.group_id')
      .select(['gr.group_id', 'g.name', 'gr.grant'])
      .where('gr.form_id', '=', w.formId)
      .where('gm.user_id', '=', userId)
      .execute();
    const schema = (await t.db.selectFrom('form_versions').select('schema').where('form_id', '=', w.formId).where('version', '=', 1).executeTakeFirstOrThrow()).schema as FormDefinition;
    return { me, d: decide({ me, fields: policyFieldsOf(schema), grants: grants.map((g) => ({ groupId: g.group_id, groupName: g.name, grant: g.grant })) }) };
  }

  it('a field mode changed in the editor is the mode of the next decision', async () => {
    const support = (await getFormGrants(w.caller('admin'), { formId: w.formId })).groups.find((g) => g.groupName === '客服')!;
    const row = { ownerId: w.users.sales1, departmentId: w.departments.sales1, values: { level: 'B' } };
    await save([{ groupId: support.groupId, grant: { actions: { view: { scope: 'all' } }, fields: { '*': 'read' } } }]);
    expect(modesOn((await decisionFor(w.users.support)).d, row).phone).toBe('read');
    await save([{ groupId: support.groupId, grant: { actions: { view: { scope: 'all' }, reveal: { scope: 'all', reason: true } }, fields: { '*': 'read', phone: 'masked', notes: 'hidden' } } }]);
    const after = modesOn((await decisionFor(w.users.support)).d, row);
    expect([after.phone, after.notes, after.name]).toEqual(['masked', 'hidden', 'read']);
    // Put back what the world's other tests expect of 客服.
    await save([{ groupId: support.groupId, grant: { actions: { view: { scope: 'all' } } } }]);
  });

  it('a scope narrowed in the editor narrows the next list through the operations', async () => {
    const support = (await getFormGrants(w.caller('admin'), { formId: w.formId })).groups.find((g) => g.groupName === '客服')!;
    expect((await listRecords(w.caller('support'), { formId: w.formId })).total).toBe(9);
    await save([{ groupId: support.groupId, grant: { actions: { view: { scope: 'own' } } } }]);
    try {
      expect((await listRecords(w.caller('support'), { formId: w.formId })).total).toBe(0);
    } finally {
      await save([{ groupId: support.groupId, grant: { actions: { view: { scope: 'all' } } } }]);
    }
    expect((await listRecords(w.caller('support'), { formId: w.formId })).total).toBe(9);
  });
});
