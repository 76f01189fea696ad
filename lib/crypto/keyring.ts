/**
 * Data keys by version, wrapped by the master key (lib/crypto/key-provider.ts) in
 * `encryption_keys`. The newest version that is not retired is current: new values are sealed
 * under it. Older versions open what is still sealed under them until a re-encryption job has
 * moved every value on; then they are retired and open nothing.
 *
 * Which version is current and which are retired is read in every transaction that seals or
 * opens (`keyStateSql`, riding in a statement the transaction sends anyway), never kept as
 * process state: a rotation on one instance reaches every other at its next transaction.
 * Unwrapped keys are cached: a version's key never changes once written.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { getDb } from '@/lib/db/connection';
import { switchToAppRole } from '@/lib/db/app-role';
import type { DB } from '@/lib/db/schema';
import { keyProvider } from './key-provider';
import type { FieldKind } from '@/lib/forms/field-kinds';
import { openWith, sealWith, tokenVersion, type CipherContext, type CipherSuite } from './field-cipher';
import { env } from '@/lib/env';
import { lookupDigest, normaliseForLookup } from './blind-index';

type Db = Kysely<DB> | Transaction<DB>;

/** What a transaction knows about the keys: the current version, the ones that open, the retired ones. */
export interface KeyState {
  current: number | null;
  live: number[];
  retired: number[];
  /** The blind-index key version new digests are made under (lib/crypto/blind-index.ts). */
  blind: number | null;
  /** Every blind-index version not retired, newest first: a lookup asks for a digest under each (a rebuild is moving them). */
  blindLive: number[];
}

/** The key state as one JSON value, to select in a statement the transaction sends anyway. */
export const keyStateSql = sql<KeyState>`(select json_build_object(
    'current', max(k.version) filter (where k.retired_at is null),
    'live', coalesce(json_agg(k.version) filter (where k.retired_at is null), '[]'::json),
    'retired', coalesce(json_agg(k.version) filter (where k.retired_at is not null), '[]'::json),
    'blind', (select max(b.version) from blind_index_keys b where b.retired_at is null),
    'blindLive', coalesce((select json_agg(b.version order by b.version desc) from blind_index_keys b where b.retired_at is null), '[]'::json))
  from encryption_keys k)`;

/**
 * AES-GCM with random 96-bit nonces stays safe for about 2^32 values per key (NIST SP 800-38D).
 * Warn at a quarter of that, so a rotation can be planned long before the limit.
 */
export const GCM_ENCRYPTIONS_WARNING = 2 ** 30;
export const GCM_ENCRYPTIONS_LIMIT = 2 ** 32;

interface KeyCache {
  keys: Map<number, Buffer>;
  blindKeys: Map<number, Buffer>;
  /** Encryptions per version this process made and has not yet added to the table. */
  unflushed: Map<number, number>;
}
// One cache per open database (a process may hold several: tests, the bench). On globalThis:
// Next bundles instrumentation.ts (the job runner, which flushes the counts) apart from the
// routes (which encrypt), each with its own copy of this module; they must share the counts.
const holder = globalThis as unknown as { __fwKeyCaches?: WeakMap<object, KeyCache> };
const caches = (holder.__fwKeyCaches ??= new WeakMap<object, KeyCache>());

async function cacheOf(): Promise<KeyCache> {
  const root = await getDb();
  let c = caches.get(root);
  if (!c) caches.set(root, (c = { keys: new Map(), blindKeys: new Map(), unflushed: new Map() }));
  return c;
}

/** Drops this process's unwrapped keys, as a restart would (tests: a key re-wrapped under a new master key must unwrap with it). */
export async function forgetUnwrappedKeys(): Promise<void> {
  const c = await cacheOf();
  c.keys.clear();
  c.blindKeys.clear();
}

/** A key version this database does not have, or one that was retired: nothing opens with it. */
export class KeyUnavailableError extends Error {
  constructor(version: number, why: 'missing' | 'retired') {
    super(`Encryption key version ${version} is ${why}`);
    this.name = 'KeyUnavailableError';
  }
}

async function load(db: Db, cache: KeyCache, versions: number[]): Promise<void> {
  const missing = versions.filter((v) => !cache.keys.has(v));
  if (!missing.length) return;
  const rows = await db.selectFrom('encryption_keys').select(['version', 'wrapped_key']).where('version', 'in', missing).execute();
  const provider = keyProvider();
  for (const r of rows) cache.keys.set(r.version, await provider.unwrap(String(r.version), r.wrapped_key));
}

/** Adds a data key version (the first one on first use, or a rotation's next one); returns it. */
export async function addKeyVersion(db: Db): Promise<number> {
  const next = await db.selectFrom('encryption_keys').select(sql<number>`coalesce(max(version), 0) + 1`.as('v')).executeTakeFirstOrThrow();
  const version = next.v;
  await db
    .insertInto('encryption_keys')
    .values({ version, wrapped_key: await keyProvider().wrap(String(version), randomBytes(32)) })
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
  return version;
}

export interface FieldCrypto {
  /** The version new values are sealed under. */
  readonly version: number;
  /** The suite new values are sealed with (FW_FIELD_CIPHER). */
  readonly suite: CipherSuite;
  encrypt(value: unknown, context: CipherContext): string;
  decrypt(token: string, context: CipherContext): unknown;
  /** The blind-index version new digests are made under. */
  readonly lookupVersion: number;
  /** The digest to store for a value of `kind` (and `format`) in this form and field, or undefined when it is no whole value. */
  lookup(formId: string, field: string, kind: FieldKind, value: unknown, format?: string): string | undefined;
  /** The digests to look a value up by: one per blind-index version not retired (empty when it is no whole value). */
  lookupAny(formId: string, field: string, kind: FieldKind, value: unknown, format?: string): string[];
}

/** Adds a blind-index key version (a rotation's next one); returns it. */
export async function addBlindKeyVersion(db: Db): Promise<number> {
  const next = await db.selectFrom('blind_index_keys').select(sql<number>`coalesce(max(version), 0) + 1`.as('v')).executeTakeFirstOrThrow();
  const version = next.v;
  await db
    .insertInto('blind_index_keys')
    .values({ version, wrapped_key: await keyProvider().wrap(`blind-index/${version}`, randomBytes(32)) })
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
  return version;
}

/** The blind-index key of `version`, made (version 1) on first use. */
async function blindKey(db: Db, cache: KeyCache, version: number | null): Promise<{ version: number; key: Buffer }> {
  const v = version ?? 1;
  let key = cache.blindKeys.get(v);
  if (!key) {
    const label = `blind-index/${v}`;
    if (version === null) {
      await db.insertInto('blind_index_keys').values({ version: 1, wrapped_key: await keyProvider().wrap(label, randomBytes(32)) }).onConflict((oc) => oc.column('version').doNothing()).execute();
    }
    const row = await db.selectFrom('blind_index_keys').select('wrapped_key').where('version', '=', v).executeTakeFirstOrThrow();
    key = await keyProvider().unwrap(label, row.wrapped_key);
    cache.blindKeys.set(v, key);
  }
  return { version: v, key };
}

/**
 * A per-transaction cipher: loads the keys it lacks (once per process and version), then seals
 * and opens synchronously. `state` is the transaction's own read of `keyStateSql` (read here
 * when the caller has no statement that carried it: seeds, jobs, tests).
 */
export async function fieldCrypto(db: Db, known?: KeyState): Promise<FieldCrypto> {
  const cache = await cacheOf();
  const state = known ?? (await readKeyState(db));
  let current = state.current;
  if (current === null) {
    // The first encrypted value ever: make version 1 (two first writers agree on it).
    await db.insertInto('encryption_keys').values({ version: 1, wrapped_key: await keyProvider().wrap('1', randomBytes(32)) }).onConflict((oc) => oc.column('version').doNothing()).execute();
    current = 1;
  }
  const retired = new Set(state.retired);
  await load(db, cache, [...new Set([current, ...state.live])]);
  const key = cache.keys.get(current);
  if (!key) throw new KeyUnavailableError(current, 'missing');
  const version = current;
  const blind = await blindKey(db, cache, state.blind);
  const blindLive = [blind];
  for (const v of state.blindLive ?? []) if (v !== blind.version) blindLive.push(await blindKey(db, cache, v));
  const suite = env().fieldCipher;
  return {
    version,
    suite,
    lookupVersion: blind.version,
    lookup: (formId, field, kind, value, format) => {
      const normalised = normaliseForLookup(kind, value, format);
      return normalised === undefined ? undefined : lookupDigest(blind.key, blind.version, formId, field, normalised);
    },
    lookupAny: (formId, field, kind, value, format) => {
      const normalised = normaliseForLookup(kind, value, format);
      return normalised === undefined ? [] : blindLive.map((b) => lookupDigest(b.key, b.version, formId, field, normalised));
    },
    encrypt: (value, context) => {
      cache.unflushed.set(version, (cache.unflushed.get(version) ?? 0) + 1);
      return sealWith(suite, key, version, value, context);
    },
    decrypt: (token, context) => {
      const v = tokenVersion(token);
      // Threat: a value re-planted under a retired key (an old backup's row copied back) must not
      // open because some process still holds that key in memory.
      if (retired.has(v)) throw new KeyUnavailableError(v, 'retired');
      const k = cache.keys.get(v);
      if (!k) throw new KeyUnavailableError(v, 'missing');
      return openWith(k, token, context);
    },
  };
}

/** The key state read on its own, for work that has no statement to carry it (CLI, jobs). */
export async function readKeyState(db: Db): Promise<KeyState> {
  const r = await sql<{ state: KeyState }>`select ${keyStateSql} as state`.execute(db);
  return r.rows[0].state;
}

/**
 * Adds the encryptions this process made to each version's count, in its own short
 * transaction. Counting in the request's transaction would put every writer in the queue for
 * the key's row; counted here, a crash loses at most the last interval's count, a few
 * thousand against a warning at 2^30. Returns versions past the warning.
 */
export async function flushKeyUsage(): Promise<{ version: number; encryptions: number }[]> {
  const cache = await cacheOf();
  const pending = [...cache.unflushed.entries()].filter(([, n]) => n > 0);
  if (!pending.length) return [];
  cache.unflushed.clear();
  const db = await getDb();
  try {
    const rows = await db.transaction().execute(async (trx) => {
      await sql`select ${switchToAppRole}`.execute(trx);
      const out: { version: number; encryptions: number }[] = [];
      for (const [version, n] of pending) {
        const r = await trx.updateTable('encryption_keys').set({ encryptions: sql`encryptions + ${n}` }).where('version', '=', version).returning('encryptions').executeTakeFirst();
        if (r) out.push({ version, encryptions: Number(r.encryptions) });
      }
      return out;
    });
    const near = rows.filter((r) => r.encryptions >= GCM_ENCRYPTIONS_WARNING);
    for (const r of near) {
      console.warn(`[formwarden] data key version ${r.version} has sealed ${r.encryptions} values; AES-GCM's safe limit is about ${GCM_ENCRYPTIONS_LIMIT}. Rotate it: npm run fw -- keys rotate`);
    }
    return near;
  } catch (e) {
    // Not lost: counted again at the next flush.
    for (const [version, n] of pending) cache.unflushed.set(version, (cache.unflushed.get(version) ?? 0) + n);
    throw e;
  }
}

/** The master key does not open this database's data keys. */
export class WrongMasterKeyError extends Error {
  constructor(version: number) {
    super(
      `The configured master key does not open data key version ${version} of this database: it is not the key this database was encrypted with. ` +
        'Start with the right FW_MASTER_KEY or FW_MASTER_KEY_FILE (a key rotated with `fw keys rotate-master` replaces the old one).',
    );
    this.name = 'WrongMasterKeyError';
  }
}

/** Unwraps every data key that still opens values; throws WrongMasterKeyError on the first that does not. */
export async function verifyMasterKey(db: Db): Promise<void> {
  const rows = await db.selectFrom('encryption_keys').select(['version', 'wrapped_key']).where('retired_at', 'is', null).orderBy('version').execute();
  const provider = keyProvider();
  for (const r of rows) {
    try {
      await provider.unwrap(String(r.version), r.wrapped_key);
    } catch {
      throw new WrongMasterKeyError(r.version);
    }
  }
}
