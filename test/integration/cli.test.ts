/**
 * The CLI end to end, on the database of this test project: an embedded
 * data folder (PGlite) or a fresh PostgreSQL database through DATABASE_URL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { openDatabase, type Database } from '@/lib/db/connection';

/**
 * One CLI installation per test: its own data folder (PGlite) or its own
 * PostgreSQL database, removed when the test ends, so no test depends on
 * what an earlier one created (the first admin, the loaded example).
 */
async function installation() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fw-cli-'));
  const t: TestDatabase | undefined = process.env.FW_TEST_DB === 'postgres' ? await createTestDatabase() : undefined;
  onTestFinished(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await t?.drop();
  });
  const fw = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FW_DATA_DIR: dataDir };
    if (t?.url) env.DATABASE_URL = t.url;
    else delete env.DATABASE_URL;
    const r = spawnSync('npx', ['tsx', '--conditions=react-server', 'cli/fw.ts', ...args], { env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  /** Looks into the CLI's database between runs (the PGlite folder is free once fw exits). */
  const inDatabase = async <T,>(look: (db: Database) => Promise<T>): Promise<T> => {
    if (t) return look(t.db);
    const db = await openDatabase({ kind: 'pglite', dataDir }, { migrate: false });
    try {
      return await look(db);
    } finally {
      await db.destroy();
    }
  };
  return { fw, inDatabase };
}

const createRoot = ['user', 'create', '--email', 'Root@Example.com', '--name', 'Root', '--password', 'Root12345', '--admin'];

describe(`fw CLI (${process.env.FW_TEST_DB ?? 'pglite'})`, () => {
  it('creates the first admin on an empty database, through the operation, audited as "cli"', async () => {
    const { fw, inDatabase } = await installation();
    expect(fw('migrate').code).toBe(0);
    const first = fw(...createRoot);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const { users, events } = await inDatabase(async (db) => ({
      users: await db.selectFrom('users').select(['email', 'is_admin']).execute(),
      events: await db.selectFrom('audit_events').select(['action', 'actor_id', 'actor_label', 'outcome']).execute(),
    }));
    expect(users).toEqual([{ email: 'root@example.com', is_admin: true }]);
    expect(events).toEqual([{ action: 'directory.createUser', actor_id: null, actor_label: 'cli', outcome: 'ok' }]);
  }, 120_000);

  it('migrates, seeds, creates users and prints only the token', async () => {
    const { fw, inDatabase } = await installation();
    expect(fw('migrate').code).toBe(0);
    expect(fw(...createRoot).code).toBe(0);
    const seeded = fw('seed', 'example', '--password', 'Seed1234', '--records', '20');
    expect(seeded.code).toBe(0);
    expect(seeded.out).toContain('sales1@example.com');
    const created = fw('user', 'create', '--email', 'Ops@Example.com', '--name', '运维', '--password', 'Ops12345', '--department', '客服部', '--groups', '客服');
    expect(created.code).toBe(0);
    const token = fw('token', 'create', '--user', 'ops@example.com');
    expect(token.code).toBe(0);
    expect(token.out).toMatch(/^fw_[A-Za-z0-9_-]{43}\n$/);

    // Each went through its operation: department and group set, every step audited as "cli".
    const seen = await inDatabase(async (db) => ({
      ops: await db
        .selectFrom('users as u')
        .innerJoin('departments as d', 'd.id', 'u.department_id')
        .select(['u.id', 'd.name as department', (eb) => eb.selectFrom('group_members as gm').innerJoin('groups as g', 'g.id', 'gm.group_id').select('g.name').whereRef('gm.user_id', '=', 'u.id').as('group')])
        .where('u.email', '=', 'ops@example.com')
        .executeTakeFirst(),
      tokens: await db.selectFrom('api_tokens as t').innerJoin('users as u', 'u.id', 't.user_id').select(['u.email', 't.name']).execute(),
      events: await db.selectFrom('audit_events').select(['action', 'actor_label', 'actor_id', 'details']).where('actor_label', '=', 'cli').orderBy('id').execute(),
    }));
    expect(seen.ops).toMatchObject({ department: '客服部', group: '客服' });
    expect(seen.tokens).toEqual([{ email: 'ops@example.com', name: 'cli' }]);
    expect(seen.events.map((e) => e.action)).toEqual(['directory.createUser', 'seed.example', 'directory.listDepartments', 'directory.listGroups', 'directory.createUser', 'directory.listUsers', 'tokens.create']);
    expect(seen.events.every((e) => e.actor_id === null)).toBe(true);
  }, 120_000);

  it('refuses bad input clearly and changes nothing', async () => {
    // Its own installation with the example loaded (a second seed must be refused).
    const { fw, inDatabase } = await installation();
    expect(fw('migrate').code).toBe(0);
    expect(fw('seed', 'example', '--password', 'Seed1234', '--records', '0').code).toBe(0);
    const before = await inDatabase(async (db) => (await db.selectFrom('users').select('id').execute()).length);
    const weak = fw('user', 'create', '--email', 'weak@example.com', '--name', 'W', '--password', 'short');
    expect(weak.code).not.toBe(0);
    expect(weak.err).toMatch(/At least 8 characters/);
    const dup = fw('seed', 'example');
    expect(dup.code).not.toBe(0);
    expect(dup.err).toMatch(/already loaded/);
    const missing = fw('user', 'create', '--email', 'x@example.com');
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/--name/);
    const noGroup = fw('user', 'create', '--email', 'g@example.com', '--name', 'G', '--password', 'Good12345', '--groups', '不存在');
    expect(noGroup.code).toBe(2);
    expect(noGroup.err).toMatch(/No group named "不存在"/);
    const noUser = fw('token', 'create', '--user', 'ghost@example.com');
    expect(noUser.code).toBe(2);
    expect(noUser.err).toMatch(/No user with email ghost@example.com/);
    expect(await inDatabase(async (db) => (await db.selectFrom('users').select('id').execute()).length)).toBe(before);
  }, 120_000);

  it('has --help on each command', async () => {
    const { fw } = await installation();
    for (const cmd of [[], ['migrate'], ['user', 'create'], ['token', 'create'], ['seed', 'example']]) {
      const r = fw(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: fw/);
    }
  }, 120_000);
});
