import { describe, expect, it } from 'vitest';
import { allowedActions, decide, isValidGrant, recordActions, rowScopes, scopeCovers } from './grants';

const me = { userId: 'u1', departmentId: 'd1' };
const mine = { ownerId: 'u1', departmentId: 'd1' };
const colleagues = { ownerId: 'u2', departmentId: 'd1' };
const strangers = { ownerId: 'u3', departmentId: 'd2' };

describe('decide', () => {
  it('denies with no grant at all', () => {
    for (const action of recordActions) expect(decide([], action).allowed).toBe(false);
  });

  it('denies an unknown action even when a grant mentions it', () => {
    expect(decide([{ actions: { view: { scope: 'all' } } }], 'purge').allowed).toBe(false);
  });

  it('treats a grant with an unknown scope or flag as no grant', () => {
    expect(decide([{ actions: { view: { scope: 'everyone' } } }], 'view').allowed).toBe(false);
    expect(decide([{ actions: { view: { scope: 'all', sudo: true } } }], 'view').allowed).toBe(false);
    expect(decide([{ actions: { view: { scope: 'all' }, teleport: {} } }], 'view').allowed).toBe(false);
    expect(isValidGrant({ actions: {}, extra: 1 })).toBe(false);
  });

  // The table is generated from the registry of actions and scopes, not hand-picked.
  for (const action of recordActions.filter((a) => a !== 'create')) {
    for (const scope of rowScopes) {
      it(`${action} with scope ${scope} covers exactly the matching rows`, () => {
        const d = decide([{ actions: { [action]: { scope } } }], action);
        expect(d.allowed).toBe(true);
        if (!d.allowed) return;
        expect(scopeCovers(d.scope, mine, me)).toBe(true);
        expect(scopeCovers(d.scope, colleagues, me)).toBe(scope !== 'own');
        expect(scopeCovers(d.scope, strangers, me)).toBe(scope === 'all');
        for (const other of recordActions.filter((a) => a !== action)) {
          expect(decide([{ actions: { [action]: { scope } } }], other).allowed).toBe(false);
        }
      });
    }
  }

  it('unions scopes across groups, most open wins', () => {
    const d = decide([{ actions: { view: { scope: 'own' } } }, { actions: { view: { scope: 'department' } } }], 'view');
    expect(d).toEqual({ allowed: true, scope: { kind: 'some', own: true, department: true } });
    const all = decide([{ actions: { view: { scope: 'own' } } }, { actions: { view: { scope: 'all' } } }], 'view');
    expect(all).toEqual({ allowed: true, scope: { kind: 'all' } });
  });

  it('a user without a department sees no department rows', () => {
    const d = decide([{ actions: { view: { scope: 'department' } } }], 'view');
    if (!d.allowed) throw new Error('expected allowed');
    expect(scopeCovers(d.scope, { ownerId: 'x', departmentId: null }, { userId: 'u1', departmentId: null })).toBe(false);
  });

  it('create needs its own grant', () => {
    expect(decide([{ actions: { view: { scope: 'all' } } }], 'create').allowed).toBe(false);
    expect(decide([{ actions: { create: {} } }], 'create').allowed).toBe(true);
  });

  it('allowedActions decides each action per row', () => {
    const grants = [{ actions: { view: { scope: 'all' }, edit: { scope: 'own' } } }];
    expect(allowedActions(grants, mine, me)).toEqual({ view: true, create: false, edit: true, delete: false });
    expect(allowedActions(grants, strangers, me)).toEqual({ view: true, create: false, edit: false, delete: false });
  });
});
