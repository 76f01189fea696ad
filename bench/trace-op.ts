/**
 * Development aid: seeds a small PostgreSQL database as bench/run.ts does and prints every
 * statement one records.list call sends, with its time (pg.Client#query patched), for each caller.
 *   DATABASE_URL=… BENCH_RECORDS=20000 npx tsx --conditions=react-server bench/trace-op.ts
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, useDatabase, closeDb } from '@/lib/db/connection';
import { listRecords } from '@/lib/records/operations';
import { seedBench } from './seed';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
let tracing = false;
const captured: { text: string; values: unknown[] }[] = [];
const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
const original = proto.query;
proto.query = function (this: unknown, ...a: unknown[]) {
  const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string })?.text;
  const t0 = performance.now();
  const r = original.apply(this, a);
  if (tracing && process.env.TRACE_EXPLAIN && /^\s*(select "r"|with touched)/.test(String(text))) captured.push({ text: String(text), values: (a[1] ?? []) as unknown[] });
  if (tracing && r instanceof Promise) void r.then(() => console.log(`${(performance.now() - t0).toFixed(2).padStart(7)} ms  ${String(text).replace(/\s+/g, ' ').slice(0, 400)}`), () => {});
  return r;
};

async function main() {
  process.env.FW_MASTER_KEY ??= randomBytes(32).toString('base64');
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  const name = `fw_trace_${process.pid}`;
  await admin.query(`create database ${name}`);
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  try {
    const db = await openDatabase({ kind: 'postgres', url: url.toString() });
    useDatabase(db);
    const w = await seedBench(db, RECORDS, 50);
    const only = process.env.TRACE_CASES?.split(',');
    for (const [label, u] of [['sales', w.sales], ['support', w.support], ['vip', w.vip]] as const) {
      if (only && !only.includes(label)) continue;
      const caller = { credential: { type: 'token' as const, token: u.token }, ip: '127.0.0.1', locale: 'zh-CN' as const };
      for (let i = 0; i < 20; i++) await listRecords(caller, { formId: w.formId, page: 2, pageSize: 20, sort: 'updatedAt', order: 'desc' });
      console.log(`--- ${label}`);
      tracing = true;
      const t0 = performance.now();
      await listRecords(caller, { formId: w.formId, page: 2, pageSize: 20, sort: 'updatedAt', order: 'desc' });
      console.log(`total ${(performance.now() - t0).toFixed(2)} ms`);
      tracing = false;
      for (const q of captured.splice(0)) {
        // As the operation runs it: the app role, this caller.
        const c = new pg.Client({ connectionString: url.toString() });
        await c.connect();
        await c.query('begin');
        await c.query(`select set_config('app.user_id', $1, true), set_config('role', 'formwarden_app', true)`, [u.id]);
        // Twice: the first run in a new session also plans the policies' plpgsql functions.
        await c.query(`explain (analyze, buffers) ${q.text}`, q.values);
        const plan = await c.query(`explain (analyze, buffers) ${q.text}`, q.values);
        console.log(plan.rows.map((x) => x['QUERY PLAN']).join('\n'));
        await c.query('rollback');
        // The raw query's total, as the owner of the data would count it (no RLS).
        const raw = await c.query(`explain (analyze, buffers) select count(*) from records r where r.form_id = $1 and r.deleted_at is null and r.owner_id = $2`, [w.formId, u.id]);
        console.log('--- raw count (no RLS) for the same owner\n' + raw.rows.map((x) => x['QUERY PLAN']).join('\n'));
        await c.end();
      }
    }
    await closeDb();
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
