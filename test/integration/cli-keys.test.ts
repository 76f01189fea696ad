/**
 * `fw keys` and `fw jobs` end to end, as an operator runs them: status, a rotation that
 * re-encrypts the stored values and retires the old key, and a master-key rotation after which
 * only the new master key opens the database.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Env = Record<string, string | undefined>;
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

async function installation() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-cli-keys-'));
  // The master key lives apart from the data folder, as the deployment guide asks.
  const dataDir = path.join(dir, 'data');
  const keyFile = path.join(dir, 'master-key');
  writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const t: TestDatabase | undefined = process.env.FW_TEST_DB === 'postgres' ? await createTestDatabase() : undefined;
  onTestFinished(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.drop();
  });
  const fw = (args: string[], extra: Env = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FW_DATA_DIR: dataDir, FW_MASTER_KEY_FILE: keyFile, ...extra };
    delete env.FW_MASTER_KEY;
    if (t?.url) env.DATABASE_URL = t.url;
    else delete env.DATABASE_URL;
    const r = spawnSync('npx', ['tsx', '--conditions=react-server', 'cli/fw.ts', ...args], { env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { fw, dir, keyFile };
}

describe(`fw keys (${process.env.FW_TEST_DB ?? 'pglite'})`, () => {
  it('rotates the data key, re-encrypts every value, retires the old version; re-wraps under a new master key', async () => {
    const { fw, dir } = await installation();
    expect(fw(['seed', 'example', '--records', '40', '--password', 'Example123']).code).toBe(0);
    const before = fw(['keys', 'status']);
    expect(before.code).toBe(0);
    expect(before.out).toContain('Master key: file, opens every data key');
    // 40 customers × 2 encrypted fields (手机号, 身份证号), all under version 1.
    expect(before.out).toMatch(/^1\s+current\s+\S+\s+80\s+80\s/m);

    const rotated = fw(['keys', 'rotate', '--grace', '0', '--batch', '7', ...(process.env.FW_TEST_DB === 'postgres' ? ['--wait'] : [])]);
    expect(rotated.err).toBe('');
    expect(rotated.out).toContain('Data key version 2 is current');
    expect(rotated.out).toMatch(/keys\.reseal\s+done\s+finished\s+40\s+40/);

    const after = fw(['keys', 'status']);
    expect(after.out).toMatch(/^1\s+retired \S+\s+\S+\s+0\s+80\s/m);
    expect(after.out).toMatch(/^2\s+current\s+\S+\s+80\s+80\s/m);
    expect(fw(['jobs']).out).toMatch(/keys\.reseal\s+done/);

    // The blind-index key: 40 × 2 digests move to version 2, version 1 retires.
    expect(after.out).toMatch(/^1\s+current\s+\S+\s+80\s*$/m);
    const reindexed = fw(['keys', 'rotate-lookup', '--grace', '0', '--batch', '9', ...(process.env.FW_TEST_DB === 'postgres' ? ['--wait'] : [])]);
    expect(reindexed.err).toBe('');
    expect(reindexed.out).toContain('Blind-index key version 2 is current');
    expect(reindexed.out).toMatch(/keys\.reindex\s+done\s+finished\s+40\s+40/);
    const indexed = fw(['keys', 'status']);
    expect(indexed.out).toMatch(/Blind-index keys[\s\S]*^1\s+retired \S+\s+\S+\s+0\s*$/m);
    expect(indexed.out).toMatch(/^2\s+current\s+\S+\s+80\s*$/m);

    const next = path.join(dir, 'next-master-key');
    writeFileSync(next, randomBytes(32).toString('base64'), { mode: 0o600 });
    const rewrapped = fw(['keys', 'rotate-master', '--new-key-file', next]);
    expect(rewrapped.out).toContain('Re-wrapped 2 data key version(s) and 2 blind-index key version(s)');
    expect(fw(['keys', 'status'], { FW_MASTER_KEY_FILE: next }).out).toContain('opens every data key');
    expect(fw(['keys', 'status']).out).toContain('WRONG: it does not open the data keys of this database');

    // The audit log of all this: sealed and checked by the command line.
    const audited = fw(['audit', 'verify'], { FW_MASTER_KEY_FILE: next, FW_AUDIT_CHECKPOINT_DIR: path.join(dir, 'checkpoints'), FW_AUDIT_SIGNING_KEY_FILE: path.join(dir, 'audit-key.pem') });
    expect(audited.code).toBe(0);
    expect(audited.out).toMatch(/^Audit log intact: \d+ events in the chain, 0 signed checkpoint\(s\) match\.$/m);
  }, 300_000);
});
