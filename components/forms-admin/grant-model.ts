/**
 * The permission editor's edits, as pure functions on grants in the policy vocabulary
 * (lib/policy): what the matrices change when a cell is switched, and the condition
 * builder's flat form of a condition. No React here, so the rules are unit-tested.
 */
import {
  grantPresets,
  isScopedAction,
  isValidGrant,
  recordActions,
  type ConditionOperator,
  type FieldMode,
  type Grant,
  type GrantCondition,
  type GrantPreset,
  type GrantScope,
  type RecordAction,
} from '@/lib/policy';

/** A group's grant while it is edited; null is "no grant". Empty `actions` is saved as null. */
export type EditGrant = Grant | null;

/** Actions that show rows: without `view` they find nothing to act on (decide: writes need the row visible). */
const NEEDS_VIEW: readonly RecordAction[] = ['edit', 'delete', 'reveal', 'export', 'assign'];

type Rules = Record<string, { scope?: GrantScope; reason?: boolean } | undefined>;
const rules = (g: EditGrant): Rules => (g?.actions ?? {}) as Rules;

const clone = <T>(v: T): T => structuredClone(v);

/** The stored grant was written by an older version or by hand and fails the schema: the editor starts it over. */
export const editable = (stored: unknown): EditGrant => (stored !== null && isValidGrant(stored) ? clone(stored) : null);

export const hasAction = (g: EditGrant, a: RecordAction): boolean => Boolean(rules(g)[a]);
export const anyAction = (g: EditGrant): boolean => recordActions.some((a) => hasAction(g, a));
export const scopeOf = (g: EditGrant, a: RecordAction): GrantScope | undefined => rules(g)[a]?.scope;

/** What is saved: no action at all is no grant. */
export const toStored = (g: EditGrant): Grant | null => (g && anyAction(g) ? g : null);

export function setAction(g: EditGrant, a: RecordAction, on: boolean): EditGrant {
  const next: Grant = clone(g ?? { actions: {} });
  const actions = next.actions as Rules;
  if (!on) {
    delete actions[a];
    return next;
  }
  const scope: GrantScope = scopeOf(g, 'view') ?? 'own';
  actions[a] = isScopedAction(a) ? { scope: scopeOf(g, a) ?? scope } : {};
  if (NEEDS_VIEW.includes(a) && !actions.view) actions.view = { scope };
  // A first grant shows every field until the admin says otherwise: hidden everywhere grants nothing useful.
  if (!next.fields || Object.keys(next.fields).length === 0) next.fields = { '*': a === 'create' || a === 'edit' || a === 'import' ? 'write' : 'read' };
  return next;
}

export function setScope(g: EditGrant, a: RecordAction, scope: GrantScope): EditGrant {
  if (!g || !isScopedAction(a)) return g;
  const next = clone(g);
  const actions = next.actions as Rules;
  actions[a] = { ...actions[a], scope };
  return next;
}

export function setRevealReason(g: EditGrant, reason: boolean): EditGrant {
  if (!g?.actions.reveal) return g;
  const next = clone(g);
  if (reason) next.actions.reveal!.reason = true;
  else delete next.actions.reveal!.reason;
  return next;
}

/** A field's mode; undefined takes the "*" mode (for "*" itself: every unnamed field hidden). */
export function setMode(g: EditGrant, key: string, mode: FieldMode | undefined): EditGrant {
  const next: Grant = clone(g ?? { actions: {} });
  const fields = { ...next.fields };
  if (mode) fields[key] = mode;
  else delete fields[key];
  // No modes at all is the same grant as no `fields`: saving it back must be no change.
  if (Object.keys(fields).length) next.fields = fields;
  else delete next.fields;
  return next;
}

/** The mode a field has in this grant: named, else "*", else hidden (decide's grantMode). */
export function modeIn(g: EditGrant, key: string): FieldMode {
  const f = g?.fields ?? {};
  return (Object.prototype.hasOwnProperty.call(f, key) ? f[key] : f['*']) ?? 'hidden';
}

export const namesField = (g: EditGrant, key: string): boolean => Object.prototype.hasOwnProperty.call(g?.fields ?? {}, key);

export const fromPreset = (p: GrantPreset): Grant => clone(grantPresets[p]) as Grant;

/** Names a view dependency the admin should know about: an action that needs view, without view. */
export const missingView = (g: EditGrant, a: RecordAction): boolean => NEEDS_VIEW.includes(a) && hasAction(g, a) && !hasAction(g, 'view');

// ---------------------------------------------------------------------------------------------
// The condition builder: all / any of comparisons. Deeper conditions are edited as JSON.

export type Literal = string | number | boolean;
export type CondValue = { kind: 'literal'; value: Literal | Literal[] | undefined } | { kind: 'me' } | { kind: 'myDepartment' };
export interface CondRow {
  field: string;
  op: ConditionOperator;
  value: CondValue;
}
export interface FlatCondition {
  join: 'all' | 'any';
  rows: CondRow[];
}

const dynamic = (v: unknown): CondValue | undefined => (v === '$me' ? { kind: 'me' } : v === '$myDepartment' ? { kind: 'myDepartment' } : undefined);

function rowOf(c: GrantCondition): CondRow | undefined {
  if ('all' in c || 'any' in c || 'not' in c) return undefined;
  const entry = Object.entries(c).find(([k]) => k !== 'field');
  if (!entry) return undefined;
  const [op, v] = entry as [ConditionOperator, Literal | Literal[]];
  if (op === 'in') return Array.isArray(v) && v.every((x) => dynamic(x) === undefined) ? { field: c.field, op, value: { kind: 'literal', value: v } } : undefined;
  return { field: c.field, op, value: dynamic(v) ?? { kind: 'literal', value: v } };
}

/** The builder's form of a condition, or undefined when it is deeper than all/any of comparisons. */
export function flatten(c: GrantCondition): FlatCondition | undefined {
  const items = 'all' in c ? c.all : 'any' in c ? c.any : [c];
  const rows = items.map(rowOf);
  if (rows.some((r) => r === undefined)) return undefined;
  return { join: 'any' in c ? 'any' : 'all', rows: rows as CondRow[] };
}

const valueOf = (v: CondValue): Literal | Literal[] | undefined => (v.kind === 'me' ? '$me' : v.kind === 'myDepartment' ? '$myDepartment' : v.value);

/** Whether a row is complete enough to save (the schema and grantProblems check the rest). */
export function rowComplete(r: CondRow): boolean {
  if (!r.field) return false;
  const v = valueOf(r.value);
  if (r.op === 'in') return Array.isArray(v) && v.length > 0;
  if (Array.isArray(v) || v === undefined) return false;
  return typeof v !== 'string' || v.length > 0;
}

export function unflatten(f: FlatCondition): GrantCondition {
  const items = f.rows.map((r) => ({ field: r.field, [r.op]: valueOf(r.value) }) as GrantCondition);
  return f.join === 'any' ? { any: items } : { all: items };
}
