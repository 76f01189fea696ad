/**
 * The re-encryption job survives its process being killed (SIGKILL, not a thrown error): the
 * next runner resumes from the last committed checkpoint and finishes; every value opens
 * afterwards to what it was, none is lost; reads and writes keep working while it runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Env = Record<string, string | undefined>;
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { buildWorld, customerForm, type World } from '../helpers/world';
import { openDatabase, useDatabase, type Database } from '@/lib/db/connection';
import { DataDirLockedError } from '@/lib/db/data-dir-lock';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { sealValues } from '@/lib/records/protect';
import { fieldsOf } from '@/lib/forms/definition';
import { createRecord, getRecord, listRecords } from '@/lib/records/operations';
import { keyStatus, rotateDataKey } from '@/lib/crypto/operations';
import { runDueJobs } from '@/lib/jobs/runner';
import { listJobProgress } from '@/lib/jobs/queue';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { keyProvider } from '@/lib/crypto/key-provider';

const RECORDS = 1200;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The test's database: a PostgreSQL one, or an embedded folder the child process can open too. */
async function database(): Promise<{ db: Database; env: Env; reopen(): Promise<Database>; close(): Promise<void>; drop(): Promise<void> }> {
  if (process.env.FW_TEST_DB === 'postgres') {
    const t: TestDatabase = await createTestDatabase();
    return { db: t.db, env: { DATABASE_URL: t.url }, reopen: async () => t.db, close: async () => {}, drop: () => t.drop() };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fw-crash-'));
  dirs.push(dataDir);
  let db = await openDatabase({ kind: 'pglite', dataDir });
  useDatabase(db);
  return {
    get db() {
      return db;
    },
    env: { FW_DATA_DIR: dataDir },
    async reopen() {
      // The killed runner's node process may take a moment to be gone after its wrapper exited.
      for (let tries = 0; ; tries++) {
        try {
          db = await openDatabase({ kind: 'pglite', dataDir });
          break;
        } catch (e) {
          if (!(e instanceof DataDirLockedError) || tries > 50) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      useDatabase(db);
      return db;
    },
    close: () => db.destroy(),
    drop: () => db.destroy(),
  };
}

async function addCustomers(db: Database, w: World, n: number): Promise<Map<string, string>> {
  const crypto = await fieldCrypto(db);
  const phones = new Map<string, string>();
  const rows = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const phone = `136${String(i).padStart(8, '0')}`;
    phones.set(id, phone);
    const values = { name: `崩溃测试${i}`, phone, level: 'A' };
    rows.push({ id, form_id: w.formId, form_version: 1, values: JSON.stringify(sealValues(crypto, w.formId, id, fieldsOf(customerForm), values)), owner_id: w.users.sales1, department_id: w.departments.sales1, created_by: w.users.sales1 });
  }
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('records').values(rows.slice(i, i + 200)).execute();
  return phones;
}

function masterKeyEnv(): Env {
  const p = keyProvider();
  return p.file ? { FW_MASTER_KEY_FILE: p.file, FW_MASTER_KEY: '' } : { FW_MASTER_KEY: process.env.FW_MASTER_KEY };
}

/** Runs the child runner and kills it with SIGKILL after it has committed `after` batches. */
function runAndKill(env: Env, after: number): Promise<{ batches: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', '--conditions=react-server', 'test/helpers/reseal-child.ts'], {
      // The same master key as this process (the child's own data folder would generate another).
      env: { ...process.env, ...env, ...masterKeyEnv(), LEASE_SECONDS: '2', ...(env.DATABASE_URL ? {} : { DATABASE_URL: '' }) },
      // Its own process group: the kill reaches tsx's node process, not only the npx wrapper.
      detached: true,
    });
    let output = '';
    let batches = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      batches = (output.match(/^batch \d+$/gm) ?? []).length;
      if (batches >= after && child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve({ batches, output }) : reject(new Error(`the child runner ended on its own (${_code}): ${output}`))));
  });
}

describe('a killed re-encryption job', () => {
  it('resumes from its checkpoint and finishes; nothing lost; reads and writes work meanwhile', async () => {
    const d = await database();
    try {
      const w = await buildWorld(d.db);
      const phones = await addCustomers(d.db, w, RECORDS);
      const total = RECORDS + 9;
      const cli = unsafeSystemCaller({ label: 'cli' });
      await rotateDataKey(cli, { graceSeconds: 0, batchSize: 40, leaseSeconds: 2 });
      await d.close();

      const killed = await runAndKill(d.env, 4);
      expect(killed.batches).toBeGreaterThanOrEqual(4);
      const db = await d.reopen();
      const [mid] = await listJobProgress(db, { kind: 'keys.reseal' });
      // Killed part-way: some batches committed, not all.
      expect(mid.state).toBe('running');
      expect(mid.done).toBeGreaterThanOrEqual(4 * 40);
      expect(mid.done).toBeLessThan(total);

      // Another runner takes over once the dead one's lease has expired, while staff keep working.
      await new Promise((r) => setTimeout(r, 2500));
      let stop = false;
      const staff = (async () => {
        let n = 0;
        while (!stop) {
          const rec = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: `作业中${n}`, phone: `135${String(n).padStart(8, '0')}` } });
          expect((await getRecord(w.caller('sales1'), { formId: w.formId, recordId: rec.id })).values.phone).toBe(`135${String(n).padStart(8, '0')}`);
          const page = await listRecords(w.caller('manager'), { formId: w.formId, pageSize: 20 });
          expect(page.items.every((r) => /^1\d{10}$/.test(String(r.values.phone)))).toBe(true);
          n++;
        }
        return n;
      })();
      const claimed = await runDueJobs({ leaseSeconds: 2 });
      stop = true;
      const served = await staff;
      expect(claimed).toBe(1);
      expect(served).toBeGreaterThan(0);

      const [job] = await listJobProgress(db, { kind: 'keys.reseal' });
      expect(job.state).toBe('done');
      // Every value is under the new version and opens to what it was.
      const rows = await db.selectFrom('records').select(['id', 'values']).where('form_id', '=', w.formId).execute();
      const stale = rows.filter((r) => !String((r.values as Record<string, unknown>).phone).startsWith('fw1.2.'));
      expect(stale.map((r) => r.id)).toEqual([]);
      const page = await listRecords(w.caller('manager'), { formId: w.formId, pageSize: 200, sort: 'name' });
      expect(page.total).toBe(total + served);
      const seen = await Promise.all([...phones.keys()].slice(0, 60).map((id) => getRecord(w.caller('manager'), { formId: w.formId, recordId: id })));
      for (const rec of seen) expect(rec.values.phone).toBe(phones.get(rec.id));
      const status = await keyStatus(cli, {});
      expect(status.versions.map((v) => [v.version, v.values, v.retiredAt !== null])).toEqual([
        [1, 0, true],
        [2, total + served, false],
      ]);
    } finally {
      await d.drop();
    }
  }, 240_000);
});
