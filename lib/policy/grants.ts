/**
 * Policy, first version: pure decisions from a user's grants on one form.
 * No I/O. Deny by default: no grant, an unknown action, an unknown scope or a
 * grant that does not match the grant schema all mean "no".
 */
import type { FromSchema } from 'json-schema-to-ts';
import { createAjv } from '@/lib/forms/ajv';

/**
 * The grant vocabulary, defined once: policy, the grant schema below, the grant editor and
 * its page use these. (test/one-source.test.ts checks that nothing else restates them.)
 */
export const recordActions = ['view', 'create', 'edit', 'delete'] as const;
export type RecordAction = (typeof recordActions)[number];
export const rowScopes = ['own', 'department', 'all'] as const;
export type RowScopeName = (typeof rowScopes)[number];
/** Per-field modes, for the editor once policy enforces them: the schema refuses them until then. */
export const fieldModes = ['hidden', 'masked', 'read', 'write'] as const;
export type FieldMode = (typeof fieldModes)[number];

const scoped = { type: 'object', additionalProperties: false, required: ['scope'], properties: { scope: { enum: rowScopes } } } as const;

/** What one group may do on one form (docs/operations.md); the `Grant` type is derived from it. */
export const grantSchema = {
  title: 'Grant: what one group may do on one form',
  description:
    'Field modes (hidden/masked/read/write) are refused until policy enforces them: a rule that is accepted but not applied would be a silent leak.',
  type: 'object',
  additionalProperties: false,
  required: ['actions'],
  properties: {
    actions: {
      type: 'object',
      additionalProperties: false,
      properties: { view: scoped, create: { type: 'object', additionalProperties: false, properties: {} }, edit: scoped, delete: scoped },
    },
  },
} as const;

export type Grant = FromSchema<typeof grantSchema>;

/** Whether grants carry field modes: only once the schema accepts them (policy enforces what it accepts). */
export const grantsHaveFieldModes: boolean = 'fields' in grantSchema.properties;

/** Rows a decision covers: everything, or the union of own and department. */
export type RowScope = { kind: 'all' } | { kind: 'some'; own: boolean; department: boolean };

export type Decision = { allowed: false } | { allowed: true; scope: RowScope };

const validateGrant = createAjv().compile<Grant>(grantSchema as object);

export function isValidGrant(value: unknown): value is Grant {
  return validateGrant(value);
}
export const grantErrors = (value: unknown) => (validateGrant(value) ? [] : (validateGrant.errors ?? []));

/** Union of what a user's groups allow for one action (most open wins). */
export function decide(grants: readonly unknown[], action: string): Decision {
  if (!(recordActions as readonly string[]).includes(action)) return { allowed: false };
  let own = false;
  let department = false;
  let allowed = false;
  for (const grant of grants) {
    if (!isValidGrant(grant)) continue; // a malformed grant grants nothing
    const rule = (grant.actions as Record<string, { scope?: string } | undefined>)[action];
    if (!rule) continue;
    if (action === 'create') {
      allowed = true;
      continue;
    }
    if (rule.scope === 'all') return { allowed: true, scope: { kind: 'all' } };
    if (rule.scope === 'own') own = allowed = true;
    else if (rule.scope === 'department') department = allowed = true;
  }
  if (!allowed) return { allowed: false };
  // `create` has no row scope; callers check the new row's owner separately.
  return { allowed: true, scope: action === 'create' ? { kind: 'all' } : { kind: 'some', own, department } };
}

/** Every action decided at once, each grant validated once: for a whole request. */
export type Decisions = Record<RecordAction, Decision>;

export function decideAll(grants: readonly unknown[]): Decisions {
  const valid = grants.filter(isValidGrant);
  return Object.fromEntries(recordActions.map((a) => [a, decide(valid, a)])) as Decisions;
}

/** Where a given row falls, for checks on a row already in hand. */
export interface RowFacts {
  ownerId: string;
  departmentId: string | null;
}
export interface Me {
  userId: string;
  departmentId: string | null;
}

export function scopeCovers(scope: RowScope, row: RowFacts, me: Me): boolean {
  if (scope.kind === 'all') return true;
  if (scope.own && row.ownerId === me.userId) return true;
  if (scope.department && me.departmentId !== null && row.departmentId === me.departmentId) return true;
  return false;
}

/** What the UI may offer on a row, from decisions made once per request. */
export function actionsOn(decisions: Decisions, row: RowFacts, me: Me): Record<RecordAction, boolean> {
  const out = {} as Record<RecordAction, boolean>;
  for (const action of recordActions) {
    const d = decisions[action];
    out[action] = d.allowed && scopeCovers(d.scope, row, me);
  }
  return out;
}

export const allowedActions = (grants: readonly unknown[], row: RowFacts, me: Me) => actionsOn(decideAll(grants), row, me);
