import { describe, expect, it } from 'vitest';
import { grantPresets, isValidGrant, type GrantCondition } from '@/lib/policy';
import { editable, flatten, modeIn, rowComplete, setAction, setMode, setRevealReason, setScope, toStored, unflatten } from './grant-model';

describe('the editor’s grant edits', () => {
  it('an action that shows rows brings view with it; a first action shows every field', () => {
    const g = setAction(null, 'export', true);
    expect(g).toEqual({ actions: { export: { scope: 'own' }, view: { scope: 'own' } }, fields: { '*': 'read' } });
    expect(isValidGrant(g)).toBe(true);
    expect(setAction(null, 'create', true)).toEqual({ actions: { create: {} }, fields: { '*': 'write' } });
  });

  it('no action left is no grant, and field modes follow "*" unless named', () => {
    const g = setMode(setAction(null, 'view', true), 'phone', 'masked');
    expect([modeIn(g, 'phone'), modeIn(g, 'name')]).toEqual(['masked', 'read']);
    expect(modeIn(setMode(g, 'phone', undefined), 'phone')).toBe('read');
    expect(toStored(setAction(g, 'view', false))).toBeNull();
  });

  it('scopes and the reveal reason are set on the action only', () => {
    let g = setAction(null, 'reveal', true);
    g = setRevealReason(setScope(g, 'reveal', 'department-tree'), true);
    expect(g?.actions.reveal).toEqual({ scope: 'department-tree', reason: true });
    expect(setRevealReason(g, false)?.actions.reveal).toEqual({ scope: 'department-tree' });
    expect(setScope(g, 'create', 'all')).toBe(g);
  });

  it('a stored grant that fails the schema starts over; a valid one is copied, not shared', () => {
    expect(editable({ actions: { view: { scope: 'everyone' } } })).toBeNull();
    const e = editable(grantPresets.manageOwn);
    expect(e).toEqual(grantPresets.manageOwn);
    expect(e).not.toBe(grantPresets.manageOwn);
  });
});

describe('the condition builder’s flat form', () => {
  it('round-trips all / any of comparisons with values and the caller', () => {
    const c: GrantCondition = { all: [{ field: 'level', eq: 'VIP' }, { field: '$owner', eq: '$me' }, { field: 'score', in: [1, 2] }] };
    const flat = flatten(c)!;
    expect(flat.rows.map((r) => r.value.kind)).toEqual(['literal', 'me', 'literal']);
    expect(unflatten(flat)).toEqual(c);
    expect(unflatten(flatten({ field: '$department', ne: '$myDepartment' })!)).toEqual({ all: [{ field: '$department', ne: '$myDepartment' }] });
  });

  it('leaves deeper conditions to JSON', () => {
    expect(flatten({ not: { field: 'level', eq: 'VIP' } })).toBeUndefined();
    expect(flatten({ any: [{ all: [{ field: 'level', eq: 'VIP' }] }] })).toBeUndefined();
  });

  it('an incomplete row is not saved', () => {
    expect(rowComplete({ field: '', op: 'eq', value: { kind: 'literal', value: 'x' } })).toBe(false);
    expect(rowComplete({ field: 'level', op: 'eq', value: { kind: 'literal', value: '' } })).toBe(false);
    expect(rowComplete({ field: 'level', op: 'in', value: { kind: 'literal', value: [] } })).toBe(false);
    expect(rowComplete({ field: '$owner', op: 'eq', value: { kind: 'me' } })).toBe(true);
    expect(rowComplete({ field: 'score', op: 'gt', value: { kind: 'literal', value: 0 } })).toBe(true);
  });
});
