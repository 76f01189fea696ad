/**
 * Keys for the long run: rotation while serving, re-encryption by a durable job, retirement,
 * re-wrapping under a new master key, and every misuse failing closed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshWorld } from '../helpers/world';
import { createRecord, getRecord, listRecords, updateRecord } from '@/lib/records/operations';
import { keyStatus, rewrapDataKeys, rotateDataKey, rotateLookupKey } from '@/lib/crypto/operations';
import { reindexRecordsBatch } from '@/lib/records/jobs/operations';
import { runDueJobs } from '@/lib/jobs/runner';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { flushKeyUsage, forgetUnwrappedKeys, verifyMasterKey, WrongMasterKeyError } from '@/lib/crypto/keyring';
import { keyProvider, localKeyProvider, useKeyProvider } from '@/lib/crypto/key-provider';
import { listJobProgress } from '@/lib/jobs/queue';
import type { Database } from '@/lib/db/connection';
import { failure } from '../helpers/outcome';
import { reloadEnvForTest } from '@/lib/env';

const cli = () => unsafeSystemCaller({ label: 'cli' });
// Fast jobs for tests: no grace before retiring, small batches.
const quick = { graceSeconds: 0, batchSize: 4, leaseSeconds: 30 };

async function phoneTokens(db: Database, formId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('records').select(['id', 'values']).where('form_id', '=', formId).execute();
  return new Map(rows.map((r) => [r.id, String((r.values as Record<string, unknown>).phone)]));
}
const versionOf = (token: string) => Number(token.split('.')[1]);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('data key rotation', () => {
  it('new writes use the new version at once; a job moves every value and retires the old version; reads work throughout', async () => {
    const { t, w } = await freshWorld();
    const before = await phoneTokens(t.db, w.formId);
    expect([...before.values()].every((tok) => versionOf(tok) === 1)).toBe(true);

    const rotated = await rotateDataKey(cli(), quick);
    expect(rotated.version).toBe(2);
    // Served while the job has not run yet: old values open, new ones are sealed under version 2.
    const created = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '轮换中', phone: '13911112222' } });
    expect(versionOf((await phoneTokens(t.db, w.formId)).get(created.id)!)).toBe(2);
    const page = await listRecords(w.caller('manager'), { formId: w.formId, pageSize: 100 });
    expect(page.items.every((r) => typeof r.values.phone === 'string' && /^1\d{10}$/.test(r.values.phone as string))).toBe(true);
    const status = await keyStatus(cli(), {});
    expect(status.versions.map((v) => [v.version, v.current, v.values])).toEqual([
      [1, false, 9],
      [2, true, 1],
    ]);
    expect(status.reseal).toMatchObject({ state: 'queued' });

    expect(await runDueJobs()).toBe(1);
    const after = await phoneTokens(t.db, w.formId);
    expect([...after.values()].every((tok) => versionOf(tok) === 2)).toBe(true);
    // Every value still opens to what it was.
    for (const id of before.keys()) {
      const rec = await getRecord(w.caller('manager'), { formId: w.formId, recordId: id });
      expect(rec.unreadable ?? []).toEqual([]);
      expect(rec.values.phone).toMatch(/^1380000\d00\d$/);
    }
    const done = await keyStatus(cli(), {});
    expect(done.versions.map((v) => [v.version, v.values, v.retiredAt !== null])).toEqual([
      [1, 0, true],
      [2, 10, false],
    ]);
    expect(done.reseal).toMatchObject({ state: 'done', done: 10, total: 10 });

    // A retired version opens nothing, even in this process that still holds its key: a row
    // from before the rotation planted back shows as unreadable.
    const [id, oldToken] = [...before.entries()][0];
    const row = await t.db.selectFrom('records').select('values').where('id', '=', id).executeTakeFirstOrThrow();
    await t.db.updateTable('records').set({ values: JSON.stringify({ ...(row.values as object), phone: oldToken }) }).where('id', '=', id).execute();
    const planted = await getRecord(w.caller('manager'), { formId: w.formId, recordId: id });
    expect(planted.unreadable).toEqual(['phone']);
    expect(JSON.stringify(planted)).not.toContain('1380000');
  });

  it('a version another instance added is used by this one at its next transaction', async () => {
    const { t, w } = await freshWorld();
    // What a rotation on another instance leaves behind: a new row, nothing in this process.
    await t.db.insertInto('encryption_keys').values({ version: 2, wrapped_key: await keyProvider().wrap('2', randomBytes(32)) }).execute();
    const rec = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '另一实例', phone: '13933334444' } });
    expect(versionOf((await phoneTokens(t.db, w.formId)).get(rec.id)!)).toBe(2);
    expect((await getRecord(w.caller('sales1'), { formId: w.formId, recordId: rec.id })).values.phone).toBe('13933334444');
  });

  it('a value written under an old version after the pass (a late writer) is caught by a second pass before retiring', async () => {
    const { t, w } = await freshWorld();
    const [id] = w.records.sales1;
    const v1 = (await phoneTokens(t.db, w.formId)).get(id)!;
    await rotateDataKey(cli(), { ...quick, graceSeconds: 2 });
    // The pass runs; retiring waits out the grace, and the job is handed back.
    await runDueJobs();
    expect((await keyStatus(cli(), {})).reseal).toMatchObject({ state: 'running', phase: 'retire' });
    // What a transaction that read the key state before the rotation commits late (raw, as the owner).
    const row = await t.db.selectFrom('records').select('values').where('id', '=', id).executeTakeFirstOrThrow();
    await t.db.updateTable('records').set({ values: JSON.stringify({ ...(row.values as object), phone: v1 }) }).where('id', '=', id).execute();
    await new Promise((r) => setTimeout(r, 2100));
    await runDueJobs();
    expect(versionOf((await phoneTokens(t.db, w.formId)).get(id)!)).toBe(2);
    const status = await keyStatus(cli(), {});
    expect(status.versions.map((v) => [v.version, v.values, v.retiredAt !== null])).toEqual([
      [1, 0, true],
      [2, 9, false],
    ]);
    expect(status.reseal).toMatchObject({ state: 'done', done: 9, total: 9 });
    expect((await getRecord(w.caller('sales1'), { formId: w.formId, recordId: id })).values.phone).toMatch(/^1380000100\d$/);
  });

  it('a value that does not open is left as it is, and its version is kept rather than retired', async () => {
    const { t, w } = await freshWorld();
    const [id] = w.records.sales1;
    const row = await t.db.selectFrom('records').select('values').where('id', '=', id).executeTakeFirstOrThrow();
    const token = String((row.values as Record<string, unknown>).phone);
    const broken = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}${token.slice(-1)}`;
    await t.db.updateTable('records').set({ values: JSON.stringify({ ...(row.values as object), phone: broken }) }).where('id', '=', id).execute();
    await rotateDataKey(cli(), quick);
    await runDueJobs();
    expect((await phoneTokens(t.db, w.formId)).get(id)).toBe(broken);
    const status = await keyStatus(cli(), {});
    expect(status.versions.map((v) => [v.version, v.values, v.retiredAt !== null])).toEqual([
      [1, 1, false],
      [2, 8, false],
    ]);
    expect(status.reseal).toMatchObject({ state: 'done' });
  });

  it('counts encryptions per version', async () => {
    const { w, t } = await freshWorld();
    await flushKeyUsage();
    const start = Number((await t.db.selectFrom('encryption_keys').select('encryptions').where('version', '=', 1).executeTakeFirstOrThrow()).encryptions);
    for (let i = 0; i < 3; i++) await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: `计数${i}`, phone: `1390000000${i}` } });
    await flushKeyUsage();
    const end = Number((await t.db.selectFrom('encryption_keys').select('encryptions').where('version', '=', 1).executeTakeFirstOrThrow()).encryptions);
    expect(end - start).toBe(3);
  });

  it('two runners on one database never run the same batch', async () => {
    const { t, w } = await freshWorld();
    for (let i = 0; i < 30; i++) await createRecord(w.caller('manager'), { formId: w.formId, values: { name: `并发${i}`, phone: `1370000${String(i).padStart(4, '0')}` } });
    await rotateDataKey(cli(), { ...quick, batchSize: 3 });
    const [a, b] = await Promise.all([runDueJobs({ id: 'runner-a' }), runDueJobs({ id: 'runner-b' })]);
    expect(a + b).toBeGreaterThanOrEqual(1);
    const events = await t.db.selectFrom('audit_events').select('details').where('action', '=', 'keys.reseal').execute();
    const scanned = events.reduce((n, e) => n + Number((e.details as { scanned: number }).scanned), 0);
    // Exactly one pass over the 39 records: no batch twice, none skipped.
    expect(scanned).toBe(39);
    const [job] = await listJobProgress(t.db, { kind: 'keys.reseal' });
    expect(job).toMatchObject({ state: 'done', done: 39, total: 39 });
  });
});

describe('blind-index key rotation', () => {
  const digests = async (db: Database, formId: string) =>
    new Map((await db.selectFrom('records').select(['id', 'blind_index']).where('form_id', '=', formId).execute()).map((r) => [r.id, r.blind_index.phone]));
  const found = async (w: Awaited<ReturnType<typeof freshWorld>>['w'], phone: string) => [
    ...(await listRecords(w.caller('manager'), { formId: w.formId, q: phone })).items.map((r) => r.id),
    ...(await listRecords(w.caller('manager'), { formId: w.formId, filter: { phone } })).items.map((r) => r.id),
  ];

  it('new digests use the new version at once; exact search finds every record before, during and after the rebuild; the old version is retired', async () => {
    const { t, w } = await freshWorld();
    const before = await digests(t.db, w.formId);
    expect([...before.values()].every((d) => d.startsWith('1.'))).toBe(true);
    const target = w.records.sales2[2];
    expect(await found(w, '13800002002')).toEqual([target, target]);

    expect(await rotateLookupKey(cli(), quick)).toMatchObject({ version: 2 });
    // Found by its old digest until the job has moved it; a new record gets a digest under version 2.
    expect(await found(w, '13800002002')).toEqual([target, target]);
    const created = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '换索引钥', phone: '13911113333' } });
    expect((await digests(t.db, w.formId)).get(created.id)).toMatch(/^2\./);
    expect(await found(w, '13911113333')).toEqual([created.id, created.id]);
    const status = await keyStatus(cli(), {});
    expect(status.lookupVersions.map((v) => [v.version, v.current, v.digests])).toEqual([
      [1, false, 9],
      [2, true, 1],
    ]);
    expect(status.reindex).toMatchObject({ state: 'queued' });
    // Only the job runner may drive its batches.
    expect((await failure(reindexRecordsBatch(w.caller('admin'), { jobId: status.reindex!.id, lease: status.reindex!.id }))).code).toBe('forbidden');

    expect(await runDueJobs()).toBe(1);
    const after = await digests(t.db, w.formId);
    expect([...after.values()].every((d) => d.startsWith('2.'))).toBe(true);
    // Remade from the value: not the old digest with a new number.
    expect(after.get(target)!.slice(2)).not.toBe(before.get(target)!.slice(2));
    expect(await found(w, '13800002002')).toEqual([target, target]);
    expect(await found(w, '13911113333')).toEqual([created.id, created.id]);
    const done = await keyStatus(cli(), {});
    expect(done.lookupVersions.map((v) => [v.version, v.digests, v.retiredAt !== null])).toEqual([
      [1, 0, true],
      [2, 10, false],
    ]);
    expect(done.reindex).toMatchObject({ state: 'done', done: 10, total: 10 });

    // A retired version is never asked for: an old digest planted back finds nothing.
    await t.db.updateTable('records').set({ blind_index: JSON.stringify({ phone: before.get(target) }) }).where('id', '=', target).execute();
    expect(await found(w, '13800002002')).toEqual([]);
  });
});

describe('master key', () => {
  it('re-wrapping under a new master key: the new one opens everything, the old one opens nothing', async () => {
    const { t, w } = await freshWorld();
    const dir = mkdtempSync(path.join(tmpdir(), 'fw-master-'));
    dirs.push(dir);
    const file = path.join(dir, 'new-master-key');
    const next = randomBytes(32);
    writeFileSync(file, next.toString('base64'), { mode: 0o600 });
    const old = keyProvider();
    expect(await rewrapDataKeys(cli(), { newKeyFile: file })).toEqual({ versions: 1, lookupVersions: 1 });
    try {
      useKeyProvider(localKeyProvider(next, 'file', file));
      await expect(verifyMasterKey(t.db)).resolves.toBeUndefined();
      useKeyProvider(old);
      await expect(verifyMasterKey(t.db)).rejects.toBeInstanceOf(WrongMasterKeyError);
    } finally {
      useKeyProvider(localKeyProvider(next, 'file', file));
    }
    // Reads, writes and exact search keep working with the new key, also after a restart
    // (nothing unwrapped under the old one is left in memory): the blind-index key was re-wrapped too.
    await forgetUnwrappedKeys();
    const page = await listRecords(w.caller('manager'), { formId: w.formId });
    expect(page.items.every((r) => /^1\d{10}$/.test(String(r.values.phone)))).toBe(true);
    expect((await listRecords(w.caller('manager'), { formId: w.formId, q: '13800001001' })).items.map((r) => r.id)).toEqual([w.records.sales1[1]]);
    await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '换主密钥后', phone: '13900002222' } });
    expect((await listRecords(w.caller('manager'), { formId: w.formId, filter: { phone: '13900002222' } })).total).toBe(1);
    useKeyProvider(undefined);
    await forgetUnwrappedKeys();
  });

  it('a wrong master key is refused with a clear message', async () => {
    const { t } = await freshWorld();
    const right = keyProvider();
    useKeyProvider(localKeyProvider(randomBytes(32), 'environment'));
    try {
      const err = await verifyMasterKey(t.db).then(() => undefined, (e: Error) => e);
      expect(err).toBeInstanceOf(WrongMasterKeyError);
      expect(err!.message).toMatch(/does not open data key version 1.*FW_MASTER_KEY/);
    } finally {
      useKeyProvider(right);
    }
  });

  it('only the command line may re-wrap, and only from a key file that holds a key', async () => {
    const { w } = await freshWorld();
    expect((await failure(rewrapDataKeys(w.caller('admin'), { newKeyFile: '/etc/hostname' }))).code).toBe('forbidden');
    const dir = mkdtempSync(path.join(tmpdir(), 'fw-master-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'short'), 'c2hvcnQ=');
    const bad = await failure(rewrapDataKeys(cli(), { newKeyFile: path.join(dir, 'short') }));
    expect(bad.code).toBe('invalid_input');
    expect(bad.details?.fields).toEqual({ newKeyFile: expect.stringMatching(/32/) });
  });
});

describe('fail closed', () => {
  it('a changed byte, a value moved to another field, and an unknown version each show as unreadable', async () => {
    const { t, w } = await freshWorld();
    const [a, b, c] = w.records.sales1;
    const tokens = await phoneTokens(t.db, w.formId);
    const set = async (id: string, values: Record<string, unknown>) => {
      const row = await t.db.selectFrom('records').select('values').where('id', '=', id).executeTakeFirstOrThrow();
      await t.db.updateTable('records').set({ values: JSON.stringify({ ...(row.values as object), ...values }) }).where('id', '=', id).execute();
    };
    const tok = tokens.get(a)!;
    const i = tok.length - 5;
    await set(a, { phone: `${tok.slice(0, i)}${tok[i] === 'x' ? 'y' : 'x'}${tok.slice(i + 1)}` });
    // The phone's ciphertext in the notes field of the same record (decrypted there, it would show).
    await set(b, { notes: tokens.get(b)! });
    await t.db.updateTable('form_versions').set({ schema: sql`jsonb_set(schema, '{properties,notes,x-encrypted}', 'true')` }).where('form_id', '=', w.formId).execute();
    await set(c, { phone: tokens.get(c)!.replace(/^fw1\.1\./, 'fw1.7.') });
    for (const [id, field] of [[a, 'phone'], [b, 'notes'], [c, 'phone']] as const) {
      const rec = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: id });
      expect(rec.unreadable).toContain(field);
      expect(rec.values).not.toHaveProperty(field);
    }
    // A write over an unreadable value replaces it; nothing else about the record breaks.
    const rec = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: c });
    await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: c, version: rec.version, values: { phone: '13955556666' } });
    expect((await getRecord(w.caller('sales1'), { formId: w.formId, recordId: c })).values.phone).toBe('13955556666');
  });
});

describe('the 国密 suite', () => {
  it('FW_FIELD_CIPHER=sm4: new values are SM4 tokens, a rotation moves every value over and back, reads work throughout', async () => {
    const { t, w } = await freshWorld();
    const previous = process.env.FW_FIELD_CIPHER;
    try {
      process.env.FW_FIELD_CIPHER = 'sm4';
      reloadEnvForTest();
      const created = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '国密', phone: '13977778888' } });
      expect((await phoneTokens(t.db, w.formId)).get(created.id)).toMatch(/^fw2\.1\./);
      await rotateDataKey(cli(), quick);
      await runDueJobs();
      expect([...(await phoneTokens(t.db, w.formId)).values()].every((tok) => tok.startsWith('fw2.2.'))).toBe(true);
      const page = await listRecords(w.caller('manager'), { formId: w.formId, pageSize: 100 });
      expect(page.items.map((r) => r.values.phone).sort()).toContain('13977778888');
      expect(page.items.every((r) => /^1\d{10}$/.test(String(r.values.phone)))).toBe(true);
      // SM4 tokens count as sealed for the builder's publish checks (migration 2026-12-02-0007).
      const counts = await t.db.transaction().execute(async (trx) => {
        await sql`select set_config('app.user_id', '00000000-0000-0000-0000-000000000000', true)`.execute(trx);
        return (await sql<{ sealed: Record<string, number>; plain: Record<string, number> }>`
          select fw_rls.count_sealed_values(${w.formId}::uuid, array['phone']) as sealed, fw_rls.count_plain_values(${w.formId}::uuid, array['phone']) as plain`.execute(trx)).rows[0];
      });
      expect(counts).toEqual({ sealed: { phone: 10 }, plain: { phone: 0 } });
      // Found by exact search like any other suite (the blind index does not depend on it).
      expect((await listRecords(w.caller('sales1'), { formId: w.formId, q: '13977778888' })).items.map((r) => r.id)).toEqual([created.id]);

      // Back to AES-GCM: the next rotation moves the SM4 values over.
      process.env.FW_FIELD_CIPHER = 'aes-256-gcm';
      reloadEnvForTest();
      await rotateDataKey(cli(), quick);
      await runDueJobs();
      expect([...(await phoneTokens(t.db, w.formId)).values()].every((tok) => tok.startsWith('fw1.3.'))).toBe(true);
      expect((await getRecord(w.caller('sales1'), { formId: w.formId, recordId: created.id })).values.phone).toBe('13977778888');
    } finally {
      if (previous === undefined) delete process.env.FW_FIELD_CIPHER;
      else process.env.FW_FIELD_CIPHER = previous;
      reloadEnvForTest();
    }
  });
});
