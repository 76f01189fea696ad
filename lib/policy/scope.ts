/**
 * Scope expressions: which records an action covers, as a small tree that has exactly one
 * compiler per target: SQL (lib/records/scope-sql.ts) and the JS predicate below, tested
 * against each other on generated cases. Row-level security is a third, independent
 * evaluation in SQL (migrations), so a bug here cannot widen what PostgreSQL returns.
 *
 * Semantics (every compiler must follow them exactly; every atom is two-valued, so `not`
 * is classical negation and a missing value never becomes SQL's "unknown"):
 * - `owner`: the record's owner is the caller.
 * - `department`: the record's department is the caller's (`tree`: or one below it). A caller
 *   without a department matches no record.
 * - `cmp` on a column (`$owner`, `$department`): `eq` when the column equals the operand, `ne`
 *   its negation. An operand that resolves to nothing (`$myDepartment` without a department)
 *   makes `eq` false (so `ne` true).
 * - `cmp` on a field: `eq` when the stored JSON value equals the literal exactly (same JSON
 *   type and value; 1 and 1.0 are equal); `ne` its negation (a missing value is "not equal");
 *   gt/gte/lt/lte hold only when both sides are numbers.
 * - `in`: `eq` to any of the values.
 * Pure: no I/O.
 */
import type { ConditionOperator } from './vocabulary';

export type Operand = { literal: string | number | boolean } | { dynamic: 'me' | 'myDepartment' };
export type ScopeTarget = { column: 'owner' | 'department' } | { field: string };

export type ScopeExpr =
  | { t: 'true' }
  | { t: 'false' }
  | { t: 'owner' }
  | { t: 'department'; tree: boolean }
  | { t: 'cmp'; target: ScopeTarget; op: Exclude<ConditionOperator, 'in'>; value: Operand }
  | { t: 'in'; target: ScopeTarget; values: Operand[] }
  | { t: 'and'; items: ScopeExpr[] }
  | { t: 'or'; items: ScopeExpr[] }
  | { t: 'not'; item: ScopeExpr };

export const TRUE: ScopeExpr = { t: 'true' };
export const FALSE: ScopeExpr = { t: 'false' };

/** Who is asking, as scopes need it. `departmentTree` is the caller's department and every one below it. */
export interface ScopeContext {
  userId: string;
  departmentId: string | null;
  departmentTree: readonly string[];
}

/** A record as scopes see it: its owner, department and plain values. */
export interface RowFacts {
  ownerId: string;
  departmentId: string | null;
  values: Readonly<Record<string, unknown>>;
}

/** `or` with the obvious simplifications, so a union with `all` stays `true` (and its SQL trivial). */
export function or(items: ScopeExpr[]): ScopeExpr {
  const kept: ScopeExpr[] = [];
  for (const i of items) {
    if (i.t === 'true') return TRUE;
    if (i.t === 'false') continue;
    if (i.t === 'or') kept.push(...i.items);
    else kept.push(i);
  }
  return kept.length === 0 ? FALSE : kept.length === 1 ? kept[0] : { t: 'or', items: kept };
}

export function and(items: ScopeExpr[]): ScopeExpr {
  const kept: ScopeExpr[] = [];
  for (const i of items) {
    if (i.t === 'false') return FALSE;
    if (i.t === 'true') continue;
    if (i.t === 'and') kept.push(...i.items);
    else kept.push(i);
  }
  return kept.length === 0 ? TRUE : kept.length === 1 ? kept[0] : { t: 'and', items: kept };
}

export const not = (item: ScopeExpr): ScopeExpr => (item.t === 'true' ? FALSE : item.t === 'false' ? TRUE : item.t === 'not' ? item.item : { t: 'not', item });

/** What an operand stands for, for this caller; null when it stands for nothing. */
export function resolveOperand(o: Operand, ctx: ScopeContext): string | number | boolean | null {
  if ('literal' in o) return o.literal;
  return o.dynamic === 'me' ? ctx.userId : ctx.departmentId;
}

/** JSON equality of two primitive values (what jsonb `=` does for them). */
const jsonEquals = (a: unknown, b: unknown): boolean => a !== null && a !== undefined && typeof a === typeof b && a === b;

function targetValue(target: ScopeTarget, row: RowFacts): unknown {
  if ('column' in target) return target.column === 'owner' ? row.ownerId : row.departmentId;
  return Object.prototype.hasOwnProperty.call(row.values, target.field) ? row.values[target.field] : undefined;
}

function compare(op: Exclude<ConditionOperator, 'in'>, actual: unknown, operand: string | number | boolean | null): boolean {
  if (op === 'eq') return operand !== null && jsonEquals(actual, operand);
  if (op === 'ne') return !(operand !== null && jsonEquals(actual, operand));
  if (typeof actual !== 'number' || typeof operand !== 'number') return false;
  if (op === 'gt') return actual > operand;
  if (op === 'gte') return actual >= operand;
  if (op === 'lt') return actual < operand;
  return actual <= operand;
}

/** The JS compiler: whether `row` is inside `expr` for this caller. */
export function covers(expr: ScopeExpr, row: RowFacts, ctx: ScopeContext): boolean {
  switch (expr.t) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'owner':
      return row.ownerId === ctx.userId;
    case 'department':
      if (row.departmentId === null) return false;
      return expr.tree ? ctx.departmentTree.includes(row.departmentId) : ctx.departmentId !== null && row.departmentId === ctx.departmentId;
    case 'cmp':
      return compare(expr.op, targetValue(expr.target, row), resolveOperand(expr.value, ctx));
    case 'in': {
      const actual = targetValue(expr.target, row);
      return expr.values.some((v) => compare('eq', actual, resolveOperand(v, ctx)));
    }
    case 'and':
      return expr.items.every((i) => covers(i, row, ctx));
    case 'or':
      return expr.items.some((i) => covers(i, row, ctx));
    case 'not':
      return !covers(expr.item, row, ctx);
  }
}

/** The plain fields an expression reads (a row in hand must carry them for `covers`). */
export function fieldsRead(expr: ScopeExpr, out = new Set<string>()): Set<string> {
  if (expr.t === 'cmp' || expr.t === 'in') {
    if ('field' in expr.target) out.add(expr.target.field);
  } else if (expr.t === 'and' || expr.t === 'or') expr.items.forEach((i) => fieldsRead(i, out));
  else if (expr.t === 'not') fieldsRead(expr.item, out);
  return out;
}
