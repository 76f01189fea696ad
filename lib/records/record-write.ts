/**
 * What a write may change: it validates only the fields the caller may write (so an error
 * never names a field the caller cannot see), applies the owner-assignment rules, and seals
 * encrypted values (input is never trusted as ciphertext).
 */
import 'server-only';
import { isCipherToken } from '@/lib/crypto/field-cipher';
import type { Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { msg, type Locale } from '@/lib/i18n';
import { mayAssign, type FieldMode } from '@/lib/policy';
import { getRecordValidator } from '@/lib/forms/record-validator';
import type { FormDefinition } from '@/lib/forms/definition';
import type { FormAccess } from './form-access';
import { lookupEntries, sealValues } from './protect';
import { UUID_PATTERN } from '@/lib/forms/ajv';
import { SYSTEM_USER_ID } from '@/lib/auth/principal';

export const invalidValues = (locale: Locale, fields: Record<string, string>) =>
  new AppError('invalid_input', msg(locale, 'errors.records.checkFields'), { fields });

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The definition restricted to `keys` (required among them only), for the validator. */
function restricted(def: FormDefinition, keys: readonly string[], notRequired: readonly string[]): FormDefinition {
  const set = new Set(keys);
  return {
    ...def,
    properties: Object.fromEntries(Object.entries(def.properties).filter(([k]) => set.has(k))),
    required: (def.required ?? []).filter((k) => set.has(k) && !notRequired.includes(k)),
    'x-order': def['x-order'].filter((k) => set.has(k)),
  };
}

export interface WritePlan {
  /** Validated values of the fields this write names (the owner field excluded). */
  written: Record<string, unknown>;
  /** The fields this write clears. */
  cleared: string[];
  /** The owner after the write. */
  owner: { id: string; name: string; departmentId: string | null };
  /** Field keys whose value changes (for the audit event: names only, never values). */
  changed: string[];
}

/**
 * Checks a create or an update against the caller's modes and validates it.
 * - `writable`: the fields the caller may write here (create: its create modes; update: the
 *   record's modes).
 * - `shown`: the fields the caller sees here with the values it sees (masked ones masked). A
 *   patch may repeat a shown value of a read-only field unchanged (forms send what they show);
 *   any other value for it is refused by name. A field the caller does not see is refused like
 *   a field that does not exist, so the answer tells nothing about hidden fields.
 * - `current`: plain current values of the writable fields (update), merged under the patch.
 * - `keptAsIs`: encrypted fields whose stored value does not open and that the patch leaves
 *   alone: they count as filled in.
 */
export async function planWrite(
  db: Transaction<DB>,
  form: FormAccess,
  w: {
    locale: Locale;
    patch: Record<string, unknown>;
    modes: Record<string, FieldMode>;
    shown: Record<string, unknown>;
    current: Record<string, unknown>;
    keptAsIs: string[];
    owner: { id: string; departmentId: string | null } | null;
    me: string;
    cacheKey: string;
  },
): Promise<WritePlan> {
  const d = form.decision;
  const writable = form.fields.filter((f) => (w.modes[f.key] === 'write' || w.modes[f.key] === 'write-on-create') && f.key !== form.ownerKey).map((f) => f.key);
  const ownerKey = form.ownerKey;
  // Built from entries, never by assignment: `patch['__proto__'] = v` would set the prototype
  // instead of naming a (refused) key.
  const accepted: [string, unknown][] = [];
  const refused: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.patch)) {
    if (k === ownerKey || writable.includes(k)) accepted.push([k, v]);
    else if (has(w.modes, k) && w.modes[k] !== 'hidden') {
      if (JSON.stringify(v ?? null) !== JSON.stringify(w.shown[k] ?? null)) refused[k] = msg(w.locale, 'errors.records.fieldReadOnly');
    } else accepted.push([k, v]); // not a field for this caller: the validator refuses it as unknown
  }
  // Threat: while a field's sealed values are still being opened (forms.unsealing), text that
  // has the shape of a token would be opened too; a stolen one (this very cell's ciphertext from
  // an old backup) would hand its plaintext to the writer. Refused until the job has finished.
  for (const [k, v] of accepted) if (form.unsealing.has(k) && isCipherToken(v)) refused[k] = msg(w.locale, 'errors.records.tokenWhileDecrypting');
  if (Object.keys(refused).length) throw invalidValues(w.locale, refused);
  const patch = Object.fromEntries(accepted);

  // The owner field is validated (a uuid) like any field; who may be owner is resolveOwner's.
  const validated = ownerKey && has(patch, ownerKey) ? [...writable, ownerKey] : writable;
  const merged = { ...Object.fromEntries(writable.filter((k) => has(w.current, k)).map((k) => [k, w.current[k]])), ...patch };
  const kept = [...w.keptAsIs].filter((k) => !has(patch, k)).sort();
  const validate = getRecordValidator(`${w.cacheKey}:w=${validated.join(',')}:k=${kept.join(',')}`, restricted(form.definition, validated, kept));
  const result = validate(merged, w.locale);
  if (!result.ok) throw invalidValues(w.locale, result.errors);

  const owner = await resolveOwner(db, form, w, d);
  const written: Record<string, unknown> = {};
  const cleared: string[] = [];
  for (const k of Object.keys(patch)) {
    if (k === ownerKey) continue; // stored in the owner column
    const v = result.values[k];
    if (v === undefined || v === null) cleared.push(k);
    else written[k] = v;
  }
  const changed = Object.keys(patch).filter((k) => k !== ownerKey).filter((k) => w.keptAsIs.includes(k) || JSON.stringify(w.current[k] ?? null) !== JSON.stringify(result.values[k] ?? null));
  if (ownerKey && owner.id !== (w.owner?.id ?? w.me)) changed.push(ownerKey);
  return { written, cleared, owner, changed };
}

/**
 * The owner after the write. Keeping the current owner (or, on create, being the owner)
 * needs nothing more; any other owner needs `assign`, and the record as it would be after
 * the change (that owner, their department) must fall inside the assign scope. Stops a
 * salesperson giving records away (they vanish for them), creating records in someone else's
 * name, or planting records in another department.
 */
async function resolveOwner(
  db: Transaction<DB>,
  form: FormAccess,
  w: { locale: Locale; patch: Record<string, unknown>; current: Record<string, unknown>; owner: { id: string; departmentId: string | null } | null; me: string },
  d: FormAccess['decision'],
) {
  const key = form.ownerKey;
  const asked = key && has(w.patch, key) ? w.patch[key] : undefined;
  const unchangedId = w.owner?.id ?? w.me;
  const ownerId = asked === undefined || asked === null ? unchangedId : asked;
  const field = key ?? 'owner';
  if (typeof ownerId !== 'string') throw invalidValues(w.locale, { [field]: msg(w.locale, 'errors.records.ownerNotFound') });
  const user = await db
    .selectFrom('users')
    .select(['id', 'name', 'department_id'])
    .where('id', '=', UUID_PATTERN.test(ownerId) ? ownerId : SYSTEM_USER_ID) // no user has the system id
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!user) throw invalidValues(w.locale, { [field]: msg(w.locale, 'errors.records.ownerNotFound') });
  if (user.id !== unchangedId) {
    const after = { ownerId: user.id, departmentId: user.department_id, values: { ...w.current, ...w.patch } };
    if (!mayAssign(d, after)) throw invalidValues(w.locale, { [field]: msg(w.locale, 'errors.records.ownerNotAllowed') });
  }
  return { id: user.id, name: user.name, departmentId: user.department_id };
}

/** Stored JSON for the written values: encrypted fields sealed, bound to this record. */
export const sealWritten = (form: FormAccess, recordId: string, written: Record<string, unknown>) =>
  sealValues(form.crypto, form.formId, recordId, form.fields, written);

/** The blind-index entries the write sets and removes (exact search on encrypted fields). */
export const lookupsWritten = (form: FormAccess, written: Record<string, unknown>, cleared: readonly string[] = []) =>
  lookupEntries(form.crypto, form.formId, form.fields, written, cleared);
