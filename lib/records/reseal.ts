/**
 * Re-encryption after a key rotation: moves every sealed value that is not under the current
 * data key version, or not in the configured cipher suite (FW_FIELD_CIPHER), onto it, one batch of records at a time, in id order. Whatever is sealed is
 * resealed under the same form, record and field binding, whether or not the field is still
 * marked encrypted; a value that does not open (tampered with, or under a missing key) is left
 * exactly as it is and counted, so the job can report it without ever touching its content.
 * Runs as the system (row-level security admits every record to it), only from the
 * `records.resealBatch` operation of a key-rotation job. `sealPlainBatch` below does the same
 * for plain values of fields newly marked encrypted (`records.sealBatch`).
 */
import 'server-only';
import { sql, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { FieldCrypto } from '@/lib/crypto/keyring';
import { isCipherToken, tokenSuite, tokenVersion } from '@/lib/crypto/field-cipher';
import type { FieldInfo } from '@/lib/forms/definition';
import { lookupEntries, sealValues } from './protect';

export interface ResealOutcome {
  /** The id of the last record looked at, or null when there were none after `after`. */
  last: string | null;
  scanned: number;
  resealed: number;
  unreadable: number;
}

export async function resealBatch(trx: Transaction<DB>, crypto: FieldCrypto, after: string | null, limit: number): Promise<ResealOutcome> {
  // Locked for the batch: an edit committed between this read and the update below would
  // otherwise be overwritten with the values read here.
  let q = trx.selectFrom('records').select(['id', 'form_id', 'values']).orderBy('id').limit(limit).forUpdate();
  if (after) q = q.where('id', '>', after);
  const rows = await q.execute();
  const changed: { id: string; values: Record<string, unknown> }[] = [];
  let resealed = 0;
  let unreadable = 0;
  for (const row of rows) {
    let next: Record<string, unknown> | undefined;
    for (const [field, value] of Object.entries(row.values)) {
      if (!isCipherToken(value) || (tokenVersion(value) === crypto.version && tokenSuite(value) === crypto.suite)) continue;
      const context = { formId: row.form_id, recordId: row.id, field };
      let plain: unknown;
      try {
        plain = crypto.decrypt(value, context);
      } catch {
        unreadable++;
        continue;
      }
      next ??= { ...row.values };
      next[field] = crypto.encrypt(plain, context);
      resealed++;
    }
    if (next) changed.push({ id: row.id, values: next });
  }
  if (changed.length) {
    // One statement for the batch. `version` and `updated_at` stay: nothing a user sees changed,
    // and an edit in progress must not fail on a version the job bumped.
    await sql`update records r set "values" = v.vals::jsonb
      from (select * from unnest(${changed.map((c) => c.id)}::uuid[], ${changed.map((c) => JSON.stringify(c.values))}::text[])) v(id, vals)
      where r.id = v.id`.execute(trx);
  }
  return { last: rows.length ? rows[rows.length - 1].id : null, scanned: rows.length, resealed, unreadable };
}

/**
 * Encrypting existing data: after a field was marked encrypted over plain values, seals the
 * plain values of `keys` in one form, batch by batch in id order, and gives them their
 * blind-index digests. Values already sealed (written after the publish) are left alone.
 */
export async function sealPlainBatch(
  trx: Transaction<DB>,
  crypto: FieldCrypto,
  form: { formId: string; fields: FieldInfo[] },
  after: string | null,
  limit: number,
): Promise<ResealOutcome> {
  let q = trx.selectFrom('records').select(['id', 'values']).where('form_id', '=', form.formId).orderBy('id').limit(limit).forUpdate();
  if (after) q = q.where('id', '>', after);
  const rows = await q.execute();
  const changed: { id: string; set: Record<string, unknown>; lookups: Record<string, string> }[] = [];
  let sealed = 0;
  for (const row of rows) {
    const isPlain = (v: unknown) => v !== undefined && v !== null && !isCipherToken(v);
    const plain = Object.fromEntries(form.fields.filter((f) => isPlain(row.values[f.key])).map((f) => [f.key, row.values[f.key]]));
    if (!Object.keys(plain).length) continue;
    sealed += Object.keys(plain).length;
    changed.push({ id: row.id, set: sealValues(crypto, form.formId, row.id, form.fields, plain), lookups: lookupEntries(crypto, form.formId, form.fields, plain).set });
  }
  if (changed.length) {
    await sql`update records r set "values" = r."values" || v.vals::jsonb, blind_index = r.blind_index || v.lookups::jsonb
      from (select * from unnest(${changed.map((c) => c.id)}::uuid[], ${changed.map((c) => JSON.stringify(c.set))}::text[], ${changed.map((c) => JSON.stringify(c.lookups))}::text[])) v(id, vals, lookups)
      where r.id = v.id`.execute(trx);
  }
  return { last: rows.length ? rows[rows.length - 1].id : null, scanned: rows.length, resealed: sealed, unreadable: 0 };
}
