/**
 * Durable background work in the `jobs` table (DESIGN.md, "Background jobs").
 *
 * A job is claimed under a lease (`claimJob`, FOR UPDATE SKIP LOCKED, so any number of
 * instances share the table and none waits on another). Its work is done in batches; each
 * batch runs in one transaction that first locks the job row and checks the lease
 * (`leasedJob`), then does the batch's work and records the new checkpoint and progress
 * (`advanceJob`) before committing. So:
 *   - a process killed mid-batch loses only that batch's uncommitted work, and whoever claims
 *     the job after the lease expires resumes from the last committed checkpoint;
 *   - two instances never commit the same batch: a claim skips a row a batch holds locked,
 *     and a batch whose lease was taken over finds the lease changed and rolls back.
 * `params` and `checkpoint` hold ids and counts, never a record value.
 */
import 'server-only';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';

type Db = Kysely<DB> | Transaction<DB>;

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** What pages and the CLI show of a job. */
export interface JobProgress {
  id: string;
  kind: string;
  state: JobState;
  done: number;
  total: number | null;
  /** Items per second, a moving average over the batches. */
  rate: number | null;
  /** Seconds left at the current rate, when known. */
  etaSeconds: number | null;
  phase: string | null;
  attempts: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ClaimedJob {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  lease: string;
}

export interface LeasedJob extends ClaimedJob {
  checkpoint: Record<string, unknown> | null;
  done: number;
  total: number | null;
}

/** A batch's transaction found its lease gone (expired and claimed by another instance). */
export class JobLeaseLost extends Error {
  constructor(id: string) {
    super(`Job ${id} is no longer leased by this runner`);
    this.name = 'JobLeaseLost';
  }
}

/**
 * Queues a job. With `singleton`, at most one job of that key is queued or running: a second
 * request gets the existing job's id instead of a second job.
 */
export async function enqueueJob(
  db: Db,
  job: { kind: string; params?: Record<string, unknown>; singleton?: string; total?: number; createdBy?: string | null },
): Promise<{ id: string; created: boolean }> {
  const inserted = await db
    .insertInto('jobs')
    .values({
      kind: job.kind,
      params: JSON.stringify(job.params ?? {}),
      singleton: job.singleton ?? null,
      total: job.total === undefined ? null : String(job.total),
      created_by: job.createdBy ?? null,
    })
    .onConflict((oc) => oc.column('singleton').where('state', 'in', ['queued', 'running']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db.selectFrom('jobs').select('id').where('singleton', '=', job.singleton!).where('state', 'in', ['queued', 'running']).executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

/** Takes the next due job whose lease is free (never held, or expired with its holder). */
export async function claimJob(db: Db, runner: string, leaseSeconds: number, kinds: string[]): Promise<ClaimedJob | undefined> {
  if (!kinds.length) return undefined;
  const r = await sql<{ id: string; kind: string; params: Record<string, unknown>; lease: string }>`
    update jobs j set state = 'running', lease = gen_random_uuid(), leased_by = ${runner},
      lease_expires_at = clock_timestamp() + make_interval(secs => ${leaseSeconds}), attempts = j.attempts + 1,
      started_at = coalesce(j.started_at, clock_timestamp())
    where j.id = (
      select c.id from jobs c
      where c.state in ('queued', 'running') and c.run_after <= clock_timestamp() and c.kind = any(${kinds}::text[])
        and (c.lease_expires_at is null or c.lease_expires_at < clock_timestamp())
      order by c.run_after, c.created_at
      limit 1 for update skip locked)
    returning j.id, j.kind, j.params, j.lease`.execute(db);
  return r.rows[0];
}

/** Locks the job for this batch's transaction; throws JobLeaseLost when the lease is not ours. */
export async function leasedJob(trx: Transaction<DB>, id: string, lease: string): Promise<LeasedJob> {
  const row = await trx
    .selectFrom('jobs')
    .select(['id', 'kind', 'params', 'lease', 'checkpoint', 'done', 'total'])
    .where('id', '=', id)
    .where('lease', '=', lease)
    .where('state', '=', 'running')
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new JobLeaseLost(id);
  return { id: row.id, kind: row.kind, params: row.params, lease: row.lease!, checkpoint: row.checkpoint, done: Number(row.done), total: row.total === null ? null : Number(row.total) };
}

export interface Advance {
  checkpoint: Record<string, unknown>;
  /** Items this batch processed (added to `done`). */
  processed: number;
  /** A new total, when the batch learned it. */
  total?: number;
  /** Start `done` again from this value (a new pass). */
  resetDone?: number;
  /** The job is complete. */
  finished?: boolean;
  /** Hand the job back and come back no earlier than this many seconds from now. */
  waitSeconds?: number;
  leaseSeconds: number;
}

/** Records a batch's checkpoint and progress in its transaction, and renews the lease. */
export async function advanceJob(trx: Transaction<DB>, job: LeasedJob, a: Advance): Promise<void> {
  const since = sql`greatest(extract(epoch from clock_timestamp() - coalesce(j.progressed_at, j.started_at)), 0.001)`;
  const batchRate = sql`(${a.processed}::double precision / ${since})`;
  await sql`
    update jobs j set
      checkpoint = ${JSON.stringify(a.checkpoint)}::jsonb,
      done = ${a.resetDone === undefined ? sql`j.done + ${a.processed}` : sql`${a.resetDone}::bigint`},
      total = ${a.total === undefined ? sql`j.total` : sql`${a.total}::bigint`},
      rate = ${a.processed > 0 ? sql`case when j.rate is null then ${batchRate} else 0.7 * j.rate + 0.3 * ${batchRate} end` : sql`j.rate`},
      progressed_at = clock_timestamp(),
      state = ${a.finished ? 'done' : 'running'},
      finished_at = ${a.finished ? sql`clock_timestamp()` : sql`null`},
      error = null,
      run_after = ${a.waitSeconds ? sql`clock_timestamp() + make_interval(secs => ${a.waitSeconds})` : sql`j.run_after`},
      lease = ${a.finished || a.waitSeconds ? sql`null` : sql`j.lease`},
      lease_expires_at = ${a.finished || a.waitSeconds ? sql`null` : sql`clock_timestamp() + make_interval(secs => ${a.leaseSeconds})`}
    where j.id = ${job.id}::uuid and j.lease = ${job.lease}::uuid`.execute(trx);
}

/** After a failed batch: hand the job back with a back-off, or fail it after `maxAttempts`. */
export async function failJobAttempt(db: Db, job: ClaimedJob, errorCode: string, maxAttempts: number): Promise<void> {
  await sql`
    update jobs j set
      state = case when j.attempts >= ${maxAttempts} then 'failed' else 'running' end,
      finished_at = case when j.attempts >= ${maxAttempts} then clock_timestamp() end,
      error = ${errorCode},
      run_after = clock_timestamp() + make_interval(secs => least(300, 2 ^ j.attempts)),
      lease = null, lease_expires_at = null
    where j.id = ${job.id}::uuid and j.lease = ${job.lease}::uuid`.execute(db);
}

/** Jobs, newest first, with progress. */
export async function listJobProgress(db: Db, options: { kind?: string; kinds?: string[]; limit?: number; formId?: string } = {}): Promise<JobProgress[]> {
  let q = db.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').limit(options.limit ?? 20);
  if (options.kind) q = q.where('kind', '=', options.kind);
  if (options.kinds) q = q.where('kind', 'in', options.kinds);
  if (options.formId) q = q.where(sql`params->>'formId'`, '=', options.formId);
  const rows = await q.execute();
  return rows.map((r) => {
    const done = Number(r.done);
    const total = r.total === null ? null : Number(r.total);
    const rate = r.rate === null ? null : Number(r.rate);
    return {
      id: r.id,
      kind: r.kind,
      state: r.state,
      done,
      total,
      rate,
      // None while a rotation waits out its grace period to retire: no work is left to time.
      etaSeconds: total !== null && rate && rate > 0 && r.state === 'running' && r.checkpoint?.phase !== 'retire' ? Math.max(0, Math.round((total - done) / rate)) : null,
      phase: typeof r.checkpoint?.phase === 'string' ? r.checkpoint.phase : null,
      attempts: r.attempts,
      error: r.error,
      createdAt: new Date(r.created_at).toISOString(),
      startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
      finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    };
  });
}
