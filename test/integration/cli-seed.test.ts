/**
 * `fw seed example` prints each example user's own random password once
 * (never one shared default), unless the operator gives `--password`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

const dataDirs: string[] = [];
/** On PostgreSQL, one fresh database per test (each seeds once); on PGlite a fresh data folder. */
const databases: TestDatabase[] = [];

beforeAll(async () => {
  if (process.env.FW_TEST_DB === 'postgres') databases.push(await createTestDatabase(), await createTestDatabase());
});
afterAll(async () => {
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  for (const d of databases) await d.drop();
});

function fw(n: number, ...args: string[]) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fw-seed-'));
  dataDirs.push(dataDir);
  const env: NodeJS.ProcessEnv = { ...process.env, FW_DATA_DIR: dataDir };
  if (databases[n]?.url) env.DATABASE_URL = databases[n].url;
  else delete env.DATABASE_URL;
  const r = spawnSync('npx', ['tsx', '--conditions=react-server', 'cli/fw.ts', ...args], { env, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const PASSWORD = /[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}/g;

describe(`fw seed example (${process.env.FW_TEST_DB ?? 'pglite'})`, () => {
  it('prints a different random password for each example user, once', () => {
    const r = fw(0, 'seed', 'example', '--records', '5');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n').filter((l) => /@example\.com/.test(l));
    expect(lines).toHaveLength(8);
    const passwords = lines.map((l) => l.match(PASSWORD)?.[0]);
    expect(passwords.every(Boolean)).toBe(true);
    expect(new Set(passwords).size).toBe(8);
    // Once: each password is printed a single time (no summary repeating them).
    // (The old shared default no longer exists anywhere, so checking its absence could not fail.)
    for (const p of passwords) expect(r.out.split(p!).length - 1, p).toBe(1);
    expect(r.out).toMatch(/change it at first sign-in/);
  }, 180_000);

  it('with --password prints no generated passwords', () => {
    const r = fw(1, 'seed', 'example', '--records', '0', '--password', 'Chosen2026');
    expect(r.code, r.err).toBe(0);
    expect(r.out.match(PASSWORD)).toBeNull();
    expect(r.out).toMatch(/the password you gave; each must change it/);
  }, 180_000);
});
