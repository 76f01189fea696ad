/**
 * A job runner in a process of its own, for the crash test (test/integration/job-crash.test.ts):
 * claims the key-rotation job and runs its batches, printing `batch <n>` after each commits,
 * until the test kills it with SIGKILL. Uses the database of DATABASE_URL or FW_DATA_DIR.
 */
import { getDb } from '@/lib/db/connection';
import { claimJob } from '@/lib/jobs/queue';
import { resealRecordsBatch } from '@/lib/records/jobs/operations';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { switchToAppRole } from '@/lib/db/app-role';
import { sql } from 'kysely';

const db = await getDb();
const job = await db.transaction().execute(async (trx) => {
  await sql`select ${switchToAppRole}`.execute(trx);
  return claimJob(trx, 'crash-child', Number(process.env.LEASE_SECONDS ?? 2), ['keys.reseal']);
});
if (!job) {
  console.log('no job');
  process.exit(3);
}
const caller = unsafeSystemCaller({ label: 'jobs' });
for (let n = 1; ; n++) {
  const r = await resealRecordsBatch(caller, { jobId: job.id, lease: job.lease });
  console.log(`batch ${n}`);
  if (r.finished) break;
}
console.log('finished');
