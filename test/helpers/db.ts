/**
 * A fresh database per test file: in-memory PGlite, or a new database on
 * the PostgreSQL server of TEST_DATABASE_URL, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, useDatabase, type Database } from '@/lib/db/connection';

export interface TestDatabase {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** The PostgreSQL URL of this database (postgres only). */
  url?: string;
  drop(): Promise<void>;
}

/** `migrate: false`: an empty database, for tests that run the migrations themselves. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const kind = process.env.FW_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
  if (kind === 'pglite') {
    const db = await openDatabase({ kind: 'memory' }, options);
    useDatabase(db);
    return { db, kind, drop: () => db.destroy() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('FW_TEST_DB=postgres needs TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  const name = `fw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 4 }, options);
  useDatabase(db);
  return {
    db,
    kind,
    url: url.toString(),
    async drop() {
      await db.destroy();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
