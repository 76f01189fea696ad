/**
 * Field encryption: AES-256-GCM with a fresh 96-bit nonce per value. The
 * associated data binds a ciphertext to its form, record and field, so a
 * ciphertext copied into another record or field fails to decrypt.
 * Stored as a versioned token: `fw1.<key version>.<base64(nonce | ciphertext | tag)>`.
 */
import 'server-only';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface CipherContext {
  formId: string;
  recordId: string;
  field: string;
}

const PREFIX = 'fw1.';
const aad = (c: CipherContext) => Buffer.from(`formwarden/field/v1\0${c.formId}\0${c.recordId}\0${c.field}`, 'utf8');

export const isCipherToken = (value: unknown): value is string => typeof value === 'string' && value.startsWith(PREFIX);

export function encryptValue(key: Buffer, version: number, value: unknown, context: CipherContext): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad(context));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${PREFIX}${version}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
}

export function tokenVersion(token: string): number {
  const version = Number(token.slice(PREFIX.length, token.indexOf('.', PREFIX.length)));
  if (!Number.isInteger(version) || version < 1) throw new Error('Malformed ciphertext token');
  return version;
}

/** Throws on a wrong key, a tampered value or a value moved from elsewhere. */
export function decryptValue(key: Buffer, token: string, context: CipherContext): unknown {
  const raw = Buffer.from(token.slice(token.indexOf('.', PREFIX.length) + 1), 'base64url');
  if (raw.length < 12 + 16) throw new Error('Malformed ciphertext token');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(aad(context));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}

/** The master key's own generation, written into wrapped-key tokens. */
const MASTER_GENERATION = 1;

/**
 * Wrapping a data key under the master key (same primitive, its own associated data). The
 * label names the key's purpose and version (a data key's is its version number), so a
 * wrapped key moved to another row does not unwrap there.
 */
export function wrapKey(master: Buffer, label: string, dataKey: Buffer): string {
  return encryptValue(master, MASTER_GENERATION, dataKey.toString('base64'), { formId: 'keyring', recordId: label, field: 'data-key' });
}

export function unwrapKey(master: Buffer, label: string, wrapped: string): Buffer {
  return Buffer.from(decryptValue(master, wrapped, { formId: 'keyring', recordId: label, field: 'data-key' }) as string, 'base64');
}
