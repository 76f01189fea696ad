/**
 * record-view evaluates the decision once per distinct set of scope facts on a page (a
 * cache inside one view). The threat: a cache key that misses a fact the scopes read would
 * hand one record another record's modes, actions or reveal rights (a plain phone number on
 * a record where it must be masked). Checked against the decision evaluated row by row, on
 * generated grants, callers and pages.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { actionsOnRow, decide, modesOn, revealOn, type FieldMode } from '@/lib/policy';
import { effectiveMaskRule, maskValue } from '@/lib/masking';
import { fieldsOf, policyFieldsOf, type FormDefinition } from '@/lib/forms/definition';
import type { FieldCrypto } from '@/lib/crypto/keyring';
import type { FormAccess } from './form-access';
import type { RecordRow } from './record-query';
import { recordView } from './record-view';

const definition: FormDefinition = {
  type: 'object',
  title: 'customers',
  'x-order': ['name', 'phone', 'level', 'owner'],
  required: [],
  properties: {
    name: { type: 'string', title: 'name', 'x-widget': 'text', 'x-mask': 'name' },
    phone: { type: 'string', title: 'phone', 'x-widget': 'phone', 'x-mask': 'phone' },
    level: { type: 'string', title: 'level', enum: ['VIP', 'A', 'B'], 'x-widget': 'select' },
    owner: { type: 'string', title: 'owner', 'x-widget': 'owner' },
  },
};
const fields = fieldsOf(definition);

const USERS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
const DEPTS = ['00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000d2'];

const mode = fc.constantFrom<FieldMode>('hidden', 'masked', 'read', 'write-on-create', 'write');
const leaf = fc.oneof(
  fc.record({ field: fc.constantFrom('level'), eq: fc.constantFrom('VIP', 'A') }),
  fc.record({ field: fc.constantFrom('owner', '$owner'), eq: fc.constantFrom('$me', USERS[1]) }),
  fc.record({ field: fc.constant('$department'), eq: fc.constantFrom('$myDepartment', DEPTS[1]) }),
  fc.record({ field: fc.constant('level'), in: fc.constant(['VIP', 'B']) }),
);
const condition = fc.oneof(
  leaf,
  fc.record({ all: fc.array(leaf, { minLength: 1, maxLength: 2 }) }),
  fc.record({ any: fc.array(leaf, { minLength: 1, maxLength: 2 }) }),
  fc.record({ not: leaf }),
);
const scope = fc.oneof(fc.constantFrom('own', 'department', 'department-tree', 'all'), condition);
const grant = fc.record(
  {
    actions: fc.record(
      {
        view: fc.record({ scope }),
        edit: fc.record({ scope }),
        delete: fc.record({ scope }),
        reveal: fc.record({ scope, reason: fc.boolean() }),
        create: fc.constant({}),
      },
      { requiredKeys: ['view'] },
    ),
    fields: fc.record({ '*': mode, name: mode, phone: mode, level: mode }, { requiredKeys: [] }),
  },
  { requiredKeys: ['actions', 'fields'] },
);
const row = fc.record({
  owner: fc.integer({ min: 0, max: 2 }),
  department: fc.constantFrom<string | null>(DEPTS[0], DEPTS[1], null),
  level: fc.constantFrom<string | undefined>('VIP', 'A', 'B', undefined),
});

/** Nothing here is encrypted: a view that tried to decrypt would be a bug of its own. */
const noCrypto: FieldCrypto = {
  version: 1,
  suite: 'aes-256-gcm',
  lookupVersion: 1,
  lookup: () => undefined,
  lookupAny: () => [],
  encrypt: () => {
    throw new Error('unexpected encrypt');
  },
  decrypt: () => {
    throw new Error('unexpected decrypt');
  },
};

function formAccess(grants: unknown[], me: { departmentId: string | null; tree: string[] }): FormAccess {
  const groupGrants = grants.map((g, i) => ({ groupId: `g${i}`, groupName: `group${i}`, grant: g }));
  return {
    formId: '00000000-0000-4000-8000-0000000000f1',
    name: 'customers',
    description: '',
    version: 1,
    definition,
    fields,
    grants: groupGrants,
    ownerKey: 'owner',
    crypto: noCrypto,
    decision: decide({ me: { userId: USERS[0], departmentId: me.departmentId, departmentTree: me.tree }, grants: groupGrants, fields: policyFieldsOf(definition) }),
    subjectId: USERS[0],
    unsealing: new Set(),
    recordsVersion: '0',
  };
}

/** The decision evaluated for this one row, with no cache: what each DTO must say. */
function expected(form: FormAccess, r: RecordRow) {
  const d = form.decision;
  const facts = { ownerId: r.owner_id, departmentId: r.department_id, values: r.values };
  const modes = modesOn(d, facts);
  const values: Record<string, unknown> = {};
  const shown: Record<string, FieldMode> = {};
  const revealable: { field: string; reasonRequired: boolean }[] = [];
  for (const f of form.fields) {
    const m = modes[f.key];
    if (m === 'hidden' || m === 'write-on-create') continue;
    shown[f.key] = m;
    if (f.key === 'owner') {
      values[f.key] = m === 'masked' ? maskValue(r.owner_name, effectiveMaskRule(f.schema['x-mask'])) : r.owner_id;
      const reveal = m === 'masked' ? revealOn(d, facts, f.key) : undefined;
      if (reveal?.allowed) revealable.push({ field: f.key, reasonRequired: reveal.reasonRequired });
      continue;
    }
    if (r.values[f.key] === undefined) continue;
    if (m === 'masked') {
      values[f.key] = maskValue(r.values[f.key], effectiveMaskRule(f.schema['x-mask']));
      const reveal = revealOn(d, facts, f.key);
      if (reveal.allowed) revealable.push({ field: f.key, reasonRequired: reveal.reasonRequired });
    } else values[f.key] = r.values[f.key];
  }
  return { values, modes: shown, revealable, can: actionsOnRow(d, facts) };
}

describe('record-view per-page policy cache', () => {
  it('gives every row exactly the modes, values, actions and reveal rights the decision gives it alone', () => {
    fc.assert(
      fc.property(
        fc.array(grant, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<{ departmentId: string | null; tree: string[] }>(
          { departmentId: DEPTS[0], tree: DEPTS },
          { departmentId: DEPTS[1], tree: [DEPTS[1]] },
          { departmentId: null, tree: [] },
        ),
        fc.array(row, { minLength: 1, maxLength: 12 }),
        (grants, me, rows) => {
          const form = formAccess(grants, me);
          const view = recordView(form);
          rows.forEach((g, i) => {
            const r: RecordRow = {
              id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
              form_id: form.formId,
              form_version: 1,
              values: { name: `张三${i}`, phone: `1381234${String(5678 + i).padStart(4, '0')}`, ...(g.level === undefined ? {} : { level: g.level }) },
              owner_id: USERS[g.owner],
              owner_name: `王${g.owner}`,
              department_id: g.department,
              version: 1,
              created_at: new Date(0),
              updated_at: new Date(0),
            };
            const dto = view.toDTO(r);
            expect({ values: dto.values, modes: dto.modes, revealable: dto.revealable, can: dto.can }).toEqual(expected(form, r));
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
