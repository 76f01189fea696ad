/**
 * `npm run bench`: the records list as the UI asks for it by default (the records page: last
 * updated first, 20 per page, no search), through the operation (records.list: policy, row-level
 * security as formwarden_app, masking, read audit) and through the raw Kysely query of exactly the
 * same rows, on PGlite and (when DATABASE_URL is set) on PostgreSQL, for three callers of the
 * customer-management template (bench/seed.ts):
 * - a salesperson (销售: view `own`, idNo masked);
 * - 客服 (view `all`, phone masked, idNo hidden);
 * - a salesperson whose view scope is a condition (own customers of level VIP);
 * each also "total counted again": the operation right after a write to the form, when the list's
 * kept total (lib/records/list-totals.ts) cannot be reused;
 * then 客服 finding one customer by the whole mobile number (an encrypted field, through the
 * blind index) against the raw digest lookup; the salesperson's list and that lookup over
 * BENCH_BIG_RECORDS (default 1,000,000) records in a separate PostgreSQL database; a key
 * rotation's re-encryption of every record while the list is served; and the REST list (50 per page, as the salesperson) under the production
 * server (server.ts, as `npm run serve`) at 10 concurrent connections (autocannon).
 *
 * Knobs: BENCH_RECORDS (100,000), BENCH_BIG_RECORDS (1,000,000; 0 skips), BENCH_ITERATIONS (400),
 * BENCH_HTTP_SECONDS (10), BENCH_PORT (3400), BENCH_SKIP_BUILD, BENCH_NO_HTTP, BENCH_NO_PGLITE,
 * BENCH_PROFILE=<dir> (the server runs under `node --cpu-prof`; summarise with
 * `npx tsx bench/profile-summary.ts <dir>/*.cpuprofile`).
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
import { APP_ROLE } from '@/lib/db/app-role';
import { listRecords } from '@/lib/records/operations';
import { fieldCrypto } from '@/lib/crypto/keyring';
import { openValue } from '@/lib/records/protect';
import type { Caller } from '@/lib/auth/principal';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { rotateDataKey } from '@/lib/crypto/operations';
import { listJobs } from '@/lib/jobs/operations';
import { runDueJobs } from '@/lib/jobs/runner';
import { benchPhone, seedBench, type BenchUser, type BenchWorld } from './seed';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const BIG_RECORDS = Number(process.env.BENCH_BIG_RECORDS ?? 1_000_000);
const OWNERS = 50;
/** What app/(app)/apps/[formId]/page.tsx sends when the user opens a list. */
const UI_DEFAULT = { pageSize: 20, sort: 'updatedAt', order: 'desc' } as const;
const PAGE_SIZE = UI_DEFAULT.pageSize;
/** The REST client's page. */
const REST_PAGE_SIZE = 50;
/** Pages cycled through per case (deep offsets would measure OFFSET, not the door). */
const MAX_PAGES = 100;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 400);
const WARMUP = 40;
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
// BENCH_PORT lets several checkouts run the bench side by side.
const PORT = Number(process.env.BENCH_PORT ?? 3400);

interface Row {
  database: string;
  caller: string;
  what: string;
  rows: number;
  p50: string;
  p95: string;
  'ratio p50 (p95)': string;
}
const rows: Row[] = [];
const httpRows: Record<string, string>[] = [];
const resealRows: Record<string, string | number>[] = [];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** One caller's list: who asks, and the plain SQL filter that selects exactly the rows their scope allows. */
interface Case {
  name: string;
  user: BenchUser;
  /** The raw query's filter (besides form and not deleted). */
  where: (w: BenchWorld) => ReturnType<typeof sql<boolean>>;
  /** Encrypted fields the operation opens for this caller (masked or read; hidden ones never). */
  opens: string[];
  /** What every returned DTO must look like (scope and masking). */
  check: (item: Awaited<ReturnType<typeof listRecords>>['items'][number], w: BenchWorld) => boolean;
}

const salesCase = (w: BenchWorld): Case => ({
  name: '销售 (own; idNo masked)',
  user: w.sales,
  where: () => sql<boolean>`r.owner_id = ${w.sales.id}::uuid`,
  opens: ['phone', 'idNo'],
  check: (it) => it.owner.id === w.sales.id && it.modes.idNo === 'masked' && String(it.values.idNo).includes('*'),
});
const supportCase = (w: BenchWorld): Case => ({
  name: '客服 (all; phone masked, idNo hidden)',
  user: w.support,
  where: () => sql<boolean>`true`,
  opens: ['phone'],
  check: (it) => it.modes.phone === 'masked' && String(it.values.phone).includes('*') && !('idNo' in it.values) && !('idNo' in it.modes),
});
const vipCase = (w: BenchWorld): Case => ({
  name: '销售, condition (level = VIP and owner = $me)',
  user: w.vip,
  where: () => sql<boolean>`r.owner_id = ${w.vip.id}::uuid and r.values->'level' = '"VIP"'::jsonb`,
  opens: ['phone', 'idNo'],
  check: (it) => it.owner.id === w.vip.id && it.values.level === 'VIP',
});

/** The page a raw application would run: same rows, same order, same total, no policy, no audit. */
async function rawPage(db: Database, w: BenchWorld, c: Case, page: number, decrypt = false) {
  const base = db.selectFrom('records as r').where('r.form_id', '=', w.formId).where('r.deleted_at', 'is', null).where(c.where(w));
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
  if (decrypt) {
    // The same plaintext the operation opens: every sealed value of the fields it may see.
    const crypto = await fieldCrypto(db);
    for (const it of items) {
      const values = it.values as Record<string, unknown>;
      for (const k of c.opens) {
        const opened = openValue(crypto, w.formId, it.id, k, values[k]);
        if (!opened.ok) throw new Error('bench value did not decrypt');
        values[k] = opened.value;
      }
    }
  }
  return { ids: items.map((i) => i.id), total: total.n };
}

const callerOf = (u: BenchUser): Caller => ({ credential: { type: 'token', token: u.token }, ip: '127.0.0.1', locale: 'zh-CN' });

async function opPage(w: BenchWorld, c: Case, page: number) {
  const r = await listRecords(callerOf(c.user), { formId: w.formId, page, ...UI_DEFAULT });
  return r;
}

/** The operation and the raw query must return exactly the same rows: checked on the first and last page measured. */
async function verify(label: string, rawDb: Database, w: BenchWorld, c: Case, pages: number) {
  for (const page of new Set([1, pages])) {
    const [op, raw] = [await opPage(w, c, page), await rawPage(rawDb, w, c, page, true)];
    const ids = op.items.map((i) => i.id);
    if (op.total !== raw.total || ids.length !== raw.ids.length || ids.some((id, k) => id !== raw.ids[k])) {
      throw new Error(`${label} / ${c.name}: the operation returned other rows than the raw query on page ${page} (total ${op.total} vs ${raw.total})`);
    }
    if (ids.length === 0) throw new Error(`${label} / ${c.name}: no rows on page ${page}`);
    const bad = op.items.find((it) => !c.check(it, w));
    if (bad) throw new Error(`${label} / ${c.name}: a returned record breaks the scope or the field modes: ${JSON.stringify({ owner: bad.owner, modes: bad.modes })}`);
  }
}

async function measure(label: string, rawDb: Database, w: BenchWorld, c: Case) {
  const { total } = await rawPage(rawDb, w, c, 1);
  const pages = Math.max(1, Math.min(MAX_PAGES, Math.floor(total / PAGE_SIZE)));
  await verify(label, rawDb, w, c, pages);
  const op: number[] = [];
  const opRecount: number[] = [];
  const raw: number[] = [];
  const rawDecrypt: number[] = [];
  // As if someone had just written to the form: its records get a new version, so the list's
  // total cannot be reused (lib/records/list-totals.ts) and is counted again. Not timed.
  const formChanged = () => sql`update forms set records_version = gen_random_uuid() where id = ${w.formId}::uuid`.execute(rawDb);
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const page = 1 + (i % pages);
    // Alternate which goes first so caches favour neither.
    const runs: [number[], () => Promise<unknown>, (() => Promise<unknown>)?][] = [
      [op, () => opPage(w, c, page)],
      [opRecount, () => opPage(w, c, page), formChanged],
      [raw, () => rawPage(rawDb, w, c, page)],
      [rawDecrypt, () => rawPage(rawDb, w, c, page, true)],
    ];
    if (i % 2) runs.reverse();
    for (const [sink, run, before] of runs) {
      await before?.();
      const t0 = performance.now();
      await run();
      const dt = performance.now() - t0;
      if (i >= WARMUP) sink.push(dt);
    }
  }
  for (const a of [op, opRecount, raw, rawDecrypt]) a.sort((x, y) => x - y);
  const ratio = (a: number[]) => `${(pct(a, 50) / pct(raw, 50)).toFixed(2)}× (${(pct(a, 95) / pct(raw, 95)).toFixed(2)}×)`;
  const row = (what: string, a: number[]) => rows.push({ database: label, caller: c.name, what, rows: total, p50: ms(pct(a, 50)), p95: ms(pct(a, 95)), 'ratio p50 (p95)': ratio(a) });
  row('raw Kysely query (page + total)', raw);
  row(`raw query + decrypt ${c.opens.join(', ')}`, rawDecrypt);
  row('records.list operation', op);
  row('records.list, total counted again (form just written)', opRecount);
  console.log(`  ${label} / ${c.name}: operation p50 ${ms(pct(op, 50))} (total counted again ${ms(pct(opRecount, 50))}), raw ${ms(pct(raw, 50))}`);
}

async function startServer(env: Record<string, string>, profileDir?: string): Promise<ChildProcess> {
  // server.ts, as `npm run serve` (production refuses requests under a bare `next start`: lib/auth/client-ip.ts).
  const args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', 'server.ts', '-p', String(PORT)];
  const child = spawn(process.execPath, args, {
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
  throw new Error('the server did not come up on port ' + PORT);
}

async function stopServer(child: ChildProcess) {
  // SIGTERM: server.ts closes and exits, which is when --cpu-prof writes its profile.
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(-child.pid!, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function httpBench(label: string, w: BenchWorld, env: Record<string, string>) {
  if (process.env.BENCH_NO_HTTP) {
    httpRows.push({ database: label, note: 'skipped: BENCH_NO_HTTP is set' });
    return;
  }
  const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE, label) : undefined;
  const server = await startServer(env, profileDir);
  try {
    const url = `http://127.0.0.1:${PORT}/api/v1/forms/${w.formId}/records?${new URLSearchParams({ pageSize: String(REST_PAGE_SIZE), sort: UI_DEFAULT.sort, order: UI_DEFAULT.order })}`;
    const headers = { authorization: `Bearer ${w.sales.token}` };
    const check = await fetch(url, { headers });
    const body = (await check.json()) as { items?: { owner: { id: string }; modes: Record<string, string> }[] };
    if (!check.ok || body.items?.length !== REST_PAGE_SIZE || body.items.some((it) => it.owner.id !== w.sales.id || it.modes.idNo !== 'masked')) {
      throw new Error(`REST check failed: ${check.status}`);
    }
    await autocannon({ url, headers, connections: 10, duration: 3 }); // warm up
    const r = await autocannon({ url, headers, connections: 10, duration: HTTP_SECONDS });
    if (r.non2xx || r.errors) throw new Error(`REST bench saw ${r.non2xx} non-2xx answers and ${r.errors} errors`);
    httpRows.push({
      database: label,
      [`GET /api/v1/forms/{id}/records?pageSize=${REST_PAGE_SIZE}&sort=updatedAt&order=desc (销售)`]: `${r.requests.average.toFixed(0)} req/s`,
      p50: `${r.latency.p50} ms`,
      p99: `${r.latency.p99} ms`,
      requests: String(r.requests.total),
      ...(profileDir ? { note: `under --cpu-prof (${profileDir})` } : {}),
    });
  } finally {
    await stopServer(server);
  }
}

/**
 * A PostgreSQL database in the production shape (docs/operations.md, "Database roles"): owned by
 * an ordinary login role that is a member of formwarden_app; the app connects as that owner
 * (migrations included), the seed and the raw query use the superuser connection.
 */
class ServerDatabase {
  readonly name: string;
  readonly appUrl: string;
  readonly setupUrl: string;
  constructor(
    private admin: pg.Client,
    serverUrl: string,
    readonly owner: string,
    suffix: string,
  ) {
    this.name = `fw_bench_${suffix}`;
    const url = new URL(serverUrl);
    url.pathname = `/${this.name}`;
    this.setupUrl = url.toString();
    [url.username, url.password] = [owner, `bench-${owner}`];
    this.appUrl = url.toString();
  }
  async create() {
    await this.admin.query(`create database ${this.name} owner ${this.owner}`);
  }
  async drop() {
    await this.admin.query(`drop database if exists ${this.name} with (force)`);
  }
}

/**
 * Exact search on an encrypted field (the blind index): 客服 finds one caller by mobile number,
 * through the operation (filter[phone]); the raw query looks the same digest up directly.
 */
async function measureLookup(label: string, rawDb: Database, w: BenchWorld) {
  const crypto = await fieldCrypto(rawDb);
  const phoneField = fieldsOf((await rawDb.selectFrom('form_versions').select('schema').where('form_id', '=', w.formId).executeTakeFirstOrThrow()).schema as FormDefinition).find((f) => f.key === 'phone')!;
  const probe = (i: number) => benchPhone((i * 7919) % w.records);
  const raw = async (phone: string) => {
    const digest = crypto.lookup(w.formId, 'phone', phoneField.kind, phone, phoneField.schema.format)!;
    return rawDb
      .selectFrom('records as r')
      .select(['r.id', 'r.values'])
      .where('r.form_id', '=', w.formId)
      .where('r.deleted_at', 'is', null)
      .where(sql<boolean>`r.blind_index @> ${JSON.stringify({ phone: digest })}::jsonb`)
      .execute();
  };
  const op = (phone: string) => listRecords(callerOf(w.support), { formId: w.formId, filter: { phone } });
  // Same row, and it is masked for 客服.
  for (const i of [0, 1]) {
    const [a, b] = [await op(probe(i)), await raw(probe(i))];
    if (a.total !== 1 || b.length !== 1 || a.items[0].id !== b[0].id || !String(a.items[0].values.phone).includes('*')) {
      throw new Error(`${label}: the lookup of ${probe(i)} found other rows than the raw query`);
    }
  }
  const [opT, rawT]: number[][] = [[], []];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const runs: [number[], () => Promise<unknown>][] = [
      [opT, () => op(probe(i))],
      [rawT, () => raw(probe(i))],
    ];
    if (i % 2) runs.reverse();
    for (const [sink, run] of runs) {
      const t0 = performance.now();
      await run();
      if (i >= WARMUP) sink.push(performance.now() - t0);
    }
  }
  for (const a of [opT, rawT]) a.sort((x, y) => x - y);
  const ratio = (a: number[]) => `${(pct(a, 50) / pct(rawT, 50)).toFixed(2)}× (${(pct(a, 95) / pct(rawT, 95)).toFixed(2)}×)`;
  const caller = '客服, exact phone (blind index)';
  rows.push({ database: label, caller, what: 'raw query on the digest', rows: w.records, p50: ms(pct(rawT, 50)), p95: ms(pct(rawT, 95)), 'ratio p50 (p95)': ratio(rawT) });
  rows.push({ database: label, caller, what: 'records.list, filter[phone]', rows: w.records, p50: ms(pct(opT, 50)), p95: ms(pct(opT, 95)), 'ratio p50 (p95)': ratio(opT) });
  console.log(`  ${label} / lookup: operation p50 ${ms(pct(opT, 50))}, raw ${ms(pct(rawT, 50))}`);
}

/**
 * A key rotation's re-encryption of every record, while the salesperson's list keeps being
 * served in the same process: values per second, and the list's latency during the job.
 */
async function measureReseal(label: string, w: BenchWorld) {
  const system = unsafeSystemCaller({ label: 'bench' });
  await rotateDataKey(system, { graceSeconds: 0, batchSize: 1000, leaseSeconds: 60 });
  const during: number[] = [];
  let done = false;
  const t0 = performance.now();
  const job = runDueJobs().finally(() => (done = true));
  const c = salesCase(w);
  for (let i = 0; !done; i++) {
    const s = performance.now();
    await opPage(w, c, 1 + (i % 50));
    during.push(performance.now() - s);
  }
  await job;
  const seconds = (performance.now() - t0) / 1000;
  const [progress] = await listJobs(system, { kind: 'keys.reseal', limit: 1 });
  if (progress?.state !== 'done' || progress.done !== w.records) throw new Error(`${label}: the re-encryption did not finish over every record (${JSON.stringify(progress)})`);
  during.sort((x, y) => x - y);
  resealRows.push({
    database: label,
    records: w.records,
    'encrypted fields': 2,
    seconds: seconds.toFixed(1),
    'records/s': Math.round(w.records / seconds),
    'values/s': Math.round((2 * w.records) / seconds),
    'list p50 during': ms(pct(during, 50)),
    'list p99 during': ms(pct(during, 99)),
    'lists served': during.length,
  });
  console.log(`  ${label} / re-encryption: ${Math.round(w.records / seconds)} records/s, list p99 ${ms(pct(during, 99))}`);
}

async function postgresCases(serverUrl: string) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const owner = `fw_bench_owner_${process.pid}`;
  await admin.query(`create role ${owner} login password 'bench-${owner}' nosuperuser nobypassrls`);
  await admin.query(`do $$ begin create role ${APP_ROLE} nologin nosuperuser nobypassrls noinherit; exception when duplicate_object or unique_violation then null; end $$`);
  await admin.query(`grant ${APP_ROLE} to ${owner}`);
  const databases = [new ServerDatabase(admin, serverUrl, owner, String(process.pid)), new ServerDatabase(admin, serverUrl, owner, `big_${process.pid}`)];
  try {
    const [main, big] = databases;
    {
      await main.create();
      const app = await openDatabase({ kind: 'postgres', url: main.appUrl }); // migrates as the owner
      const setup = await openDatabase({ kind: 'postgres', url: main.setupUrl }, { migrate: false });
      try {
        console.log(`Seeding PostgreSQL with ${RECORDS} records over ${OWNERS} owners…`);
        // The app's database first: the key cache (lib/crypto/keyring) belongs to the current
        // database, and without one it would open (and migrate) DATABASE_URL's own database.
        useDatabase(app);
        const w = await seedBench(setup, RECORDS, OWNERS, console.log);
        for (const c of [salesCase(w), supportCase(w), vipCase(w)]) await measure('PostgreSQL', setup, w, c);
        await measureLookup('PostgreSQL', setup, w);
        await closeDb();
        await httpBench('PostgreSQL', w, { DATABASE_URL: main.appUrl });
        useDatabase(await openDatabase({ kind: 'postgres', url: main.appUrl }, { migrate: false }));
        await measureReseal('PostgreSQL', w);
      } finally {
        await closeDb();
        await setup.destroy();
      }
      await main.drop();
    }
    if (BIG_RECORDS > 0) {
      await big.create();
      const app = await openDatabase({ kind: 'postgres', url: big.appUrl });
      const setup = await openDatabase({ kind: 'postgres', url: big.setupUrl }, { migrate: false });
      try {
        console.log(`Seeding PostgreSQL with ${BIG_RECORDS} records over ${OWNERS} owners…`);
        // The app's database first: the key cache (lib/crypto/keyring) belongs to the current
        // database, and without one it would open (and migrate) DATABASE_URL's own database.
        useDatabase(app);
        const w = await seedBench(setup, BIG_RECORDS, OWNERS, console.log);
        await measure(`PostgreSQL, ${BIG_RECORDS.toLocaleString('en')} records`, setup, w, salesCase(w));
        await measureLookup(`PostgreSQL, ${BIG_RECORDS.toLocaleString('en')} records`, setup, w);
      } finally {
        await closeDb();
        await setup.destroy();
      }
    }
  } finally {
    for (const d of databases) await d.drop();
    await admin.query(`drop role if exists ${owner}`);
    await admin.end();
  }
}

async function main() {
  const t0 = Date.now();
  // One master key for the seeding process and the servers it starts, so the
  // servers can unwrap the data keys the seeds encrypted with.
  process.env.FW_MASTER_KEY ??= randomBytes(32).toString('base64');
  // The lookup bench runs thousands of exact searches as one user: above the per-hour limit.
  process.env.FW_LOOKUP_PER_HOUR ??= '100000';
  if (!process.env.BENCH_SKIP_BUILD) {
    console.log('Building the production app (next build)…');
    const b = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (b.status !== 0) throw new Error('next build failed');
  }

  if (!process.env.BENCH_NO_PGLITE) {
    // PGlite, in a folder the server can open after we close it.
    const dir = mkdtempSync(path.join(tmpdir(), 'fw-bench-'));
    try {
      console.log(`Seeding PGlite with ${RECORDS} records over ${OWNERS} owners…`);
      const db = await openDatabase({ kind: 'pglite', dataDir: dir });
      useDatabase(db);
      const w = await seedBench(db, RECORDS, OWNERS, console.log);
      for (const c of [salesCase(w), supportCase(w), vipCase(w)]) await measure('PGlite', db, w, c);
      await measureLookup('PGlite', db, w);
      await closeDb();
      await httpBench('PGlite', w, { FW_DATA_DIR: dir, DATABASE_URL: '' });
      useDatabase(await openDatabase({ kind: 'pglite', dataDir: dir }, { migrate: false }));
      await measureReseal('PGlite', w);
      await closeDb();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) await postgresCases(serverUrl);
  else console.log('DATABASE_URL is not set: PostgreSQL server rows skipped (set it to include them).');

  console.log(
    `\nThe UI's default list (updatedAt desc, ${PAGE_SIZE} per page, no search, up to ${MAX_PAGES} pages cycled), ${RECORDS} records over ${OWNERS} owners unless stated, ${ITERATIONS} runs each; ratio = to the raw query of the same rows:`,
  );
  console.table(rows);
  console.log(`\nREST API under the production server (server.ts), ${REST_PAGE_SIZE} per page, as the salesperson, 10 connections, ${HTTP_SECONDS} s (autocannon):`);
  console.table(httpRows);
  console.log('\nKey rotation: re-encrypting every record (records.resealBatch, 1,000 per batch) while the salesperson\'s list is served in the same process:');
  console.table(resealRows);
  console.log(`Total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
