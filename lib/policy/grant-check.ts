/**
 * Checks a grant before it is saved, against the form it is for: the schema, and conditions
 * that could never be applied (a condition on an encrypted, hidden or unknown field grants
 * nothing at decide time; refusing it here tells the admin instead of failing silently).
 * Pure: the editor runs it while the admin types, the save operation runs it again.
 */
import { compileGrantScope, grantSchemaErrors, isValidGrant, type ConditionProblem, type PolicyField } from './decide';
import { MAX_CONDITION_DEPTH, recordActions, type GrantScope } from './vocabulary';

export type GrantProblem =
  | { code: 'schema'; path: string; message: string }
  | { code: 'tooDeep'; action: string; max: number }
  | (ConditionProblem & { action: string })
  | { code: 'unknownFieldMode'; field: string };

export function grantProblems(grant: unknown, fields: readonly PolicyField[]): GrantProblem[] {
  const schemaErrors = grantSchemaErrors(grant);
  if (schemaErrors.length) return schemaErrors.map((e) => ({ code: 'schema', path: e.instancePath || '/', message: e.message ?? 'invalid' }));
  if (!isValidGrant(grant)) {
    const action = recordActions.find((a) => typeof (grant as { actions: Record<string, { scope?: unknown }> }).actions[a]?.scope === 'object') ?? 'view';
    return [{ code: 'tooDeep', action, max: MAX_CONDITION_DEPTH }];
  }
  const problems: GrantProblem[] = [];
  for (const action of recordActions) {
    const rule = (grant.actions as Record<string, { scope?: GrantScope } | undefined>)[action];
    if (!rule?.scope || typeof rule.scope === 'string') continue;
    for (const p of compileGrantScope(rule.scope, fields, grant).problems) problems.push({ ...p, action });
  }
  for (const key of Object.keys(grant.fields ?? {})) {
    if (key !== '*' && !fields.some((f) => f.key === key)) problems.push({ code: 'unknownFieldMode', field: key });
  }
  return problems;
}
