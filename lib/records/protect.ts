/**
 * Encrypted fields at the records door: values of `x-encrypted` fields are
 * sealed before they are stored and opened only when a DTO is built, so
 * plaintext exists in memory for the request and nowhere else.
 */
import 'server-only';
import type { FieldInfo } from '@/lib/forms/definition';
import { isCipherToken } from '@/lib/crypto/field-cipher';
import type { FieldCrypto } from '@/lib/crypto/keyring';

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

export type Opened = { ok: true; value: unknown } | { ok: false };

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
