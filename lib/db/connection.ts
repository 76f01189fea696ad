/**
 * The database: a PostgreSQL server through `pg` when DATABASE_URL is set,
 * otherwise embedded PGlite in the data folder. Same SQL on both.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, ParseJSONResultsPlugin, PGliteDialect, PostgresDialect } from 'kysely';
import { env } from '@/lib/env';
import { lockDataDir } from './data-dir-lock';
import { migrateToLatest } from './migrate';
import { refuseRlsExemptConnection } from './app-role';
import type { DB } from './schema';

export type Database = Kysely<DB>;

/**
 * Result columns that carry a JSON value we built (json_agg, json_build_object, jsonArrayFrom).
 * Both drivers (pg, PGlite) already parse json and jsonb by column type; the plugin makes a JSON
 * column arrive parsed on any driver or path that returns it as text, so no caller parses it.
 *
 * Only these top-level columns, never by content: the plugin's default guesses JSON in every
 * string that looks like `{…}` or `[…]`, nested ones included. That would turn a customer's text
 * value `{"a":1}` into an object (type confusion) and log the failed parse of `{abc}`,
 * value included, on every read (record values must never reach the logs).
 */
export const JSON_RESULT_COLUMNS: ReadonlySet<string> = new Set(['grants', 'groups', 'members', 'group_ids', 'prefetched']);
const TOP_LEVEL_COLUMN = /^\$\[\d+\]\."([^"]+)"$/;

export const parseJsonResults = () =>
  new ParseJSONResultsPlugin({ shouldParse: (_value, path) => JSON_RESULT_COLUMNS.has(TOP_LEVEL_COLUMN.exec(path)?.[1] ?? '') });

/**
 * Leads a statement that PostgreSQL should keep prepared (pg's named statements): parsed and
 * planned once per connection, then run from the server's plan cache. Only for the few hot
 * statements whose text never varies, such as the principal's statement (one text per
 * credential type and prefetch), whose planning took ~1 ms, four times its run. On PGlite it is
 * just a comment.
 */
export const PREPARED = '/* fw:prepared */';

/**
 * The statement name of a PREPARED text (a digest: the same text has the same name on every
 * connection), or undefined once PREPARED_TEXTS_MAX texts are known: each named statement
 * stays in every connection's memory, so a mistake that marked a varying text must not grow
 * them without bound (such a text then simply runs unnamed).
 */
const PREPARED_TEXTS_MAX = 200;
const preparedNames = new Map<string, string>();
function preparedName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (!name && preparedNames.size < PREPARED_TEXTS_MAX) {
    name = `fw_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    preparedNames.set(text, name);
  }
  return name;
}

/** Sends PREPARED statements as named statements; everything else as pg would. */
function prepareMarked(client: { query: (...args: unknown[]) => unknown }): void {
  const query = client.query.bind(client);
  client.query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = typeof text === 'string' && text.startsWith(PREPARED) && (values === undefined || Array.isArray(values)) && args.length <= 2 ? preparedName(text) : undefined;
    return name ? query({ name, text, values }) : query(...args);
  };
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'memory' };

export async function openDatabase(config: DatabaseConfig, options: { migrate?: boolean } = {}): Promise<Database> {
  let db: Database;
  if (config.kind === 'postgres') {
    const pg = await import('pg');
    const Pool = pg.default?.Pool ?? pg.Pool;
    const pool = new Pool({ connectionString: config.url, max: config.poolSize ?? 10 });
    // An idle connection dropped by the server (restart, failover) must not
    // crash the process: the pool replaces it on the next query.
    pool.on('error', (e: Error) => console.error('[formwarden] idle database connection lost:', e.message));
    pool.on('connect', (client) => prepareMarked(client as unknown as { query: (...args: unknown[]) => unknown }));
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [parseJsonResults()] });
    try {
      // Before anything is changed: production must not connect as a role RLS cannot bind.
      await refuseRlsExemptConnection(db, env().nodeEnv);
    } catch (e) {
      await db.destroy();
      throw e;
    }
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    let release = () => {};
    let dataUrl = 'memory://';
    if (config.kind === 'pglite') {
      mkdirSync(config.dataDir, { recursive: true }); // PGlite does not create parents
      release = lockDataDir(config.dataDir);
      dataUrl = path.join(config.dataDir, 'pglite');
    }
    let pglite;
    try {
      pglite = await PGlite.create(dataUrl);
    } catch (e) {
      release();
      throw e;
    }
    db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }), plugins: [parseJsonResults()] });
    const destroy = db.destroy.bind(db);
    db.destroy = async () => {
      await destroy();
      release();
    };
  }
  if (options.migrate !== false) await migrateToLatest(db);
  return db;
}

export function configFromEnv(): DatabaseConfig {
  const e = env();
  return e.databaseUrl ? { kind: 'postgres', url: e.databaseUrl } : { kind: 'pglite', dataDir: e.dataDir };
}

// Kept on globalThis so Next's dev reloads reuse the one open database
// instead of tripping over their own lock.
const holder = globalThis as unknown as { __fwDb?: Promise<Database> };

/** The process's database, opened (and migrated) on first use. */
export function getDb(): Promise<Database> {
  holder.__fwDb ??= openDatabase(configFromEnv()).catch((e) => {
    holder.__fwDb = undefined;
    throw e;
  });
  return holder.__fwDb;
}

/** Tests and the CLI choose their database explicitly. */
export function useDatabase(db: Database): void {
  holder.__fwDb = Promise.resolve(db);
}

export async function closeDb(): Promise<void> {
  const p = holder.__fwDb;
  holder.__fwDb = undefined;
  if (p) await (await p).destroy();
}
