/** Compiles a policy row scope to SQL, so out-of-scope rows never leave the database. */
import 'server-only';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { RowScope } from '@/lib/policy/grants';
import type { Principal } from '@/lib/auth/principal';
import type { CompiledScope } from './record-query';

export function scopeFilter(
  eb: ExpressionBuilder<DB & { r: DB['records'] }, 'r'>,
  scope: RowScope,
  me: Pick<Principal, 'userId' | 'departmentId'>,
): Expression<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`true`;
  const ors: Expression<SqlBool>[] = [];
  if (scope.own) ors.push(eb('r.owner_id', '=', me.userId));
  if (scope.department && me.departmentId) ors.push(eb('r.department_id', '=', me.departmentId));
  return ors.length ? eb.or(ors) : sql<SqlBool>`false`;
}

/**
 * A decision's row scope for one caller, compiled once per request into the
 * shape every record query takes (record-query.ts).
 */
export const compileScope =
  (scope: RowScope, me: Pick<Principal, 'userId' | 'departmentId'>): CompiledScope =>
  (eb) =>
    scopeFilter(eb, scope, me);
