/**
 * Encrypted fields at the records door: values of `x-encrypted` fields are
 * sealed before they are stored and opened only when a DTO is built, so
 * plaintext exists in memory for the request and nowhere else.
 */
import 'server-only';
import type { FieldInfo } from '@/lib/forms/definition';
import { isCipherToken } from '@/lib/crypto/field-cipher';
import type { FieldCrypto } from '@/lib/crypto/keyring';
import { LOOKUP_KINDS } from '@/lib/crypto/blind-index';

export function sealValues(
  crypto: FieldCrypto,
  formId: string,
  recordId: string,
  fields: FieldInfo[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...values };
  for (const f of fields) {
    // Always encrypt, even input that looks like a token ("fw1.…"): input is never taken as
    // ciphertext, or a client could store text that is not encrypted under an encrypted field.
    if (f.schema['x-encrypted'] && out[f.key] !== undefined) {
      out[f.key] = crypto.encrypt(out[f.key], { formId, recordId, field: f.key });
    }
  }
  return out;
}

/**
 * Blind-index digests for the written values of encrypted lookup fields (phone, e-mail,
 * 身份证号, bank card: lib/crypto/blind-index.ts): `set` for values that normalise, `unset`
 * for fields cleared or written with something that is no whole value (it cannot be found by
 * exact search, and its old digest must not find it either).
 */
export function lookupEntries(
  crypto: FieldCrypto,
  formId: string,
  fields: FieldInfo[],
  written: Record<string, unknown>,
  cleared: readonly string[] = [],
): { set: Record<string, string>; unset: string[] } {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  for (const f of fields) {
    if (!f.schema['x-encrypted'] || !LOOKUP_KINDS.has(f.kind)) continue;
    if (cleared.includes(f.key)) unset.push(f.key);
    else if (written[f.key] !== undefined) {
      const digest = crypto.lookup(formId, f.key, f.kind, written[f.key], f.schema.format);
      if (digest) set[f.key] = digest;
      else unset.push(f.key);
    }
  }
  return { set, unset };
}

export type Opened = { ok: true; value: unknown } | { ok: false };

/**
 * A stored value as readers see it:
 *   - an encrypted field's sealed value is opened, and one that does not open is reported;
 *   - a field whose encryption was turned off still holds sealed values while its
 *     `fields.unseal` job runs (`unsealing`): they are opened too, so a record reads right in
 *     either state, and one that does not open is reported like any other (token-shaped input
 *     is refused for such a field meanwhile, record-write.ts, so every token in it is ours);
 *   - any other plain field shows what was typed, "fw1.…" included: typed text is never taken
 *     for ciphertext there.
 */
export function openStored(form: { crypto: FieldCrypto; formId: string; unsealing: ReadonlySet<string> }, recordId: string, field: FieldInfo, stored: unknown): Opened {
  if (field.schema['x-encrypted']) return openValue(form.crypto, form.formId, recordId, field.key, stored);
  if (!form.unsealing.has(field.key)) return { ok: true, value: stored };
  return openValue(form.crypto, form.formId, recordId, field.key, stored);
}

/**
 * Opens whatever is sealed, whether or not the field is still marked
 * encrypted. A token that does not open (tampered with, copied from another
 * record or field, or under a key that is gone) is reported, not thrown: one
 * bad value must not take a whole list down, and the caller shows that one
 * field as unreadable and audits it. Never says why, and never echoes the
 * token.
 */
export function openValue(crypto: FieldCrypto, formId: string, recordId: string, field: string, value: unknown): Opened {
  if (!isCipherToken(value)) return { ok: true, value };
  try {
    return { ok: true, value: crypto.decrypt(value, { formId, recordId, field }) };
  } catch {
    return { ok: false };
  }
}
