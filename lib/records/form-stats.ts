/**
 * Counts about a form's records that other lib modules need (the admin's
 * form list, the builder's publish checks). They live here because only
 * lib/records queries the records table; lib/forms gets them through
 * lib/records/operations.ts, this folder's public face.
 */
import 'server-only';
import { sql, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { RowScope } from '@/lib/policy/grants';
import type { Principal } from '@/lib/auth/principal';
import { scopeFilter } from './scope-sql';

/** Live records of a form inside a view scope: the count the caller's own view would show. */
export async function countRecordsInScope(
  db: Transaction<DB>,
  formId: string,
  scope: RowScope,
  me: Pick<Principal, 'userId' | 'departmentId'>,
): Promise<number> {
  const row = await db
    .selectFrom('records as r')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('r.form_id', '=', formId)
    .where('r.deleted_at', 'is', null)
    .where((eb) => scopeFilter(eb, scope, me))
    .executeTakeFirstOrThrow();
  return row.n;
}

/** How many records hold a value of this field that is not ciphertext. */
export async function countPlainValues(db: Transaction<DB>, formId: string, fieldKey: string): Promise<number> {
  const row = await db
    .selectFrom('records')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('form_id', '=', formId)
    .where(sql<boolean>`values->>${fieldKey} is not null and values->>${fieldKey} not like 'fw1.%'`)
    .executeTakeFirstOrThrow();
  return row.n;
}
