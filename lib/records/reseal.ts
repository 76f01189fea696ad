/**
 * Re-encryption after a key rotation: moves every sealed value that is not under the current
 * data key version, or not in the configured cipher suite (FW_FIELD_CIPHER), onto it, one batch of records at a time, in id order. Whatever is sealed is
 * resealed under the same form, record and field binding, whether or not the field is still
 * marked encrypted; a value that does not open (tampered with, or under a missing key) is left
 * exactly as it is and counted, so the job can report it without ever touching its content.
 * Runs as the system (row-level security admits every record to it), only from the
 * `records.resealBatch` operation of a key-rotation job. Below it, the other batches of
 * lib/records/jobs: `sealPlainBatch` seals the plain values of fields newly marked encrypted,
 * `openSealedBatch` opens the sealed values of fields whose encryption was turned off, and
 * `reindexBatch` moves blind-index digests onto the current blind-index key.
 */
import 'server-only';
import { sql, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import type { FieldCrypto } from '@/lib/crypto/keyring';
import { isCipherToken, tokenSuite, tokenVersion } from '@/lib/crypto/field-cipher';
import { LOOKUP_KINDS } from '@/lib/crypto/blind-index';
import { fieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import { lookupEntries, openValue, sealValues } from './protect';

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

/**
 * Decrypting existing data: after encryption was turned off on fields of one form, opens their
 * sealed values into plain text, batch by batch in id order, and drops their blind-index
 * digests (an exact search no longer goes through them). A value that does not open is left
 * as it is and counted. Plain values (written after the publish) are left alone.
 */
export async function openSealedBatch(
  trx: Transaction<DB>,
  crypto: FieldCrypto,
  form: { formId: string; fields: FieldInfo[] },
  after: string | null,
  limit: number,
): Promise<ResealOutcome> {
  let q = trx.selectFrom('records').select(['id', 'values', 'blind_index']).where('form_id', '=', form.formId).orderBy('id').limit(limit).forUpdate();
  if (after) q = q.where('id', '>', after);
  const rows = await q.execute();
  const keys = form.fields.map((f) => f.key);
  const changed: { id: string; set: Record<string, unknown> }[] = [];
  let opened = 0;
  let unreadable = 0;
  for (const row of rows) {
    const set: Record<string, unknown> = {};
    for (const key of keys) {
      const value = row.values[key];
      if (!isCipherToken(value)) continue;
      const o = openValue(crypto, form.formId, row.id, key, value);
      if (o.ok) set[key] = o.value;
      else unreadable++;
    }
    opened += Object.keys(set).length;
    if (Object.keys(set).length || keys.some((k) => k in (row.blind_index ?? {}))) changed.push({ id: row.id, set });
  }
  if (changed.length) {
    await sql`update records r set "values" = r."values" || v.vals::jsonb, blind_index = r.blind_index - ${keys}::text[]
      from (select * from unnest(${changed.map((c) => c.id)}::uuid[], ${changed.map((c) => JSON.stringify(c.set))}::text[])) v(id, vals)
      where r.id = v.id`.execute(trx);
  }
  return { last: rows.length ? rows[rows.length - 1].id : null, scanned: rows.length, resealed: opened, unreadable };
}

/** The version a stored digest was made under (`<version>.<mac>`). */
const digestVersion = (digest: unknown) => (typeof digest === 'string' ? Number(digest.slice(0, digest.indexOf('.'))) : NaN);

/**
 * After the blind-index key was rotated: remakes every digest not under the current version
 * from the value it indexes (opened for the moment of the batch), in id order across all forms.
 * A digest whose field is no longer an encrypted lookup field of the published form, or whose
 * value does not open, is dropped (counted as unreadable when the value does not open): it
 * could only find a record by a value that no longer stands for it.
 */
export async function reindexBatch(trx: Transaction<DB>, crypto: FieldCrypto, after: string | null, limit: number): Promise<ResealOutcome> {
  let q = trx.selectFrom('records').select(['id', 'form_id', 'values', 'blind_index']).orderBy('id').limit(limit).forUpdate();
  if (after) q = q.where('id', '>', after);
  const rows = await q.execute();
  const stale = rows.filter((r) => Object.values(r.blind_index ?? {}).some((d) => digestVersion(d) !== crypto.lookupVersion));
  const formIds = [...new Set(stale.map((r) => r.form_id))];
  const lookupFields = new Map<string, FieldInfo[]>();
  if (formIds.length) {
    const published = await sql<{ id: string; schema: FormDefinition }>`
      select f.id, fv.schema from forms f join form_versions fv on fv.form_id = f.id and fv.version = f.published_version
      where f.id = any(${formIds}::uuid[])`.execute(trx);
    for (const p of published.rows) lookupFields.set(p.id, fieldsOf(p.schema).filter((f) => f.schema['x-encrypted'] && LOOKUP_KINDS.has(f.kind)));
  }
  const changed: { id: string; index: Record<string, string> }[] = [];
  let remade = 0;
  let unreadable = 0;
  for (const row of stale) {
    const index: Record<string, string> = {};
    for (const [key, digest] of Object.entries(row.blind_index ?? {})) {
      if (digestVersion(digest) === crypto.lookupVersion) {
        index[key] = digest as string;
        continue;
      }
      const field = lookupFields.get(row.form_id)?.find((f) => f.key === key);
      if (!field) continue;
      const o = openValue(crypto, row.form_id, row.id, key, row.values[key]);
      if (!o.ok) {
        unreadable++;
        continue;
      }
      const next = crypto.lookup(row.form_id, key, field.kind, o.value, field.schema.format);
      if (next) {
        index[key] = next;
        remade++;
      }
    }
    changed.push({ id: row.id, index });
  }
  if (changed.length) {
    await sql`update records r set blind_index = v.idx::jsonb
      from (select * from unnest(${changed.map((c) => c.id)}::uuid[], ${changed.map((c) => JSON.stringify(c.index))}::text[])) v(id, idx)
      where r.id = v.id`.execute(trx);
  }
  return { last: rows.length ? rows[rows.length - 1].id : null, scanned: rows.length, resealed: remade, unreadable };
}
