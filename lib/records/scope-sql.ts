/**
 * The SQL compiler of scope expressions (lib/policy/scope.ts), so out-of-scope rows never
 * leave the database. It follows the semantics written there exactly; every atom is
 * two-valued, so `not` never turns a missing value into a match. Two-valued without hiding
 * the column from the planner: `x = v and x is not null` is false (never null) when x is
 * null, like `coalesce(x = v, false)`, but its `x = v` is an index condition, where a
 * coalesce(…) is an opaque function call that turned every owner or department scope into a
 * scan of the whole form (a `$me` condition read 1,000,000 rows for one page).
 * Tested against the JS compiler (`covers`) on generated cases.
 */
import 'server-only';
import { sql, type Expression, type SqlBool } from 'kysely';
import { resolveOperand, type ScopeContext, type ScopeExpr, type ScopeTarget } from '@/lib/policy';
import { UUID_PATTERN } from '@/lib/forms/ajv';
import type { CompiledScope } from './record-query';

const bool = (s: ReturnType<typeof sql>) => s as unknown as Expression<SqlBool>;

const fieldSql = (key: string) => sql`r.values->${sql.lit(key)}`;

/** `x = v`, false rather than null when x is null (see the header: indexable, unlike coalesce). */
const eqNotNull = (x: ReturnType<typeof sql>, v: ReturnType<typeof sql>) => sql`(${x} = ${v} and ${x} is not null)`;

/** `target = value` for one resolved operand, two-valued. */
function equals(target: ScopeTarget, value: string | number | boolean | null) {
  if (value === null) return sql`false`;
  if ('column' in target) {
    // The columns are uuids, whose text is canonical lowercase: only such a string can equal
    // one (as in `covers`), and comparing as uuid keeps the owner/department indexes usable.
    if (typeof value !== 'string' || value !== value.toLowerCase() || !UUID_PATTERN.test(value)) return sql`false`;
    return eqNotNull(target.column === 'owner' ? sql`r.owner_id` : sql`r.department_id`, sql`${value}::uuid`);
  }
  // jsonb equality: same JSON type and value (1 and 1.0 are equal), as `covers` does.
  return eqNotNull(fieldSql(target.field), sql`${JSON.stringify(value)}::jsonb`);
}

const ORDER = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` } as const;

function toSql(expr: ScopeExpr, ctx: ScopeContext): ReturnType<typeof sql> {
  switch (expr.t) {
    case 'true':
      return sql`true`;
    case 'false':
      return sql`false`;
    case 'owner':
      return sql`(r.owner_id = ${ctx.userId}::uuid)`;
    case 'department':
      if (expr.tree) {
        if (ctx.departmentTree.length === 0) return sql`false`;
        return eqNotNull(sql`r.department_id`, sql`any(${`{${ctx.departmentTree.join(',')}}`}::uuid[])`);
      }
      return ctx.departmentId === null ? sql`false` : eqNotNull(sql`r.department_id`, sql`${ctx.departmentId}::uuid`);
    case 'cmp': {
      const value = resolveOperand(expr.value, ctx);
      if (expr.op === 'eq') return equals(expr.target, value);
      if (expr.op === 'ne') return sql`(not ${equals(expr.target, value)})`;
      if ('column' in expr.target || typeof value !== 'number') return sql`false`;
      const v = fieldSql(expr.target.field);
      return sql`coalesce(case when jsonb_typeof(${v}) = 'number' then (${v})::numeric ${ORDER[expr.op]} ${String(value)}::numeric end, false)`;
    }
    case 'in':
      return expr.values.length ? sql`(${sql.join(expr.values.map((v) => equals(expr.target, resolveOperand(v, ctx))), sql` or `)})` : sql`false`;
    case 'and':
      return sql`(${sql.join(expr.items.map((i) => toSql(i, ctx)), sql` and `)})`;
    case 'or':
      return sql`(${sql.join(expr.items.map((i) => toSql(i, ctx)), sql` or `)})`;
    case 'not':
      return sql`(not ${toSql(expr.item, ctx)})`;
  }
}

/** A scope expression for one caller, compiled once into the shape every record query takes. */
export function compileScope(expr: ScopeExpr, ctx: ScopeContext): CompiledScope {
  const compiled = bool(toSql(expr, ctx));
  return () => compiled;
}
