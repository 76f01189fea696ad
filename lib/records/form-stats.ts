/**
 * Counts about a form's records that other lib modules need (the admin's
 * form list, the builder's publish checks, removing the example). Only lib/records queries the
 * records table; lib/forms gets these through lib/records/operations.ts,
 * this folder's public face, and never sees a query builder or a compiled scope.
 */
import 'server-only';
import type { Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { RowScope } from '@/lib/policy/grants';
import type { Principal } from '@/lib/auth/principal';
import { compileScope } from './scope-sql';
import { countLiveByForm } from './record-query';

export { anyRecordOfUsersOutside, countPlainValues, countSealedValues, countValuesOfOtherType, departmentsWithRecords, purgeFormRecords } from './record-stats';

/** Live records per form, each inside its own view scope: the counts the caller's own views would show. One statement. */
export function countRecordsInScopes(
  db: Transaction<DB>,
  forms: { formId: string; scope: RowScope }[],
  me: Pick<Principal, 'userId' | 'departmentId'>,
): Promise<Map<string, number>> {
  return countLiveByForm(db, forms.map((f) => ({ formId: f.formId, scope: compileScope(f.scope, me) })));
}
