/**
 * Field encryption, in one of two suites, each with a fresh random nonce per value and the
 * associated data binding a ciphertext to its form, record and field, so a ciphertext copied
 * into another record or field fails to decrypt:
 *   - `fw1.<key version>.<base64(nonce | ciphertext | tag)>`: AES-256-GCM, 96-bit nonce;
 *   - `fw2.<key version>.<base64(iv | ciphertext | mac)>`: the 国密 suite (FW_FIELD_CIPHER=sm4),
 *     SM4-CTR with a 128-bit IV and HMAC-SM3 over the binding, IV and ciphertext
 *     (encrypt-then-MAC), under two keys derived from the data key (HKDF-SM3).
 * Both open whatever suite new values are sealed with, so a deployment can switch suites and a
 * rotation moves old values over.
 */
import 'server-only';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface CipherContext {
  formId: string;
  recordId: string;
  field: string;
}

export type CipherSuite = 'aes-256-gcm' | 'sm4';

const PREFIX = 'fw1.';
const SM4_PREFIX = 'fw2.';
const aad = (c: CipherContext) => Buffer.from(`formwarden/field/v1\0${c.formId}\0${c.recordId}\0${c.field}`, 'utf8');

export const isCipherToken = (value: unknown): value is string => typeof value === 'string' && (value.startsWith(PREFIX) || value.startsWith(SM4_PREFIX));

/** The suite a token was sealed with. */
export const tokenSuite = (token: string): CipherSuite => (token.startsWith(SM4_PREFIX) ? 'sm4' : 'aes-256-gcm');

/** The SM4 suite's keys, derived from the data key: one to encrypt, one to authenticate. */
function sm4Keys(dataKey: Buffer): { enc: Buffer; mac: Buffer } {
  const derive = (info: string, length: number) => Buffer.from(hkdfSync('sm3', dataKey, Buffer.alloc(0), Buffer.from(info, 'utf8'), length));
  return { enc: derive('formwarden/sm4-ctr/v1', 16), mac: derive('formwarden/hmac-sm3/v1', 32) };
}

const sm4Mac = (macKey: Buffer, context: CipherContext, iv: Buffer, body: Buffer) => createHmac('sm3', macKey).update(aad(context)).update(iv).update(body).digest();

function encryptSm4(dataKey: Buffer, version: number, value: unknown, context: CipherContext): string {
  const { enc, mac } = sm4Keys(dataKey);
  const iv = randomBytes(16);
  const cipher = createCipheriv('sm4-ctr', enc, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${SM4_PREFIX}${version}.${Buffer.concat([iv, body, sm4Mac(mac, context, iv, body)]).toString('base64url')}`;
}

/** Checks the MAC before anything is decrypted: a changed byte or a moved value opens nothing. */
function decryptSm4(dataKey: Buffer, token: string, context: CipherContext): unknown {
  const raw = Buffer.from(token.slice(token.indexOf('.', SM4_PREFIX.length) + 1), 'base64url');
  if (raw.length < 16 + 32) throw new Error('Malformed ciphertext token');
  const { enc, mac } = sm4Keys(dataKey);
  const iv = raw.subarray(0, 16);
  const body = raw.subarray(16, raw.length - 32);
  if (!timingSafeEqual(raw.subarray(raw.length - 32), sm4Mac(mac, context, iv, body))) throw new Error('Ciphertext does not authenticate');
  const decipher = createDecipheriv('sm4-ctr', enc, iv);
  return JSON.parse(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
}

/** Seals a value with `suite` under the data key of `version`. */
export function sealWith(suite: CipherSuite, key: Buffer, version: number, value: unknown, context: CipherContext): string {
  return suite === 'sm4' ? encryptSm4(key, version, value, context) : encryptValue(key, version, value, context);
}

/** Opens a token of either suite; throws on a wrong key, a tampered value or a value moved from elsewhere. */
export function openWith(key: Buffer, token: string, context: CipherContext): unknown {
  return tokenSuite(token) === 'sm4' ? decryptSm4(key, token, context) : decryptValue(key, token, context);
}

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
