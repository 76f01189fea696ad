/**
 * The policy core: the caller's grants on one form (with the groups that hold them) and the
 * form's fields in, one Decision out. Every record operation, the view layer, explain and
 * view-as read this decision; nothing else evaluates grants.
 *
 * Deny by default: no grant, a grant that fails the schema, an unknown action, scope, mode or
 * flag, a condition on a field that is unknown, encrypted or hidden to the grant: all grant
 * nothing. The union across groups is per grant: a field's mode on a record is the most open
 * mode among the grants whose view scope covers that record, so a group that sees its own
 * records in plain and all records masked sees other people's records masked.
 *
 * Pure: no I/O.
 */
import { createAjv } from '@/lib/forms/ajv';
import {
  fieldModes,
  grantSchema,
  isScopedAction,
  MAX_CONDITION_DEPTH,
  modeRank,
  recordActions,
  scopedActions,
  type FieldMode,
  type Grant,
  type GrantCondition,
  type GrantScope,
  type RecordAction,
  type ScopedAction,
} from './vocabulary';
import { and, covers, FALSE, not, or, TRUE, type Operand, type RowFacts, type ScopeContext, type ScopeExpr, type ScopeTarget } from './scope';

/** A form field as policy needs it. */
export interface PolicyField {
  key: string;
  encrypted: boolean;
  /** The field that holds the record's owner (stored in the owner column). */
  owner: boolean;
}

/** One group's grant on the form, as stored (validated here). */
export interface GroupGrant {
  groupId: string;
  groupName: string;
  grant: unknown;
}

export interface GrantRef {
  groupId: string;
  groupName: string;
}

/** One valid grant, its scopes compiled for this form. */
export interface EffectiveGrant {
  ref: GrantRef;
  /** Scopes of the scoped actions it allows; `view` included when granted. */
  scopes: Partial<Record<ScopedAction, ScopeExpr>>;
  allows: ReadonlySet<RecordAction>;
  /** The mode this grant gives each form field. */
  modes: Readonly<Record<string, FieldMode>>;
  revealNeedsReason: boolean;
}

export interface ActionDecision {
  allowed: boolean;
  /** Rows the action covers (the union over grants); `true` for create/import when allowed. */
  scope: ScopeExpr;
  from: GrantRef[];
}

export interface Decision {
  me: ScopeContext;
  fields: readonly PolicyField[];
  grants: readonly EffectiveGrant[];
  actions: Readonly<Record<RecordAction, ActionDecision>>;
  /** The most a field can be on any visible record: what the FormView shows, and what is selected. */
  ceiling: Readonly<Record<string, FieldMode>>;
  /** Modes on a new record (create and import). */
  onCreate: Readonly<Record<string, FieldMode>>;
  /** Per field, the records where it reads in plain: search may match it only there. */
  readScope: Readonly<Record<string, ScopeExpr>>;
}

const validateGrant = createAjv().compile<Grant>(grantSchema as object);

export function isValidGrant(value: unknown): value is Grant {
  return validateGrant(value) && conditionsWithinDepth(value);
}
export const grantSchemaErrors = (value: unknown) => (validateGrant(value) ? [] : (validateGrant.errors ?? []));

function depthOf(c: GrantCondition): number {
  if ('all' in c) return 1 + Math.max(...c.all.map(depthOf));
  if ('any' in c) return 1 + Math.max(...c.any.map(depthOf));
  if ('not' in c) return 1 + depthOf(c.not);
  return 0;
}
function conditionsWithinDepth(g: Grant): boolean {
  return Object.values(g.actions).every((a) => {
    const s = (a as { scope?: GrantScope } | undefined)?.scope;
    return s === undefined || typeof s === 'string' || depthOf(s) <= MAX_CONDITION_DEPTH;
  });
}

/** The mode a valid grant gives a field: named, else "*", else hidden. */
export function grantMode(grant: Grant, key: string): FieldMode {
  const named = grant.fields && Object.prototype.hasOwnProperty.call(grant.fields, key) ? grant.fields[key] : undefined;
  const mode = named ?? grant.fields?.['*'];
  return mode && (fieldModes as readonly string[]).includes(mode) ? mode : 'hidden';
}

const operand = (v: string | number | boolean): Operand =>
  v === '$me' ? { dynamic: 'me' } : v === '$myDepartment' ? { dynamic: 'myDepartment' } : { literal: v };

/** Why a condition cannot be compiled for this form, or undefined when it can. */
export type ConditionProblem = { code: 'unknownField' | 'encryptedField' | 'hiddenField'; field: string };

function conditionTarget(field: string, fields: readonly PolicyField[], grant: Grant): ScopeTarget | ConditionProblem {
  if (field === '$owner') return { column: 'owner' };
  if (field === '$department') return { column: 'department' };
  const f = fields.find((x) => x.key === field);
  if (!f) return { code: 'unknownField', field };
  // A condition on a value the group cannot read would answer questions about it (a
  // record that appears or not tells its value): the same oracle as a search.
  if (grantMode(grant, field) === 'hidden') return { code: 'hiddenField', field };
  if (f.owner) return { column: 'owner' };
  // Ciphertext cannot be compared in SQL, and a blind comparison would leak equality.
  if (f.encrypted) return { code: 'encryptedField', field };
  return { field };
}

/** A grant's scope as an expression, and what is wrong with it for this form. */
export function compileGrantScope(scope: GrantScope, fields: readonly PolicyField[], grant: Grant): { expr: ScopeExpr; problems: ConditionProblem[] } {
  const problems: ConditionProblem[] = [];
  const walk = (c: GrantScope): ScopeExpr => {
    if (c === 'own') return { t: 'owner' };
    if (c === 'department') return { t: 'department', tree: false };
    if (c === 'department-tree') return { t: 'department', tree: true };
    if (c === 'all') return TRUE;
    if (typeof c === 'string') return FALSE; // unknown names deny (the schema refuses them first)
    if ('all' in c) return and(c.all.map(walk));
    if ('any' in c) return or(c.any.map(walk));
    if ('not' in c) return not(walk(c.not));
    const target = conditionTarget(c.field, fields, grant);
    if ('code' in target) {
      problems.push(target);
      return FALSE;
    }
    if (c.in !== undefined) return { t: 'in', target, values: c.in.map(operand) };
    for (const op of ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const) {
      const v = c[op];
      if (v !== undefined) return { t: 'cmp', target, op, value: operand(v) };
    }
    return FALSE;
  };
  const expr = walk(scope);
  // A condition that cannot be evaluated as written grants nothing at all, not "nothing
  // in that branch": under a `not`, a branch forced to false would widen the scope.
  return problems.length ? { expr: FALSE, problems } : { expr, problems };
}

function effectiveGrant(g: GroupGrant, fields: readonly PolicyField[]): EffectiveGrant | undefined {
  if (!isValidGrant(g.grant)) return undefined; // a malformed grant grants nothing
  const grant = g.grant;
  const scopes: Partial<Record<ScopedAction, ScopeExpr>> = {};
  const allows = new Set<RecordAction>();
  for (const action of recordActions) {
    const rule = (grant.actions as Record<string, { scope?: GrantScope } | undefined>)[action];
    if (!rule) continue;
    if (isScopedAction(action)) {
      const { expr } = compileGrantScope(rule.scope as GrantScope, fields, grant);
      if (expr.t === 'false') continue;
      scopes[action] = expr;
    }
    allows.add(action);
  }
  const modes = Object.fromEntries(fields.map((f) => [f.key, grantMode(grant, f.key)]));
  return { ref: { groupId: g.groupId, groupName: g.groupName }, scopes, allows, modes, revealNeedsReason: grant.actions.reveal?.reason === true };
}

const maxMode = (a: FieldMode, b: FieldMode): FieldMode => (modeRank(a) >= modeRank(b) ? a : b);

/** The mode a grant shows on an existing record it lets the caller see (write only where it also edits). */
function shownMode(mode: FieldMode, editsRow: boolean): FieldMode {
  if (mode === 'write') return editsRow ? 'write' : 'read';
  return mode === 'write-on-create' ? 'read' : mode;
}

export function decide(input: { me: ScopeContext; grants: readonly GroupGrant[]; fields: readonly PolicyField[] }): Decision {
  const { me, fields } = input;
  const grants = input.grants.map((g) => effectiveGrant(g, fields)).filter((g): g is EffectiveGrant => g !== undefined);
  const actions = {} as Record<RecordAction, ActionDecision>;
  for (const action of recordActions) {
    const from = grants.filter((g) => g.allows.has(action));
    const scope = isScopedAction(action) ? or(from.map((g) => g.scopes[action]!)) : from.length ? TRUE : FALSE;
    actions[action] = { allowed: from.length > 0 && scope.t !== 'false', scope, from: from.map((g) => g.ref) };
  }
  const viewers = grants.filter((g) => g.scopes.view);
  const creators = grants.filter((g) => g.allows.has('create') || g.allows.has('import'));
  const ceiling: Record<string, FieldMode> = {};
  const onCreate: Record<string, FieldMode> = {};
  const readScope: Record<string, ScopeExpr> = {};
  for (const f of fields) {
    ceiling[f.key] = viewers.reduce<FieldMode>((m, g) => maxMode(m, shownMode(g.modes[f.key], Boolean(g.scopes.edit))), 'hidden');
    onCreate[f.key] = creators.reduce<FieldMode>((m, g) => maxMode(m, g.modes[f.key]), 'hidden');
    readScope[f.key] = f.encrypted ? FALSE : or(viewers.filter((g) => modeRank(g.modes[f.key]) >= modeRank('read')).map((g) => g.scopes.view!));
  }
  return { me, fields, grants, actions, ceiling, onCreate, readScope };
}

/** The field modes on one record in hand (hidden for every field when the caller cannot see it). */
export function modesOn(d: Decision, row: RowFacts): Record<string, FieldMode> {
  const out: Record<string, FieldMode> = {};
  for (const f of d.fields) out[f.key] = 'hidden';
  for (const g of d.grants) {
    if (!g.scopes.view || !covers(g.scopes.view, row, d.me)) continue;
    const edits = g.scopes.edit !== undefined && covers(g.scopes.edit, row, d.me);
    for (const f of d.fields) out[f.key] = maxMode(out[f.key], shownMode(g.modes[f.key], edits));
  }
  return out;
}

/** Which actions the caller may take on one record in hand. Writes need the record to be visible too. */
export function actionsOnRow(d: Decision, row: RowFacts): Record<RecordAction, boolean> {
  const visible = covers(d.actions.view.scope, row, d.me);
  const out = {} as Record<RecordAction, boolean>;
  for (const action of recordActions) {
    const a = d.actions[action];
    out[action] = isScopedAction(action) ? visible && a.allowed && covers(a.scope, row, d.me) : a.allowed;
  }
  out.reveal = out.reveal && d.fields.some((f) => revealOn(d, row, f.key).allowed);
  return out;
}

export interface RevealDecision {
  allowed: boolean;
  reasonRequired: boolean;
  from: GrantRef[];
}

/**
 * Whether one field of one record may be shown in plain on request: a grant that sees the
 * record, may reveal on it and shows the field at least masked, while the caller's mode on
 * the record is exactly masked (hidden stays hidden; read needs no reveal). The reason is
 * required unless one of those grants waives it (most open wins).
 */
export function revealOn(d: Decision, row: RowFacts, key: string): RevealDecision {
  const none: RevealDecision = { allowed: false, reasonRequired: true, from: [] };
  if (!d.fields.some((f) => f.key === key) || modesOn(d, row)[key] !== 'masked') return none;
  const from = d.grants.filter(
    (g) =>
      g.scopes.reveal && g.scopes.view && modeRank(g.modes[key]) >= modeRank('masked') && covers(g.scopes.view, row, d.me) && covers(g.scopes.reveal, row, d.me),
  );
  if (!from.length) return none;
  return { allowed: true, reasonRequired: from.every((g) => g.revealNeedsReason), from: from.map((g) => g.ref) };
}

/** The records on which `key` may be revealed: a query bound for reveal (checked again on the row). */
export function revealScope(d: Decision, key: string): ScopeExpr {
  return or(
    d.grants
      .filter((g) => g.scopes.reveal && g.scopes.view && modeRank(g.modes[key] ?? 'hidden') >= modeRank('masked'))
      .map((g) => and([g.scopes.view!, g.scopes.reveal!])),
  );
}

/**
 * Sorting by a field orders records by its value: on a record where the field is masked or
 * hidden that order is an oracle for the value. So a field sorts only when every grant that
 * shows records reads it in plain (and it is not encrypted).
 */
export function canSortBy(d: Decision, key: string): boolean {
  const f = d.fields.find((x) => x.key === key);
  if (!f || f.encrypted || f.owner) return false;
  const viewers = d.grants.filter((g) => g.scopes.view);
  return viewers.length > 0 && viewers.every((g) => modeRank(g.modes[key]) >= modeRank('read'));
}

/**
 * The records on which `key` shows at least masked: where an exact lookup on an encrypted field
 * may match (the caller sees that the record holds a value there, and finding it by the whole
 * value tells nothing the masked value plus a guess would not).
 */
export function shownScope(d: Decision, key: string): ScopeExpr {
  return or(d.grants.filter((g) => g.scopes.view && modeRank(g.modes[key] ?? 'hidden') >= modeRank('masked')).map((g) => g.scopes.view!));
}

/** Fields a caller may search in: those it reads in plain on at least some records. */
export const searchableKeys = (d: Decision): string[] => d.fields.filter((f) => !f.encrypted && !f.owner && d.readScope[f.key].t !== 'false').map((f) => f.key);

/** Fields whose values a read must select: everything shown at least masked somewhere. */
export const selectedKeys = (d: Decision): string[] => d.fields.filter((f) => d.ceiling[f.key] !== 'hidden').map((f) => f.key);

/** Whether the caller may write `key` on a new record. */
export const writableOnCreate = (d: Decision, key: string): boolean => d.onCreate[key] === 'write' || d.onCreate[key] === 'write-on-create';

/**
 * Whether a record with this owner and department falls inside the caller's assign scope,
 * as the record would be after the change.
 */
export function mayAssign(d: Decision, after: RowFacts): boolean {
  return d.actions.assign.allowed && covers(d.actions.assign.scope, after, d.me);
}

export { scopedActions };
