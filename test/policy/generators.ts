/**
 * fast-check arbitraries for permission worlds: department trees, users, groups and their
 * memberships, a form, one grant per group (valid or not) and records. Value domains are small
 * on purpose so that conditions hit: a random string rarely equals a random literal, "x" often
 * equals "x".
 *
 * Ids are placeholders ('d0', 'u1', 'g2'); the database tests map them to real ids (every
 * string equal to a placeholder, in grants and values alike, see `renameIds`).
 */
import fc from 'fast-check';
import {
  fieldModes,
  MAX_CONDITION_DEPTH,
  rowScopes,
  type FieldCondition,
  type FieldMode,
  type Grant,
  type GrantCondition,
  type GrantScope,
} from '@/lib/policy/vocabulary';
import type { RefDepartment, RefField, RefGrant, RefRecord, RefUser } from './reference';

export type Literal = string | number | boolean;
export type FieldKind = 'string' | 'number' | 'boolean' | 'owner';

export interface GenField extends RefField {
  kind: FieldKind;
  /** The values records take (owner: the user ids). */
  domain: readonly Literal[];
}

export interface GenWorld {
  departments: RefDepartment[];
  groups: string[];
  users: RefUser[];
  fields: GenField[];
  /** At most one grant per group on the form, as stored (possibly invalid). */
  grants: RefGrant[];
  records: RefRecord[];
}

// ------------------------------------------------------------------------------ grants

/** What a grant generator needs to know about its form. */
export interface GrantContext {
  /** Keys the grant's field modes may name (besides "*"). */
  modeKey: fc.Arbitrary<string>;
  /** One comparison of a condition. */
  comparison: fc.Arbitrary<FieldCondition>;
  /** More conditions to try as scopes (e.g. ones at the schema's size limits). */
  moreConditions?: fc.Arbitrary<GrantCondition>;
}

const mode = fc.constantFrom<FieldMode>(...fieldModes);
const rowScope = fc.constantFrom(...rowScopes);

/** A condition of at most `depth` levels of all/any/not. */
export function conditionArb(comparison: fc.Arbitrary<FieldCondition>, depth: number): fc.Arbitrary<GrantCondition> {
  if (depth <= 0) return comparison;
  const inner = conditionArb(comparison, depth - 1);
  return fc.oneof(
    { arbitrary: comparison, weight: 4 },
    { arbitrary: fc.array(inner, { minLength: 1, maxLength: 3 }).map((all): GrantCondition => ({ all })), weight: 1 },
    { arbitrary: fc.array(inner, { minLength: 1, maxLength: 3 }).map((any): GrantCondition => ({ any })), weight: 1 },
    { arbitrary: inner.map((c): GrantCondition => ({ not: c })), weight: 1 },
  );
}

export function scopeArb(ctx: GrantContext, depth = MAX_CONDITION_DEPTH): fc.Arbitrary<GrantScope> {
  const condition = conditionArb(ctx.comparison, depth);
  return fc.oneof(
    { arbitrary: rowScope, weight: 3 },
    { arbitrary: ctx.moreConditions ? fc.oneof(condition, ctx.moreConditions) : condition, weight: 2 },
  );
}

/** A grant the schema accepts, as its type says (the vocabulary test holds the type to the schema). */
export function validGrantArb(ctx: GrantContext): fc.Arbitrary<Grant> {
  const scope = scopeArb(ctx);
  const scoped = fc.record({ scope }, { noNullPrototype: true });
  const unscoped = fc.constant<Record<string, never>>({});
  const actions: fc.Arbitrary<Grant['actions']> = fc.record(
    {
      view: scoped,
      create: unscoped,
      edit: scoped,
      delete: scoped,
      reveal: fc.record({ scope, reason: fc.boolean() }, { requiredKeys: ['scope'], noNullPrototype: true }),
      export: scoped,
      import: unscoped,
      assign: scoped,
    },
    { requiredKeys: [], noNullPrototype: true },
  );
  const fields: fc.Arbitrary<Record<string, FieldMode>> = fc.dictionary(fc.oneof(fc.constant('*'), ctx.modeKey), mode, { maxKeys: 7, noNullPrototype: true });
  return fc.record({ actions, fields }, { requiredKeys: ['actions'], noNullPrototype: true });
}

/**
 * Ways to spoil a grant so the schema refuses it, each named (the tests show the policy core
 * treats every one as no grant at all). Applied to a valid grant.
 */
export const spoilers: Record<string, (g: Grant) => unknown> = {
  unknownScope: (g) => ({ ...g, actions: { ...g.actions, view: { scope: 'everyone' } } }),
  unknownAction: (g) => ({ ...g, actions: { ...g.actions, destroy: {} } }),
  unknownMode: (g) => ({ ...g, fields: { ...g.fields, '*': 'plain' } }),
  unknownTopLevel: (g) => ({ ...g, owner: 'root' }),
  unknownFlag: (g) => ({ ...g, actions: { ...g.actions, view: { scope: 'all', sudo: true } } }),
  scopedCreate: (g) => ({ ...g, actions: { ...g.actions, create: { scope: 'all' } } }),
  unscopedEdit: (g) => ({ ...g, actions: { ...g.actions, edit: {} } }),
  reasonNotBoolean: (g) => ({ ...g, actions: { ...g.actions, reveal: { scope: 'all', reason: 'yes' } } }),
  noOperator: (g) => ({ ...g, actions: { ...g.actions, view: { scope: { field: '$owner' } } } }),
  twoOperators: (g) => ({ ...g, actions: { ...g.actions, view: { scope: { field: '$owner', eq: '$me', ne: 'u0' } } } }),
  emptyIn: (g) => ({ ...g, actions: { ...g.actions, view: { scope: { field: '$owner', in: [] } } } }),
  emptyAny: (g) => ({ ...g, actions: { ...g.actions, view: { scope: { any: [] } } } }),
  orderingOnString: (g) => ({ ...g, actions: { ...g.actions, view: { scope: { field: '$owner', gt: 'u0' } } } }),
  objectLiteral: (g) => ({ ...g, actions: { ...g.actions, view: { scope: { field: '$owner', eq: { $me: true } } } } }),
  badFieldRef: (g) => ({ ...g, actions: { ...g.actions, view: { scope: { field: '1abc', eq: 1 } } } }),
  tooDeep: (g) => ({
    ...g,
    actions: { ...g.actions, view: { scope: { not: { not: { not: { not: { not: { field: '$owner', eq: '$me' } } } } } } } },
  }),
  badModeKey: (g) => ({ ...g, fields: { ...g.fields, 'bad-key': 'read' } }),
  actionsMissing: (g) => ({ fields: g.fields ?? { '*': 'read' } }),
  actionsArray: () => ({ actions: [{ view: { scope: 'all' } }], fields: { '*': 'write' } }),
  fieldsArray: (g) => ({ ...g, fields: ['read'] }),
  notAnObject: () => 'all',
  nothing: () => null,
  scopeAsList: (g) => ({ ...g, actions: { ...g.actions, view: { scope: ['own', 'all'] } } }),
  longLiteral: (g) => ({ ...g, actions: { ...g.actions, view: { scope: { field: '$owner', eq: 'u'.repeat(201) } } } }),
};
export const spoilerNames = Object.keys(spoilers);

export function invalidGrantArb(ctx: GrantContext): fc.Arbitrary<unknown> {
  return fc.tuple(validGrantArb(ctx), fc.constantFrom(...spoilerNames)).map(([g, how]) => spoilers[how](g));
}

// ------------------------------------------------------------------------------ worlds

const deptId = (i: number) => `d${i}`;
const userId = (i: number) => `u${i}`;
const groupId = (i: number) => `g${i}`;

/** 1–6 departments, each under an earlier one or at the top, at most three levels deep. */
export const departmentsArb: fc.Arbitrary<RefDepartment[]> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.array(fc.integer({ min: -1, max: n - 1 }), { minLength: n, maxLength: n }))
  .map((picks) => {
    const depth: number[] = [];
    const parents: (number | null)[] = [];
    picks.forEach((pick, i) => {
      let parent: number | null = pick >= 0 && pick < i ? pick : null;
      if (parent !== null && depth[parent] >= 3) parent = parents[parent];
      parents.push(parent);
      depth.push(parent === null ? 1 : depth[parent] + 1);
    });
    return parents.map((p, i) => ({ id: deptId(i), parentId: p === null ? null : deptId(p) }));
  });

const kinds = fc.constantFrom<FieldKind>('string', 'string', 'number', 'boolean');

/** 2–5 fields: strings (some encrypted), numbers, booleans, and an owner field or not. */
function fieldsArb(userIds: string[]): fc.Arbitrary<GenField[]> {
  return fc
    .tuple(fc.array(fc.tuple(kinds, fc.boolean()), { minLength: 1, maxLength: 4 }), fc.boolean(), fc.nat())
    .map(([specs, withOwner, ownerAt]) => {
      const fields: GenField[] = specs.map(([kind, enc], i) => {
        const key = `${kind[0]}${i}`;
        // A user id among the string values: a plain text field that holds a person's id
        // (conditions compare it with $me).
        const domain: Literal[] = kind === 'string' ? ['x', 'y', userIds[0]] : kind === 'number' ? [0, 1, 2, 3] : [true, false];
        return { key, kind, encrypted: kind === 'string' && enc, owner: false, domain };
      });
      if (withOwner || fields.length < 2) {
        fields.splice(ownerAt % (fields.length + 1), 0, { key: 'owner', kind: 'owner', encrypted: false, owner: true, domain: userIds });
      }
      return fields;
    });
}

/** Values a comparison on `target` may take: the domain, the dynamic values, other types. */
function operandPool(target: string, fields: readonly GenField[], userIds: string[], deptIds: string[]): Literal[] {
  const dynamic = ['$me', '$myDepartment'];
  if (target === '$owner') return [...userIds, ...dynamic, 'x'];
  if (target === '$department') return [...deptIds, ...dynamic, 0];
  const f = fields.find((x) => x.key === target);
  if (!f) return ['x', 1, true, ...dynamic];
  if (f.kind === 'owner') return [...userIds, ...dynamic];
  if (f.kind === 'number') return [...f.domain, '1', ...dynamic];
  if (f.kind === 'boolean') return [...f.domain, 'true', 0];
  return [...f.domain, ...dynamic, 1];
}

/** Comparisons on the form's fields, the owner and department columns, and unknown fields. */
export function comparisonArb(fields: readonly GenField[], userIds: string[], deptIds: string[]): fc.Arbitrary<FieldCondition> {
  const targets = [...fields.map((f) => f.key), '$owner', '$department', 'zz', 'constructor'];
  return fc.constantFrom(...targets).chain((field) => {
    const pool = fc.constantFrom(...operandPool(field, fields, userIds, deptIds));
    const number = fc.constantFrom(-1, 0, 1, 1.5, 2, 3, 4);
    return fc.oneof(
      { arbitrary: pool.map((eq): FieldCondition => ({ field, eq })), weight: 4 },
      { arbitrary: pool.map((ne): FieldCondition => ({ field, ne })), weight: 2 },
      { arbitrary: fc.uniqueArray(pool, { minLength: 1, maxLength: 3 }).map((values): FieldCondition => ({ field, in: values })), weight: 2 },
      { arbitrary: fc.tuple(fc.constantFrom('gt', 'gte', 'lt', 'lte'), number).map(([op, v]) => ({ field, [op]: v }) as FieldCondition), weight: 2 },
    );
  });
}

/** The grant generator's context for one world's form. */
export function worldGrantContext(fields: readonly GenField[], userIds: string[], deptIds: string[]): GrantContext {
  return { modeKey: fc.constantFrom(...fields.map((f) => f.key), 'zz'), comparison: comparisonArb(fields, userIds, deptIds) };
}

/** A grant as stored: mostly valid, sometimes spoiled. */
export function storedGrantArb(ctx: GrantContext): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: validGrantArb(ctx), weight: 9 }, { arbitrary: invalidGrantArb(ctx), weight: 1 });
}

/** A value a record holds for a field: usually from its domain, sometimes of another type, sometimes null. */
function valueArb(f: GenField): fc.Arbitrary<unknown> {
  const junk = f.kind === 'number' ? ['1', null, true] : f.kind === 'boolean' ? ['true', 1] : [1, null];
  return fc.oneof({ arbitrary: fc.constantFrom(...f.domain), weight: 8 }, { arbitrary: fc.constantFrom(...junk), weight: 1 });
}

export function recordArb(fields: readonly GenField[], users: readonly RefUser[]): fc.Arbitrary<RefRecord> {
  const valueArbs = fields.map((f) =>
    // The owner lives in the owner column; a stale copy in `values` must never count.
    f.owner ? fc.option(fc.constantFrom(...users.map((u) => u.id)), { freq: 4 }) : fc.option(valueArb(f), { freq: 5 }),
  );
  return fc.tuple(fc.constantFrom(...users), fc.tuple(...valueArbs)).map(([owner, vals]) => {
    const values: Record<string, unknown> = {};
    fields.forEach((f, i) => {
      if (vals[i] !== null) values[f.key] = vals[i];
    });
    // A record's department is its owner's.
    return { ownerId: owner.id, departmentId: owner.departmentId, values };
  });
}

export interface WorldSize {
  maxUsers: number;
  maxGroups: number;
  maxRecords: number;
}

/** A whole world: departments, groups, users in them, one form, its grants and records. */
export function worldArb(size: WorldSize = { maxUsers: 5, maxGroups: 4, maxRecords: 8 }): fc.Arbitrary<GenWorld> {
  return fc
    .tuple(departmentsArb, fc.integer({ min: 1, max: size.maxGroups }), fc.integer({ min: 1, max: size.maxUsers }))
    .chain(([departments, nGroups, nUsers]) => {
      const groups = Array.from({ length: nGroups }, (_, i) => groupId(i));
      const deptIds = departments.map((d) => d.id);
      const users = fc.tuple(
        ...Array.from({ length: nUsers }, (_, i) =>
          fc
            .tuple(fc.option(fc.constantFrom(...deptIds), { freq: 5 }), fc.subarray(groups))
            .map(([dept, gs]): RefUser => ({ id: userId(i), departmentId: dept, groups: gs })),
        ),
      );
      return fc.tuple(fc.constant(departments), fc.constant(groups), users);
    })
    .chain(([departments, groups, users]) => {
      const userIds = users.map((u) => u.id);
      return fieldsArb(userIds).chain((fields) => {
        const ctx = worldGrantContext(
          fields,
          userIds,
          departments.map((d) => d.id),
        );
        const grants = fc
          .tuple(...groups.map((g) => fc.option(storedGrantArb(ctx), { freq: 6 }).map((grant) => ({ groupId: g, grant }))))
          .map((gs) => gs.filter((g) => g.grant !== null));
        const records = fc.array(recordArb(fields, users), { minLength: 1, maxLength: size.maxRecords });
        return fc.tuple(grants, records).map(([gr, recs]): GenWorld => ({ departments, groups, users, fields, grants: json(gr), records: recs }));
      });
    });
}

/** What jsonb gives back: grants are read from the database, never JS objects with odd prototypes. */
export const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Every string equal to a placeholder id replaced by its real id (grants, values, users alike). */
export function renameIds<T>(v: T, ids: ReadonlyMap<string, string>): T {
  if (typeof v === 'string') return (ids.get(v) ?? v) as T;
  if (Array.isArray(v)) return v.map((x) => renameIds(x, ids)) as T;
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renameIds(x, ids)])) as T;
  return v;
}
