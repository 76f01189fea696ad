/**
 * The policy core against an independent reference evaluator (test/policy/reference.ts), on
 * generated worlds: random department trees, users in random groups, a form with plain,
 * encrypted and owner fields, one grant per group (conditions included, some invalid) and
 * records. Plus the properties the issue asks for: monotonicity, union, non-interference,
 * deny by default, and "an invalid grant is no grant".
 *
 * Pure (no database): test/integration/authorization-differential.test.ts compares the
 * operations, REST and the SQL compiler with the same reference.
 *
 * Fixed seed, so a failure replays; fast-check prints the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canSortBy, compileGrantScope, isValidGrant, modesOn, revealOn, revealScope, selectedKeys, type Decision } from '@/lib/policy/decide';
import { covers } from '@/lib/policy/scope';
import { fieldModes, recordActions, scopedActions, type FieldMode, type Grant, type GrantScope } from '@/lib/policy/vocabulary';
import { refIsValidGrant, type RefGrant, type RefRecord, type RefUser } from './reference';
import { invalidGrantArb, json, spoilerNames, spoilers, worldArb, worldGrantContext, type GenWorld } from './generators';
import { coreAnswers, decisionFor, ownerChanges, referenceAnswers, referenceFor, scopeContextOf, widenings, type Answers } from './answers';

const SEED = 20261202;
const RUNS = 1000;
const params = { seed: SEED, numRuns: RUNS };

const rank = (m: FieldMode) => fieldModes.indexOf(m);

const answersOf = (w: GenWorld, user: RefUser, grants: readonly RefGrant[] = w.grants): Answers => {
  const world = { ...w, grants };
  return coreAnswers(decisionFor(world, user), w.records, ownerChanges(w.records, w.users));
};

/** A world and one of its users. */
const worldAndUser = worldArb().chain((w) => fc.tuple(fc.constant(w), fc.constantFrom(...w.users)));
/** A world and one of its users, put into at least one group that has a grant (when there is one). */
const worldAndMember = worldAndUser.chain(([w, user]) => {
  const granted = w.grants.map((g) => g.groupId);
  if (granted.length === 0) return fc.constant([w, user] as const);
  return fc.subarray(granted, { minLength: 1 }).map((gs) => [w, { ...user, groups: [...new Set([...user.groups, ...gs])] }] as const);
});

describe('the policy core agrees with the reference evaluator', () => {
  it(`on ${RUNS} generated worlds: actions, modes, reveal, search, sort, assign, create, for every user and record`, () => {
    const seen = { pairs: 0, visible: 0, byCondition: 0, masked: 0, write: 0, revealable: 0, reasonWaived: 0, searchable: 0, editable: 0, assignable: 0, invalid: 0, broken: 0 };
    fc.assert(
      fc.property(worldArb(), (w) => {
        for (const user of w.users) {
          const d = decisionFor(w, user);
          const ref = referenceFor(w, user);
          const afters = ownerChanges(w.records, w.users);
          const core = coreAnswers(d, w.records, afters);
          const expected = referenceAnswers(ref, w.records, afters);
          expect(core).toEqual(expected);

          // Every grant scope, compiled by the core and run by its JS compiler, against the
          // reference reading the stored scope directly.
          const me = scopeContextOf(w.departments, user);
          const disagreements: string[] = [];
          for (const g of w.grants.filter((x) => user.groups.includes(x.groupId))) {
            if (isValidGrant(g.grant) !== refIsValidGrant(g.grant)) disagreements.push(`validity of ${JSON.stringify(g.grant)}`);
            if (!refIsValidGrant(g.grant)) {
              seen.invalid++;
              continue;
            }
            for (const a of scopedActions) {
              const rule = (g.grant.actions as Record<string, { scope: GrantScope } | undefined>)[a];
              if (!rule) continue;
              const { expr, problems } = compileGrantScope(rule.scope, d.fields, g.grant);
              if (problems.length) seen.broken++;
              for (const r of w.records) {
                if (covers(expr, r, me) !== ref.scopeHolds(g.grant, rule.scope, r)) disagreements.push(`${a} ${JSON.stringify(rule.scope)} on ${JSON.stringify(r)}`);
              }
            }
          }
          disagreements.push(...soundness(d, w.records));
          expect(disagreements).toEqual([]);
          tally(seen, core, w, user);
        }
      }),
      params,
    );
    // The generators must reach the interesting cases, or agreement would prove little.
    const pairs = seen.pairs;
    expect(pairs).toBeGreaterThan(RUNS * 2);
    for (const [k, n] of Object.entries(seen)) expect(n, `${k} seen ${n} times in ${pairs} user×record pairs`).toBeGreaterThan(k === 'reasonWaived' ? 20 : 100);
  });

  it('validates every spoiled grant as the reference does (and the schema refuses each way of spoiling)', () => {
    const w0 = { fields: [{ key: 's0', kind: 'string' as const, encrypted: false, owner: false, domain: ['x'] }] };
    const ctx = worldGrantContext(w0.fields, ['u0', 'u1'], ['d0']);
    fc.assert(
      fc.property(invalidGrantArb(ctx), (g) => {
        expect(refIsValidGrant(json(g))).toBe(false);
        expect(isValidGrant(json(g))).toBe(false);
      }),
      { ...params, numRuns: 300 },
    );
    // Each spoiler on its own, so none of them is never tried.
    for (const how of spoilerNames) expect(isValidGrant(json(spoilers[how]({ actions: { view: { scope: 'all' } }, fields: { '*': 'read' } }))), how).toBe(false);
  });
});

/** Consequences that must hold whatever the reference says (the violations, none expected). */
function soundness(d: Decision, records: readonly RefRecord[]): string[] {
  const out: string[] = [];
  const selected = selectedKeys(d);
  for (const [i, r] of records.entries()) {
    const modes = modesOn(d, r);
    const visible = covers(d.actions.view.scope, r, d.me);
    for (const f of d.fields) {
      const m = rank(modes[f.key]);
      // The FormView's ceiling is really the most any record shows, and what is shown is selected.
      if (m > rank(d.ceiling[f.key])) out.push(`record ${i}: ${f.key} ${modes[f.key]} above the ceiling ${d.ceiling[f.key]}`);
      if (m > 0 && !selected.includes(f.key)) out.push(`record ${i}: ${f.key} shown but not selected`);
      // revealScope is a bound for the query that fetches a value to reveal.
      if (revealOn(d, r, f.key).allowed && !covers(revealScope(d, f.key), r, d.me)) out.push(`record ${i}: ${f.key} revealable outside revealScope`);
      // A sortable field reads in plain on every visible record.
      if (canSortBy(d, f.key) && visible && m < rank('read')) out.push(`record ${i}: sorts by ${f.key}, which it shows ${modes[f.key]}`);
      // Search never matches ciphertext, nor where the value is not read in plain.
      if (covers(d.readScope[f.key], r, d.me) && (f.encrypted || m < rank('read'))) out.push(`record ${i}: search matches ${f.key} shown ${modes[f.key]}`);
    }
  }
  return out;
}

function tally(seen: Record<string, number>, a: Answers, w: GenWorld, user: RefUser) {
  const grants = w.grants.filter((g) => user.groups.includes(g.groupId) && refIsValidGrant(g.grant)).map((g) => g.grant as Grant);
  const conditionView = grants.some((g) => typeof g.actions.view?.scope === 'object');
  for (const r of a.records) {
    seen.pairs++;
    if (r.actions.view) seen.visible++;
    if (r.actions.view && conditionView) seen.byCondition++;
    if (r.actions.edit) seen.editable++;
    if (Object.values(r.modes).includes('masked')) seen.masked++;
    if (Object.values(r.modes).includes('write')) seen.write++;
    if (Object.values(r.reveal).some((x) => x.allowed)) seen.revealable++;
    if (Object.values(r.reveal).some((x) => x.allowed && !x.reasonRequired)) seen.reasonWaived++;
    if (Object.values(r.search).some(Boolean)) seen.searchable++;
  }
  if (a.assign.some(Boolean)) seen.assignable++;
}

// ------------------------------------------------------------------ properties

/** One way to take something away from a user's grants. */
type Narrowing =
  | { kind: 'dropGrant'; at: number }
  | { kind: 'dropAction'; at: number; action: string }
  | { kind: 'lowerMode'; at: number; field: number | null; to: FieldMode }
  | { kind: 'requireReason'; at: number }
  | { kind: 'narrowScope'; at: number; action: string; pick: number };

const narrower: Record<string, GrantScope[]> = { all: ['own', 'department', 'department-tree'], 'department-tree': ['department'], department: [], own: [] };

function narrow(grants: readonly RefGrant[], n: Narrowing, w: GenWorld): RefGrant[] | undefined {
  if (grants.length === 0) return undefined;
  const at = n.at % grants.length;
  if (n.kind === 'dropGrant') return grants.filter((_, i) => i !== at);
  // Editing an invalid grant may make it valid: only valid grants are narrowed in place.
  if (!refIsValidGrant(grants[at].grant)) return undefined;
  const g = json(grants[at].grant) as Grant;
  const actions = g.actions as Record<string, { scope?: GrantScope; reason?: boolean } | undefined>;
  if (n.kind === 'dropAction') {
    if (!actions[n.action]) return undefined;
    delete actions[n.action];
  } else if (n.kind === 'lowerMode') {
    const key = n.field === null ? '*' : w.fields[n.field % w.fields.length].key;
    const current = g.fields?.[key] ?? g.fields?.['*'] ?? 'hidden';
    if (rank(n.to) >= rank(current)) return undefined;
    g.fields = { ...g.fields, [key]: n.to };
  } else if (n.kind === 'requireReason') {
    if (!g.actions.reveal || g.actions.reveal.reason === true) return undefined;
    g.actions.reveal.reason = true;
  } else {
    const rule = actions[n.action];
    if (!rule?.scope) return undefined;
    if (typeof rule.scope === 'string') {
      const options = narrower[rule.scope];
      if (!options.length) return undefined;
      rule.scope = options[n.pick % options.length];
    } else {
      // And-ing in a comparison narrows (or breaks the scope, or makes it too deep: narrower still).
      rule.scope = { all: [rule.scope, { field: '$owner', eq: n.pick % 2 ? '$me' : 'u1' }] };
    }
  }
  return grants.map((x, i) => (i === at ? { groupId: x.groupId, grant: g } : x));
}

const narrowingArb: fc.Arbitrary<Narrowing> = fc.oneof(
  fc.record({ kind: fc.constant('dropGrant' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dropAction' as const), at: fc.nat(), action: fc.constantFrom(...recordActions) }),
  fc.record({ kind: fc.constant('lowerMode' as const), at: fc.nat(), field: fc.option(fc.nat()), to: fc.constantFrom(...fieldModes) }),
  fc.record({ kind: fc.constant('requireReason' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('narrowScope' as const), at: fc.nat(), action: fc.constantFrom(...scopedActions), pick: fc.nat() }),
);

describe('properties of the policy core', () => {
  it('monotonicity: taking away a grant, an action, a field mode, a waived reason or part of a scope never widens any answer', () => {
    let applied = 0;
    fc.assert(
      fc.property(worldAndMember, fc.array(narrowingArb, { minLength: 1, maxLength: 6 }), ([w, user], steps) => {
        let grants: RefGrant[] = w.grants.filter((g) => user.groups.includes(g.groupId));
        let before = answersOf(w, user, grants);
        for (const step of steps) {
          const next = narrow(grants, step, w);
          if (!next) continue;
          applied++;
          const after = answersOf(w, user, next);
          expect(widenings(after, before), JSON.stringify({ step, before: grants, after: next })).toEqual([]);
          // The reference sees the same narrowing the same way.
          expect(referenceAnswers(referenceFor({ ...w, grants: next }, user), w.records, ownerChanges(w.records, w.users))).toEqual(after);
          grants = next;
          before = after;
        }
      }),
      params,
    );
    expect(applied).toBeGreaterThan(RUNS);
  });

  it('union: the answers for groups A+B include those for A', () => {
    let strict = 0;
    fc.assert(
      fc.property(worldAndMember, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), ([w, user], inA) => {
        const groupsA = user.groups.filter((_, i) => inA[i % inA.length]);
        const a = answersOf(w, { ...user, groups: groupsA });
        const ab = answersOf(w, user);
        expect(widenings(a, ab)).toEqual([]);
        if (JSON.stringify(a) !== JSON.stringify(ab)) strict++;
      }),
      params,
    );
    expect(strict).toBeGreaterThan(RUNS / 10);
  });

  it('non-interference: a value the caller can neither read nor condition on (hidden to every grant, encrypted, or the stale owner copy) changes no answer about its record', () => {
    let checked = 0;
    fc.assert(
      fc.property(worldAndUser, fc.nat(), fc.nat(), fc.constantFrom<unknown>('x', 'y', 'u0', 0, 3, true, false, null, '$me'), ([w, user], ri, fi, value) => {
        const grants = w.grants.filter((g) => user.groups.includes(g.groupId) && refIsValidGrant(g.grant)).map((g) => g.grant as Grant);
        const f = w.fields[fi % w.fields.length];
        const unreadable = f.owner || f.encrypted || grants.every((g) => (g.fields?.[f.key] ?? g.fields?.['*'] ?? 'hidden') === 'hidden');
        fc.pre(unreadable);
        checked++;
        const r = w.records[ri % w.records.length];
        const changed: RefRecord = { ...r, values: { ...r.values, [f.key]: value } };
        const d = decisionFor(w, user);
        const one = (x: RefRecord) => coreAnswers(d, [x], []).records[0];
        expect(one(changed)).toEqual(one(r));
      }),
      params,
    );
    expect(checked).toBeGreaterThan(RUNS / 2);
  });

  it('deny by default: without grants (or without groups) nothing is allowed and every field is hidden', () => {
    fc.assert(
      fc.property(worldAndUser, fc.boolean(), ([w, user], noGroups) => {
        const a = noGroups ? answersOf(w, { ...user, groups: [] }) : answersOf(w, user, []);
        for (const action of recordActions) {
          expect(a.allowed[action]).toBe(false);
          expect(a.from[action]).toEqual([]);
        }
        const hidden = Object.fromEntries(w.fields.map((f) => [f.key, 'hidden']));
        expect(a.onCreate).toEqual(hidden);
        expect(a.ceiling).toEqual(hidden);
        expect(a.searchable).toEqual([]);
        expect(Object.values(a.sortable)).not.toContain(true);
        expect(a.assign).not.toContain(true);
        for (const r of a.records) {
          expect(Object.values(r.actions)).not.toContain(true);
          expect(Object.values(r.inScope)).not.toContain(true);
          expect(r.modes).toEqual(hidden);
          expect(Object.values(r.search)).not.toContain(true);
          expect(Object.values(r.reveal).map((x) => x.allowed)).not.toContain(true);
        }
      }),
      params,
    );
  });

  it('an invalid grant is no grant: adding spoiled grants in new groups of the user, or spoiling one of its grants, is the same as no grant there', () => {
    fc.assert(
      fc.property(
        worldAndUser.chain(([w, user]) => {
          const ctx = worldGrantContext(w.fields, w.users.map((u) => u.id), w.departments.map((d) => d.id));
          return fc.tuple(fc.constant(w), fc.constant(user), fc.array(invalidGrantArb(ctx), { minLength: 1, maxLength: 3 }), fc.nat());
        }),
        ([w, user, spoiled, at]) => {
          const extra = spoiled.map((grant, i) => ({ groupId: `gx${i}`, grant: json(grant) }));
          for (const x of extra) expect(isValidGrant(x.grant), JSON.stringify(x.grant)).toBe(false);
          const joined = { ...user, groups: [...user.groups, ...extra.map((x) => x.groupId)] };
          expect(answersOf(w, joined, [...w.grants, ...extra])).toEqual(answersOf(w, user));

          const mine = w.grants.filter((g) => user.groups.includes(g.groupId));
          if (mine.length === 0) return;
          const victim = mine[at % mine.length].groupId;
          const spoiledOne = mine.map((g) => (g.groupId === victim ? { groupId: victim, grant: extra[0].grant } : g));
          expect(answersOf(w, user, spoiledOne)).toEqual(answersOf(w, user, mine.filter((g) => g.groupId !== victim)));
        },
      ),
      params,
    );
  });
});
