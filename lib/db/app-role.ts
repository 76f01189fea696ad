/**
 * The application's database role (DESIGN.md "Database roles", docs/operations.md): every
 * operation's transaction runs as it, so row-level security and the table privileges apply to
 * everything an operation does. Threat: a bug in the application's scope compiler, or a query
 * that forgot its scope, would otherwise read or write as the schema owner, past every policy.
 * Migrations, the data-folder lock and test setup keep the owner's connection.
 */
import 'server-only';
import { sql, type Kysely } from 'kysely';
import { APP_ROLE } from '@/migrations/2026-12-02-0001-app-role-and-rls';

export { APP_ROLE };

/**
 * `SET LOCAL ROLE` as an expression (`set_config('role', …, true)`), so it rides in a statement
 * the transaction sends anyway (the principal's): no extra round trip. It ends with the
 * transaction, commit or rollback alike. Works on PGlite (a superuser session) and on a server
 * connection that is a superuser or a member of the role.
 */
export const switchToAppRole = sql<string>`set_config('role', ${sql.lit(APP_ROLE)}, true)`;

/** Why this connection must not serve production, or undefined when it may. */
export function connectionRoleProblem(role: { name: string; superuser: boolean; bypassRls: boolean }): string | undefined {
  if (!role.superuser && !role.bypassRls) return undefined;
  return (
    `DATABASE_URL connects as "${role.name}", which is ${role.superuser ? 'a superuser' : 'a role with BYPASSRLS'}: ` +
    'row-level security would not bind it. In production connect as the schema owner without superuser or BYPASSRLS, ' +
    `a member of ${APP_ROLE} (e.g. create role formwarden login password '…'; create database formwarden owner formwarden; ` +
    `grant ${APP_ROLE} to formwarden). See docs/operations.md, "Database roles".`
  );
}

/**
 * Refuses a production server connection that row-level security cannot bind (a superuser or a
 * BYPASSRLS role). PGlite is always a superuser session and switches roles per transaction; CI
 * and development may use a superuser server connection the same way.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function refuseRlsExemptConnection(db: Kysely<any>, nodeEnv: string): Promise<void> {
  if (nodeEnv !== 'production') return;
  const row = (
    await sql<{ name: string; superuser: boolean; bypass_rls: boolean }>`
      select rolname as name, rolsuper as superuser, rolbypassrls as bypass_rls from pg_roles where rolname = current_user`.execute(db)
  ).rows[0];
  const problem = connectionRoleProblem({ name: row.name, superuser: row.superuser, bypassRls: row.bypass_rls });
  if (problem) throw new Error(problem);
}
