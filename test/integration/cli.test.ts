/**
 * The CLI end to end, on the database of this test project: an embedded
 * data folder (PGlite) or a fresh PostgreSQL database through DATABASE_URL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

const dataDir = mkdtempSync(path.join(tmpdir(), 'fw-cli-'));
let t: TestDatabase | undefined;
let databaseUrl: string | undefined;

beforeAll(async () => {
  if (process.env.FW_TEST_DB === 'postgres') {
    t = await createTestDatabase();
    databaseUrl = t.url;
  }
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await t?.drop();
});

function fw(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, FW_DATA_DIR: dataDir };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  const r = spawnSync('npx', ['tsx', '--conditions=react-server', 'cli/fw.ts', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe(`fw CLI (${process.env.FW_TEST_DB ?? 'pglite'})`, () => {
  it('migrates, seeds, creates users and prints only the token', () => {
    expect(fw('migrate').code).toBe(0);
    const seeded = fw('seed', 'example', '--password', 'Seed1234', '--records', '20');
    expect(seeded.code).toBe(0);
    expect(seeded.out).toContain('sales1@example.com');
    const created = fw('user', 'create', '--email', 'Ops@Example.com', '--name', '运维', '--password', 'Ops12345', '--department', '客服部', '--groups', '客服');
    expect(created.code).toBe(0);
    const token = fw('token', 'create', '--user', 'ops@example.com');
    expect(token.code).toBe(0);
    expect(token.out).toMatch(/^fw_[A-Za-z0-9_-]{43}\n$/);
  }, 120_000);

  it('refuses bad input clearly and changes nothing', () => {
    const weak = fw('user', 'create', '--email', 'weak@example.com', '--name', 'W', '--password', 'short');
    expect(weak.code).not.toBe(0);
    expect(weak.err).toMatch(/At least 8 characters/);
    const dup = fw('seed', 'example');
    expect(dup.code).not.toBe(0);
    expect(dup.err).toMatch(/already loaded/);
    const missing = fw('user', 'create', '--email', 'x@example.com');
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/--name/);
  }, 120_000);

  it('has --help on each command', () => {
    for (const cmd of [[], ['migrate'], ['user', 'create'], ['token', 'create'], ['seed', 'example']]) {
      const r = fw(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: fw/);
    }
  }, 120_000);
});
