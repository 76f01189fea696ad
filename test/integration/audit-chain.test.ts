/**
 * Tamper evidence for the audit log (issue 8): the sealer chains committed events, signed
 * checkpoints sit outside the database, and verify names the first event that was changed,
 * removed or reordered, and catches a consistent rewrite of the whole chain by a checkpoint.
 * Tampering is done as the database superuser with triggers off (session_replication_role),
 * the one way past the append-only triggers; the application's own role cannot even try.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshWorld } from '../helpers/world';
import { listRecords, getRecord } from '@/lib/records/operations';
import { checkpointAudit, sealAuditEvents, verifyAuditLog } from '@/lib/audit/operations';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { reloadEnvForTest } from '@/lib/env';
import { APP_ROLE } from '@/lib/db/app-role';
import type { Database } from '@/lib/db/connection';
import { failure } from '../helpers/outcome';

const system = () => unsafeSystemCaller({ label: 'test' });
let dir: string;
const saved = { checkpoints: process.env.FW_AUDIT_CHECKPOINT_DIR, key: process.env.FW_AUDIT_SIGNING_KEY_FILE };
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fw-audit-'));
  process.env.FW_AUDIT_CHECKPOINT_DIR = path.join(dir, 'checkpoints');
  process.env.FW_AUDIT_SIGNING_KEY_FILE = path.join(dir, 'signing-key.pem');
  reloadEnvForTest();
});
afterAll(() => {
  for (const [k, v] of [['FW_AUDIT_CHECKPOINT_DIR', saved.checkpoints], ['FW_AUDIT_SIGNING_KEY_FILE', saved.key]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  reloadEnvForTest();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `work` as the superuser with every trigger off: what an attacker with the database does. */
async function tamper(db: Database, work: string) {
  await db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    for (const statement of work.split(';').map((x) => x.trim()).filter(Boolean)) await sql.raw(statement).execute(trx);
  });
}

/**
 * Seals until nothing committed is left. On a PostgreSQL server the sealer waits for the oldest
 * transaction of the whole cluster (other test files' databases too), so one call may seal
 * only part; the backlog empties within moments.
 */
async function sealAll(): Promise<number> {
  let sealed = 0;
  for (let i = 0; i < 200; i++) {
    const r = await sealAuditEvents(system(), {});
    sealed += r.sealed;
    if (r.backlog === 0) return sealed;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the audit backlog did not empty within 10 s');
}

/** A world with some activity, all sealed and checkpointed; the chain's events in order. */
async function sealedWorld() {
  const { t, w } = await freshWorld();
  for (const who of ['sales1', 'sales2', 'support', 'manager'] as const) await listRecords(w.caller(who), { formId: w.formId });
  await getRecord(w.caller('sales1'), { formId: w.formId, recordId: w.records.sales1[0] });
  const sealed = await sealAll();
  expect(sealed).toBeGreaterThanOrEqual(5);
  expect(await checkpointAudit(system(), {})).toMatchObject({ position: sealed });
  const chain = (await sql<{ position: string; event_id: string }>`select position::text, event_id::text from audit_chain order by position`.execute(t.db)).rows;
  return { t, w, chain };
}

describe('the audit hash chain', () => {
  it('seals committed events in order; verify holds and the checkpoint matches; verifying is audited', async () => {
    const { t, chain } = await sealedWorld();
    const verdict = await verifyAuditLog(system(), {});
    expect(verdict).toMatchObject({ ok: true, checked: chain.length, checkpoints: 1, problem: null });
    // Every event of the sealed range is in the chain once, in (txid, id) order.
    const order = (await sql<{ id: string }>`select id::text from audit_events order by txid, id limit ${chain.length}`.execute(t.db)).rows.map((r) => r.id);
    expect(chain.map((c) => c.event_id)).toEqual(order);
    const audited = await t.db.selectFrom('audit_events').select(['action', 'outcome']).where('action', '=', 'audit.verify').execute();
    expect(audited).toEqual([{ action: 'audit.verify', outcome: 'ok' }]);
  });

  it('names a changed event', async () => {
    const { t, chain } = await sealedWorld();
    const victim = chain[2].event_id;
    await tamper(t.db, `update audit_events set details = '{"count": 0}' where id = ${victim}`);
    expect((await verifyAuditLog(system(), {})).problem).toEqual({ kind: 'changed', position: 3, eventId: victim });
  });

  it('names a removed event', async () => {
    const { t, chain } = await sealedWorld();
    const victim = chain[1].event_id;
    await tamper(t.db, `delete from audit_events where id = ${victim}`);
    expect((await verifyAuditLog(system(), {})).problem).toEqual({ kind: 'removed', position: 2, eventId: victim });
  });

  it('names the first of two reordered events', async () => {
    const { t, chain } = await sealedWorld();
    const [a, b] = [chain[1], chain[3]];
    await tamper(t.db, `update audit_chain set position = -position where position in (${a.position}, ${b.position});
      update audit_chain set position = ${b.position} where position = -${a.position};
      update audit_chain set position = ${a.position} where position = -${b.position}`);
    expect((await verifyAuditLog(system(), {})).problem).toEqual({ kind: 'changed', position: 2, eventId: b.event_id });
  });

  it('an event slipped into the sealed range is named', async () => {
    const { t, chain } = await sealedWorld();
    // With the first sealed event's transaction id: it sorts inside the sealed range.
    const first = (await sql<{ txid: string }>`select txid::text from audit_chain order by position limit 1`.execute(t.db)).rows[0];
    await tamper(t.db, `insert into audit_events (action, outcome, txid) values ('records.view', 'ok', '${first.txid}'::xid8)`);
    const slipped = (await sql<{ id: string }>`select max(id)::text as id from audit_events`.execute(t.db)).rows[0].id;
    expect(chain.length).toBeGreaterThan(0);
    expect((await verifyAuditLog(system(), {})).problem).toEqual({ kind: 'unchained', eventId: slipped });
  });

  it('a consistent rewrite of the whole chain verifies on its own, and the signed checkpoint catches it', async () => {
    const { t, chain } = await sealedWorld();
    await tamper(t.db, `update audit_events set actor_label = 'someone else' where id = ${chain[0].event_id}; delete from audit_chain`);
    // The attacker reseals every event: each hash is consistent with the changed content.
    expect(await sealAll()).toBeGreaterThanOrEqual(chain.length);
    const verdict = await verifyAuditLog(system(), {});
    expect(verdict.problem).toMatchObject({ kind: 'rewritten', position: chain.length });
    // A checkpoint file edited to match is no longer signed by the key.
    const { readdirSync, readFileSync, writeFileSync } = await import('node:fs');
    const id = (await sql<{ id: string }>`select value #>> '{}' as id from settings where key = 'audit_chain_id'`.execute(t.db)).rows[0].id;
    const folder = path.join(process.env.FW_AUDIT_CHECKPOINT_DIR!, id);
    const file = path.join(folder, readdirSync(folder).find((f) => f.endsWith('.json') && readFileSync(path.join(folder, f), 'utf8').includes(`"position": ${chain.length}`))!);
    const forged = JSON.parse(readFileSync(file, 'utf8'));
    const rewritten = (await sql<{ hash: string }>`select hash from audit_chain where position = ${chain.length}`.execute(t.db)).rows[0].hash;
    writeFileSync(file, JSON.stringify({ ...forged, hash: rewritten }));
    expect((await verifyAuditLog(system(), {})).problem).toMatchObject({ kind: 'forged' });
  });

  it('20 concurrent writers and sealers leave one valid chain holding every event once', async () => {
    const { t, w } = await freshWorld();
    const who = ['sales1', 'sales2', 'sales3', 'support', 'manager'] as const;
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => listRecords(w.caller(who[i % who.length]), { formId: w.formId })),
      ...Array.from({ length: 5 }, () => sealAuditEvents(system(), {})),
    ]);
    await sealAll();
    const [events, chained, distinct] = await Promise.all([
      sql<{ n: number }>`select count(*)::int as n from audit_events`.execute(t.db),
      sql<{ n: number }>`select count(*)::int as n from audit_chain`.execute(t.db),
      sql<{ n: number }>`select count(distinct event_id)::int as n from audit_chain`.execute(t.db),
    ]);
    expect(chained.rows[0].n).toBe(events.rows[0].n);
    expect(distinct.rows[0].n).toBe(events.rows[0].n);
    expect(events.rows[0].n).toBeGreaterThanOrEqual(20);
    expect((await verifyAuditLog(system(), {})).ok).toBe(true);
  });

  it("the application's role may read and insert events and chain rows, never update, delete or truncate them", async () => {
    const { t } = await sealedWorld();
    for (const statement of [
      'update audit_events set outcome = outcome',
      'delete from audit_events',
      'truncate audit_events',
      'update audit_chain set hash = hash',
      'delete from audit_chain',
      'truncate audit_chain',
    ]) {
      const e = await t.db
        .transaction()
        .execute(async (trx) => {
          await sql`set local role ${sql.id(APP_ROLE)}`.execute(trx);
          await sql.raw(statement).execute(trx);
        })
        .then(() => 'allowed', (err: Error) => err.message);
      expect(e, statement).toMatch(/permission denied/);
    }
    // And the trigger refuses it for the owner too.
    const owner = await t.db.transaction().execute(async (trx) => sql`delete from audit_chain`.execute(trx)).then(() => 'allowed', (err: Error) => err.message);
    expect(owner).toContain('audit_chain is append-only');
    // Sealing and checkpoints belong to the system's runner.
    const { w } = await freshWorld();
    expect((await failure(sealAuditEvents(w.caller('admin'), {}))).code).toBe('forbidden');
  });
});
