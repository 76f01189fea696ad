/**
 * Blind index: exact search on encrypted fields without decrypting anything. The stored digest
 * is HMAC-SHA-256 of the value normalised per kind, under a key derived (HKDF) from the
 * blind-index key for one form and one field. Threats it is shaped against:
 *   - equality across forms or fields (the same phone in two apps): each has its own key;
 *   - reading values off the column: without the key a digest is noise, and the key is wrapped
 *     by the master key like the data keys, never stored in plain;
 *   - a partial match as an oracle (digit by digit): only whole, valid values normalise, so
 *     "138" finds nothing and a filter with it is refused.
 * Stored as `<key version>.<base64url of the first 16 bytes>`: 128 bits, no collision in practice.
 */
import 'server-only';
import { createHmac, hkdfSync } from 'node:crypto';
import type { FieldKind } from '@/lib/forms/field-kinds';
import { isValidBankCard, isValidCnIdCard, isValidCnMobile } from '@/lib/forms/cn-formats';

/** The field kinds an encrypted field can be looked up by. */
export const LOOKUP_KINDS: ReadonlySet<FieldKind> = new Set<FieldKind>(['phone', 'email', 'id-card', 'bank-card']);

/**
 * The value as it is indexed, or undefined when it is no whole value of its kind (the search
 * then cannot match it). Phone: its digits, without a leading +86/0086 country code; e-mail:
 * trimmed, lower-cased; 身份证号: upper-cased (the X check digit); bank card: its digits. A
 * field with a format (cn-mobile, cn-id-card, bank-card) takes only values that pass it, so
 * the first digits of a mobile number are no value of it.
 */
export function normaliseForLookup(kind: FieldKind, value: unknown, format?: string): string | undefined {
  const v = normalised(kind, value);
  if (v === undefined) return undefined;
  if (format === 'cn-mobile' && !isValidCnMobile(v)) return undefined;
  if (format === 'cn-id-card' && !isValidCnIdCard(v)) return undefined;
  if (format === 'bank-card' && !isValidBankCard(v)) return undefined;
  return v;
}

function normalised(kind: FieldKind, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  switch (kind) {
    case 'phone': {
      let digits = v.replace(/[\s\-()+.]/g, '');
      if (!/^\d+$/.test(digits)) return undefined;
      if (/^(0086|86)1\d{10}$/.test(digits)) digits = digits.replace(/^(0086|86)/, '');
      return digits.length >= 7 && digits.length <= 15 ? digits : undefined;
    }
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? v.toLowerCase() : undefined;
    case 'id-card': {
      const id = v.toUpperCase();
      return /^(\d{17}[\dX]|\d{15})$/.test(id) ? id : undefined;
    }
    case 'bank-card': {
      const digits = v.replace(/[\s-]/g, '');
      return /^\d{12,19}$/.test(digits) ? digits : undefined;
    }
    default:
      return undefined;
  }
}

/** The per form and field key: a digest made for one field of one form means nothing elsewhere. */
function fieldKey(blindKey: Buffer, formId: string, field: string): Buffer {
  return Buffer.from(hkdfSync('sha256', blindKey, Buffer.from(formId, 'utf8'), Buffer.from(`formwarden/blind-index/v1\0${field}`, 'utf8'), 32));
}

export function lookupDigest(blindKey: Buffer, version: number, formId: string, field: string, normalised: string): string {
  const mac = createHmac('sha256', fieldKey(blindKey, formId, field)).update(normalised, 'utf8').digest();
  return `${version}.${mac.subarray(0, 16).toString('base64url')}`;
}
