/**
 * What an app instance starts besides serving requests (instrumentation.ts): it checks that the
 * master key opens this database's data keys, warns when the key sits where it should not, and
 * runs the job runner and the audit sealer (unless FW_JOBS=off). A wrong master key stops the start: serving with it
 * would show every encrypted field as unreadable and seal new values under keys nobody can
 * open again.
 */
import 'server-only';
import { getDb } from '@/lib/db/connection';
import { env } from '@/lib/env';
import { verifyMasterKey } from '@/lib/crypto/keyring';
import { masterKeyPlacementWarning } from '@/lib/crypto/key-provider';
import { startJobRunner, type JobRunner } from './runner';
import { startAuditSealer, type AuditSealer } from './audit-sealer';

const holder = globalThis as unknown as { __fwRunner?: JobRunner; __fwSealer?: AuditSealer };

export async function startBackground(): Promise<void> {
  try {
    const db = await getDb();
    await verifyMasterKey(db);
  } catch (e) {
    // Configuration, connection and key problems: our own messages, no value of a record.
    console.error(`[formwarden] could not start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  const warning = masterKeyPlacementWarning();
  if (warning) console.warn(`[formwarden] ${warning}`);
  if (env().runJobs && !holder.__fwRunner) holder.__fwRunner = startJobRunner();
  if (env().runJobs && !holder.__fwSealer) holder.__fwSealer = startAuditSealer();
}
