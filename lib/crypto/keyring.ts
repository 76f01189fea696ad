/**
 * Data keys by version, wrapped by the master key in `encryption_keys`.
 * Unwrapped keys are cached in memory: keys never change once written, and
 * any instance can rebuild the cache from the table.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { getDb } from '@/lib/db/connection';
import type { DB } from '@/lib/db/schema';
import { masterKey } from '@/lib/secrets';
import { decryptValue, encryptValue, isCipherToken, tokenVersion, unwrapKey, wrapKey, type CipherContext } from './field-cipher';

type Db = Kysely<DB> | Transaction<DB>;

interface KeyCache {
  keys: Map<number, Buffer>;
  current: number | undefined;
}
// One cache per open database (a process may hold several: tests, the bench).
const caches = new WeakMap<object, KeyCache>();

async function cacheOf(): Promise<KeyCache> {
  const root = await getDb();
  let c = caches.get(root);
  if (!c) caches.set(root, (c = { keys: new Map(), current: undefined }));
  return c;
}

async function load(db: Db, cache: KeyCache): Promise<void> {
  const rows = await db.selectFrom('encryption_keys').select(['version', 'wrapped_key']).orderBy('version').execute();
  const master = masterKey();
  for (const r of rows) if (!cache.keys.has(r.version)) cache.keys.set(r.version, unwrapKey(master, r.version, r.wrapped_key));
  cache.current = rows.length ? rows[rows.length - 1].version : undefined;
}

/** The version new values are encrypted with; creates version 1 on first use. */
async function currentKey(db: Db, cache: KeyCache): Promise<{ version: number; key: Buffer }> {
  if (cache.current === undefined) await load(db, cache);
  if (cache.current === undefined) {
    const version = 1;
    await db
      .insertInto('encryption_keys')
      .values({ version, wrapped_key: wrapKey(masterKey(), version, randomBytes(32)) })
      .onConflict((oc) => oc.column('version').doNothing())
      .execute();
    await load(db, cache);
  }
  return { version: cache.current!, key: cache.keys.get(cache.current!)! };
}

async function keyFor(db: Db, cache: KeyCache, version: number): Promise<Buffer> {
  if (!cache.keys.has(version)) await load(db, cache);
  const key = cache.keys.get(version);
  if (!key) throw new Error(`Encryption key version ${version} is missing`);
  return key;
}

export interface FieldCrypto {
  encrypt(value: unknown, context: CipherContext): string;
  decrypt(token: string, context: CipherContext): unknown;
}

/**
 * A per-request cipher: loads keys at most once, then encrypts and decrypts
 * synchronously. Call `prepare` with the tokens you are about to read so any
 * key version they need is loaded.
 */
export async function fieldCrypto(db: Db, tokens: Iterable<unknown> = []): Promise<FieldCrypto> {
  const cache = await cacheOf();
  const { version, key } = await currentKey(db, cache);
  for (const t of tokens) if (isCipherToken(t)) await keyFor(db, cache, tokenVersion(t));
  return {
    encrypt: (value, context) => encryptValue(key, version, value, context),
    decrypt: (token, context) => {
      const k = cache.keys.get(tokenVersion(token));
      if (!k) throw new Error(`Encryption key version ${tokenVersion(token)} is not loaded`);
      return decryptValue(k, token, context);
    },
  };
}
