/**
 * Every question the tests ask about one caller on one form, answered twice: by the policy
 * core (lib/policy/decide.ts) and by the reference evaluator, in the same shape so that one
 * `toEqual` compares them. Also the "no wider" order between two answer sets used by the
 * monotonicity and union properties.
 */
import {
  actionsOnRow,
  canSortBy,
  decide,
  mayAssign,
  modesOn,
  revealOn,
  searchableKeys,
  type Decision,
  type PolicyField,
} from '@/lib/policy/decide';
import { covers, type RowFacts, type ScopeContext } from '@/lib/policy/scope';
import { fieldModes, recordActions, scopedActions, type FieldMode, type RecordAction } from '@/lib/policy/vocabulary';
import { Reference, type RefDepartment, type RefField, type RefGrant, type RefRecord, type RefRecordAnswers, type RefUser } from './reference';

export interface Answers {
  allowed: Record<RecordAction, boolean>;
  from: Record<RecordAction, string[]>;
  onCreate: Record<string, FieldMode>;
  ceiling: Record<string, FieldMode>;
  searchable: string[];
  sortable: Record<string, boolean>;
  records: RefRecordAnswers[];
  /** Per candidate record-after-an-owner-change: inside the assign scope. */
  assign: boolean[];
}

export interface World {
  departments: readonly RefDepartment[];
  fields: readonly RefField[];
  grants: readonly RefGrant[];
}

/** The caller's department and every one below it, computed downwards (the reference walks upwards). */
export function scopeContextOf(departments: readonly RefDepartment[], user: RefUser): ScopeContext {
  const tree: string[] = [];
  if (user.departmentId !== null) {
    const queue = [user.departmentId];
    while (queue.length) {
      const d = queue.shift()!;
      if (tree.includes(d)) continue;
      tree.push(d);
      queue.push(...departments.filter((x) => x.parentId === d).map((x) => x.id));
    }
  }
  return { userId: user.id, departmentId: user.departmentId, departmentTree: tree };
}

export const policyFields = (fields: readonly RefField[]): PolicyField[] => fields.map(({ key, encrypted, owner }) => ({ key, encrypted, owner }));

/** The policy core's decision for `user`: the grants of the user's groups, with their group ids. */
export function decisionFor(world: World, user: RefUser): Decision {
  return decide({
    me: scopeContextOf(world.departments, user),
    grants: world.grants.filter((g) => user.groups.includes(g.groupId)).map((g) => ({ groupId: g.groupId, groupName: g.groupId, grant: g.grant })),
    fields: policyFields(world.fields),
  });
}

const sorted = (xs: string[]) => [...xs].sort();
const row = (r: RefRecord): RowFacts => ({ ownerId: r.ownerId, departmentId: r.departmentId, values: r.values });

export function coreAnswers(d: Decision, records: readonly RefRecord[], afters: readonly RefRecord[]): Answers {
  const allowed = {} as Record<RecordAction, boolean>;
  const from = {} as Record<RecordAction, string[]>;
  for (const a of recordActions) {
    allowed[a] = d.actions[a].allowed;
    from[a] = sorted(d.actions[a].from.map((g) => g.groupId));
  }
  return {
    allowed,
    from,
    onCreate: { ...d.onCreate },
    ceiling: { ...d.ceiling },
    searchable: sorted(searchableKeys(d)),
    sortable: Object.fromEntries(d.fields.map((f) => [f.key, canSortBy(d, f.key)])),
    records: records.map((r): RefRecordAnswers => {
      const facts = row(r);
      const reveal: RefRecordAnswers['reveal'] = {};
      const search: Record<string, boolean> = {};
      for (const f of d.fields) {
        const x = revealOn(d, facts, f.key);
        reveal[f.key] = { allowed: x.allowed, reasonRequired: x.allowed ? x.reasonRequired : true, from: sorted(x.from.map((g) => g.groupId)) };
        search[f.key] = covers(d.readScope[f.key], facts, d.me);
      }
      const inScope = Object.fromEntries(scopedActions.map((a) => [a, covers(d.actions[a].scope, facts, d.me)])) as RefRecordAnswers['inScope'];
      return { actions: actionsOnRow(d, facts), modes: modesOn(d, facts), reveal, search, inScope };
    }),
    assign: afters.map((a) => mayAssign(d, row(a))),
  };
}

export function referenceAnswers(ref: Reference, records: readonly RefRecord[], afters: readonly RefRecord[]): Answers {
  const allowed = {} as Record<RecordAction, boolean>;
  const from = {} as Record<RecordAction, string[]>;
  for (const a of recordActions) {
    allowed[a] = ref.allowed(a);
    from[a] = sorted(ref.from(a));
  }
  return {
    allowed,
    from,
    onCreate: ref.onCreate(),
    ceiling: ref.ceiling(),
    searchable: sorted(ref.searchable()),
    sortable: Object.fromEntries(ref.fields.map((f) => [f.key, ref.sortable(f.key)])),
    records: records.map((r) => {
      const a = ref.on(r);
      return { ...a, reveal: Object.fromEntries(Object.entries(a.reveal).map(([k, x]) => [k, { ...x, from: sorted(x.from) }])) };
    }),
    assign: afters.map((a) => ref.assignCovers(a)),
  };
}

export const referenceFor = (world: World, user: RefUser) => new Reference(world.departments, user, world.fields, world.grants);

/** Each record as it would be after giving it to each user (their department comes along). */
export const ownerChanges = (records: readonly RefRecord[], users: readonly RefUser[]): RefRecord[] =>
  records.flatMap((r) => users.map((u) => ({ ownerId: u.id, departmentId: u.departmentId, values: r.values })));

const rank = (m: FieldMode) => fieldModes.indexOf(m);

/**
 * How much of a field's plain value the caller can get on a record: 3 reads it, 2 reveals it
 * without a reason, 1 with one, 0 not at all. (Revealing is for masked values only, so a grant
 * that makes a field readable turns "may reveal" off; that is not narrower.)
 */
const plainAccess = (r: RefRecordAnswers, key: string): number =>
  rank(r.modes[key]) >= rank('read') ? 3 : r.reveal[key].allowed ? (r.reveal[key].reasonRequired ? 1 : 2) : 0;

/** Where `narrow` answers more than `wide` (empty when it never does). */
export function widenings(narrow: Answers, wide: Answers): string[] {
  const out: string[] = [];
  for (const a of recordActions) if (narrow.allowed[a] && !wide.allowed[a]) out.push(`allowed.${a}`);
  for (const k of Object.keys(narrow.onCreate)) {
    if (rank(narrow.onCreate[k]) > rank(wide.onCreate[k])) out.push(`onCreate.${k}: ${narrow.onCreate[k]} > ${wide.onCreate[k]}`);
    if (rank(narrow.ceiling[k]) > rank(wide.ceiling[k])) out.push(`ceiling.${k}: ${narrow.ceiling[k]} > ${wide.ceiling[k]}`);
  }
  for (const k of narrow.searchable) if (!wide.searchable.includes(k)) out.push(`searchable.${k}`);
  narrow.records.forEach((n, i) => {
    const w = wide.records[i];
    // `reveal` on a row is compared through plainAccess below.
    for (const a of recordActions) if (a !== 'reveal' && n.actions[a] && !w.actions[a]) out.push(`record ${i}: action ${a}`);
    for (const a of scopedActions) if (n.inScope[a] && !w.inScope[a]) out.push(`record ${i}: in ${a} scope`);
    for (const k of Object.keys(n.modes)) {
      if (rank(n.modes[k]) > rank(w.modes[k])) out.push(`record ${i}: mode ${k} ${n.modes[k]} > ${w.modes[k]}`);
      if (plainAccess(n, k) > plainAccess(w, k)) out.push(`record ${i}: plain access to ${k} ${plainAccess(n, k)} > ${plainAccess(w, k)}`);
      if (n.search[k] && !w.search[k]) out.push(`record ${i}: search matches ${k}`);
    }
  });
  narrow.assign.forEach((x, i) => {
    if (x && !wide.assign[i]) out.push(`assign candidate ${i}`);
  });
  return out;
}
