/** The embedded database is single-process: the CLI must refuse, clearly, while the app holds it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/lib/db/connection';

const dataDir = mkdtempSync(path.join(tmpdir(), 'fw-lock-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function fw(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, FW_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const r = spawnSync('npx', ['tsx', '--conditions=react-server', 'cli/fw.ts', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('fw CLI and the embedded data folder', () => {
  it('says so when the app holds the embedded database, and corrupts nothing', async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir }); // plays the running app
    try {
      const r = fw('user', 'create', '--email', 'late@example.com', '--name', 'L', '--password', 'Late1234');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/open in another process \(pid \d+/);
      const users = await db.selectFrom('users').select('email').execute();
      expect(users.map((u) => u.email)).not.toContain('late@example.com');
    } finally {
      await db.destroy();
    }
    expect(fw('user', 'create', '--email', 'late@example.com', '--name', 'L', '--password', 'Late1234').code).toBe(0);
  }, 120_000);
});
