/**
 * `npm run bench`: the records list as the UI asks for it by default (the
 * records page: last updated first, 20 per page, no search), as a
 * salesperson (own scope) over 100,000 records and 50 owners, through the
 * operation and through the raw Kysely query of the same rows, on PGlite and
 * (when DATABASE_URL is set) on PostgreSQL; then the same page from the REST
 * endpoint under the production server (server.ts, as `npm run serve`) at 10 concurrent connections (autocannon).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import autocannon from 'autocannon';
import { openDatabase, useDatabase, closeDb, type Database } from '@/lib/db/connection';
import { listRecords } from '@/lib/records/operations';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { openValue } from '@/lib/records/protect';
import type { Caller } from '@/lib/auth/principal';
import { seedBench, type BenchWorld } from './seed';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const OWNERS = 50;
/** What app/(app)/apps/[formId]/page.tsx sends when the user opens a list. */
const UI_DEFAULT = { pageSize: 20, sort: 'updatedAt', order: 'desc' } as const;
const PAGE_SIZE = UI_DEFAULT.pageSize;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 400);
const WARMUP = 40;
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
// BENCH_PORT lets several checkouts run the bench side by side.
const PORT = Number(process.env.BENCH_PORT ?? 3400);

interface Row {
  database: string;
  what: string;
  p50: string;
  p95: string;
  ratio: string;
}
const rows: Row[] = [];
const httpRows: Record<string, string>[] = [];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** The page a raw application would run: same rows, same order, same total, no policy, no audit. */
async function rawPage(db: Database, w: BenchWorld, page: number, decrypt = false) {
  const base = db.selectFrom('records as r').where('r.form_id', '=', w.formId).where('r.owner_id', '=', w.owners[0]).where('r.deleted_at', 'is', null);
  const [items, total] = await Promise.all([
    base
      .innerJoin('users as ou', 'ou.id', 'r.owner_id')
      .select(['r.id', 'r.form_id', 'r.form_version', 'r.values', 'r.owner_id', 'ou.name as owner_name', 'r.department_id', 'r.version', 'r.created_at', 'r.updated_at'])
      .orderBy('r.updated_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  if (items.length !== PAGE_SIZE) throw new Error(`raw page ${page} returned ${items.length} rows`);
  if (decrypt) {
    // The same plaintext the operation returns: open every sealed value.
    const crypto = await fieldCrypto(db);
    for (const it of items) {
      const values = it.values as Record<string, unknown>;
      for (const [k, v] of Object.entries(values)) {
        const opened = openValue(crypto, w.formId, it.id, k, v);
        if (!opened.ok) throw new Error('bench value did not decrypt');
        values[k] = opened.value;
      }
    }
  }
  return total;
}

async function measure(label: string, db: Database, w: BenchWorld) {
  const caller: Caller = { credential: { type: 'token', token: w.token }, ip: '127.0.0.1', locale: 'zh-CN' };
  const pages = RECORDS / OWNERS / PAGE_SIZE;
  const op: number[] = [];
  const raw: number[] = [];
  const rawDecrypt: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const page = 1 + (i % pages);
    // Alternate which goes first so caches favour neither.
    const runs: [number[], () => Promise<unknown>][] = [
      [op, async () => {
        const r = await listRecords(caller, { formId: w.formId, page, ...UI_DEFAULT });
        if (r.items.length !== PAGE_SIZE || r.items.some((it) => it.owner.id !== w.owners[0])) throw new Error('operation returned the wrong rows');
      }],
      [raw, () => rawPage(db, w, page)],
      [rawDecrypt, () => rawPage(db, w, page, true)],
    ];
    if (i % 2) runs.reverse();
    for (const [sink, run] of runs) {
      const t0 = performance.now();
      await run();
      const dt = performance.now() - t0;
      if (i >= WARMUP) sink.push(dt);
    }
  }
  for (const a of [op, raw, rawDecrypt]) a.sort((x, y) => x - y);
  const ratio = (a: number[]) => `${(pct(a, 50) / pct(raw, 50)).toFixed(2)}× (p95 ${(pct(a, 95) / pct(raw, 95)).toFixed(2)}×)`;
  rows.push({ database: label, what: 'raw Kysely query (page + total)', p50: ms(pct(raw, 50)), p95: ms(pct(raw, 95)), ratio: '1.00×' });
  rows.push({ database: label, what: 'raw query + decrypt the 2 encrypted fields', p50: ms(pct(rawDecrypt, 50)), p95: ms(pct(rawDecrypt, 95)), ratio: ratio(rawDecrypt) });
  rows.push({
    database: label,
    what: 'records.list operation',
    p50: ms(pct(op, 50)),
    p95: ms(pct(op, 95)),
    ratio: ratio(op),
  });
}

async function startServer(env: Record<string, string>): Promise<ChildProcess> {
  // server.ts, as `npm run serve` (production refuses requests under a bare `next start`: lib/auth/client-ip.ts).
  const child = spawn('npx', ['tsx', 'server.ts', '-p', String(PORT)], {
    env: { ...process.env, ...env, NODE_ENV: 'production', PORT: String(PORT) },
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/openapi.json`);
      if (res.ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-child.pid!, 'SIGTERM');
  throw new Error('next start did not come up on port ' + PORT);
}

async function httpBench(label: string, w: BenchWorld, env: Record<string, string>) {
  if (process.env.BENCH_NO_HTTP) {
    httpRows.push({ database: label, note: 'skipped: BENCH_NO_HTTP is set' });
    return;
  }
  const server = await startServer(env);
  try {
    const url = `http://127.0.0.1:${PORT}/api/v1/forms/${w.formId}/records?${new URLSearchParams({ pageSize: String(PAGE_SIZE), sort: UI_DEFAULT.sort, order: UI_DEFAULT.order })}`;
    const headers = { authorization: `Bearer ${w.token}` };
    const check = await fetch(url, { headers });
    const body = (await check.json()) as { items?: unknown[] };
    if (!check.ok || body.items?.length !== PAGE_SIZE) throw new Error(`REST check failed: ${check.status}`);
    await autocannon({ url, headers, connections: 10, duration: 3 }); // warm up
    const r = await autocannon({ url, headers, connections: 10, duration: HTTP_SECONDS });
    if (r.non2xx || r.errors) throw new Error(`REST bench saw ${r.non2xx} non-2xx answers and ${r.errors} errors`);
    httpRows.push({
      database: label,
      [`GET /api/v1/forms/{id}/records?pageSize=${PAGE_SIZE}&sort=updatedAt&order=desc`]: `${r.requests.average.toFixed(0)} req/s`,
      p50: `${r.latency.p50} ms`,
      p99: `${r.latency.p99} ms`,
      requests: String(r.requests.total),
    });
  } finally {
    process.kill(-server.pid!, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main() {
  const t0 = Date.now();
  // One master key for the seeding process and the servers it starts, so the
  // servers can unwrap the data keys the seeds encrypted with.
  process.env.FW_MASTER_KEY ??= randomBytes(32).toString('base64');
  if (!process.env.BENCH_SKIP_BUILD) {
    console.log('Building the production app (next build)…');
    const b = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (b.status !== 0) throw new Error('next build failed');
  }

  // PGlite, in a folder the server can open after we close it.
  const dir = mkdtempSync(path.join(tmpdir(), 'fw-bench-'));
  try {
    console.log(`Seeding PGlite with ${RECORDS} records over ${OWNERS} owners…`);
    const db = await openDatabase({ kind: 'pglite', dataDir: dir });
    useDatabase(db);
    const w = await seedBench(db, RECORDS, OWNERS);
    await measure('PGlite', db, w);
    await closeDb();
    await httpBench('PGlite', w, { FW_DATA_DIR: dir, DATABASE_URL: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `fw_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    try {
      console.log(`Seeding PostgreSQL with ${RECORDS} records over ${OWNERS} owners…`);
      const db = await openDatabase({ kind: 'postgres', url: url.toString() });
      useDatabase(db);
      const w = await seedBench(db, RECORDS, OWNERS);
      try {
        await measure('PostgreSQL', db, w);
        await httpBench('PostgreSQL', w, { DATABASE_URL: url.toString() });
      } finally {
        await closeDb();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  } else {
    console.log('DATABASE_URL is not set: PostgreSQL server rows skipped (set it to include them).');
  }

  console.log(`\nThe UI's default list (updatedAt desc, ${PAGE_SIZE} per page, no search) as a salesperson (own scope), ${RECORDS} records, ${OWNERS} owners, ${ITERATIONS} runs each:`);
  console.table(rows);
  console.log(`\nREST API under the production server (server.ts), 10 connections, ${HTTP_SECONDS} s (autocannon):`);
  console.table(httpRows);
  console.log(`Total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
