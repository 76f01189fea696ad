/**
 * Counts about a form's records that other lib modules need (the admin's
 * form list, the builder's publish checks, removing the example). Only lib/records queries the
 * records table; lib/forms gets these through lib/records/operations.ts,
 * this folder's public face, and never sees a query builder or a compiled scope.
 */
import 'server-only';
import type { Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { Principal } from '@/lib/auth/principal';
import { compileScope } from './scope-sql';
import { countLiveByForm } from './record-query';
import { listFormAccess } from './form-access';

export { anyRecordOfUsersOutside, countPlainValues, countSealedValues, countValuesOfOtherType, departmentsWithRecords, digestsByLookupVersion, purgeFormRecords, valuesByKeyVersion } from './record-stats';

/**
 * Live records per form inside the caller's own view scope: the counts the caller's own
 * views would show (admin rights configure; how many customers a form holds is data). Forms
 * the caller cannot view are absent. One statement for the grants, one for the counts.
 */
export async function countVisibleRecordsByForm(db: Transaction<DB>, principal: Principal): Promise<Map<string, number>> {
  const forms = (await listFormAccess(db, principal)).filter((f) => f.decision.actions.view.allowed);
  return countLiveByForm(db, forms.map((f) => ({ formId: f.formId, scope: compileScope(f.decision.actions.view.scope, f.decision.me) })));
}
