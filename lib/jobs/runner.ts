/**
 * The job runner: one per instance, started with the app (lib/jobs/background.ts) or by the
 * command line. It claims due jobs (lib/jobs/queue.ts) and drives them batch by batch through
 * their operations, as the system. Each batch is an operation of its own: its own transaction,
 * its own audit event, the job's checkpoint committed with the work.
 */
import 'server-only';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { getDb } from '@/lib/db/connection';
import { switchToAppRole } from '@/lib/db/app-role';
import type { DB } from '@/lib/db/schema';
import { isAppError } from '@/lib/errors';
import { describeError } from '@/lib/error-log';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import type { Caller } from '@/lib/auth/principal';
import { flushKeyUsage } from '@/lib/crypto/keyring';
import { JOB_BATCHES } from '@/lib/records/jobs/operations';
import { claimJob, failJobAttempt, type ClaimedJob } from './queue';

interface BatchResult {
  finished: boolean;
  waitSeconds?: number;
}

/** Each job kind and the operation that runs one batch of it. */
const handlers: Record<string, (caller: Caller, job: ClaimedJob) => Promise<BatchResult>> = Object.fromEntries(
  Object.entries(JOB_BATCHES).map(([kind, batch]) => [kind, (caller: Caller, job: ClaimedJob) => batch(caller, { jobId: job.id, lease: job.lease })]),
);

export const JOB_KINDS = Object.keys(handlers);

/** A failed batch is retried with back-off; after this many attempts the job fails. */
const MAX_ATTEMPTS = 5;

async function asAppRole<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  const db = await getDb();
  return db.transaction().execute(async (trx) => {
    await sql`select ${switchToAppRole}`.execute(trx);
    return work(trx);
  });
}

export interface RunnerOptions {
  /** Names this runner in `jobs.leased_by`. */
  id?: string;
  /** How long to wait when no job is due. */
  pollMs?: number;
  /** How long a claim holds before another instance may take the job over (renewed per batch). */
  leaseSeconds?: number;
}

/** Runs one claimed job until it finishes, waits, fails a batch or loses its lease; true if it did any work. */
async function drive(caller: Caller, job: ClaimedJob, stopped: () => boolean): Promise<void> {
  const handler = handlers[job.kind];
  while (!stopped()) {
    try {
      const r = await handler(caller, job);
      if (r.finished || r.waitSeconds) return;
    } catch (e) {
      // The operation has logged and audited what failed (its error code, never a value).
      const code = isAppError(e) ? e.code : 'internal';
      await asAppRole((trx) => failJobAttempt(trx, job, code, MAX_ATTEMPTS)).catch((f) =>
        console.error(`[formwarden] job ${job.id}: could not record a failed batch: ${describeError(f)}`),
      );
      return;
    }
  }
}

/** Claims and runs jobs until none is due; for the command line and tests. Returns how many were claimed. */
export async function runDueJobs(options: RunnerOptions = {}): Promise<number> {
  const id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const caller = unsafeSystemCaller({ label: 'jobs' });
  let claimed = 0;
  for (;;) {
    const job = await asAppRole((trx) => claimJob(trx, id, options.leaseSeconds ?? 60, JOB_KINDS));
    if (!job) break;
    claimed++;
    await drive(caller, job, () => false);
  }
  await flushKeyUsage();
  return claimed;
}

/**
 * What a process reports before it exits (the command line, after its command): the
 * encryptions it made, so the key's count stays honest (lib/crypto/keyring.ts).
 */
export async function reportBeforeExit(): Promise<void> {
  await flushKeyUsage();
}

export interface JobRunner {
  /** Look for work now instead of at the next poll. */
  wake(): void;
  /** Stops after the batch in progress. */
  stop(): Promise<void>;
}

/** The instance's runner loop. */
export function startJobRunner(options: RunnerOptions = {}): JobRunner {
  const id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollMs = options.pollMs ?? 2000;
  const caller = unsafeSystemCaller({ label: 'jobs' });
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        await flushKeyUsage();
        const job = await asAppRole((trx) => claimJob(trx, id, options.leaseSeconds ?? 60, JOB_KINDS));
        if (job) {
          await drive(caller, job, () => stopped);
          continue;
        }
      } catch (e) {
        console.error(`[formwarden] job runner: ${describeError(e)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        timer.unref?.();
        wake = () => (clearTimeout(timer), resolve());
      });
      wake = undefined;
    }
  })();
  return {
    wake: () => wake?.(),
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
