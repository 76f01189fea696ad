/**
 * The audit chain as operations: sealing and checkpoints for the job runner (the system only),
 * verification for administrators and the command line (`fw audit verify`). Verifying is
 * itself audited: who checked the log, and what they found.
 */
import 'server-only';
import { defineOperation } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { msg } from '@/lib/i18n';
import { sealBatch, unsealedCount, type ChainHead } from './chain';
import { verifyAudit, writeCheckpoint, type AuditVerdict, type Checkpoint } from './checkpoints';

const SEAL_PAGE = 5000;

/** Seals what is committed, page by page, up to `max` events; how many, and the backlog left. */
export const sealAuditEvents = defineOperation({
  name: 'audit.seal',
  permission: 'admin',
  // The sealer runs every few seconds: an event per run would be an event to seal per run.
  audit: false,
  input: { type: 'object', additionalProperties: false, properties: { max: { type: 'integer', minimum: 1, maximum: 1_000_000 } } },
  async run(ctx, input): Promise<{ sealed: number; backlog: number }> {
    // Threat: a web session appending to the chain out of turn. Only the runner and the CLI.
    if (!ctx.principal.systemLabel) throw new AppError('forbidden', msg(ctx.locale, 'errors.keys.systemOnly'));
    const max = input.max ?? 50_000;
    let sealed = 0;
    while (sealed < max) {
      const n = await sealBatch(ctx.db, Math.min(SEAL_PAGE, max - sealed));
      sealed += n;
      if (n === 0) break;
    }
    return { sealed, backlog: await unsealedCount(ctx.db) };
  },
});

/** Signs the chain's head and writes the checkpoint outside the database. */
export const checkpointAudit = defineOperation({
  name: 'audit.checkpoint',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<Checkpoint | null> {
    if (!ctx.principal.systemLabel) throw new AppError('forbidden', msg(ctx.locale, 'errors.keys.systemOnly'));
    const c = await writeCheckpoint(ctx.db);
    if (c) ctx.audit({ action: 'audit.checkpoint', details: { position: c.position, hash: c.hash } });
    return c;
  },
});

export type { AuditVerdict, ChainHead };

/** Recomputes the chain and checks every checkpoint; names the first problem. */
export const verifyAuditLog = defineOperation({
  name: 'audit.verify',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<AuditVerdict> {
    const verdict = await verifyAudit(ctx.db);
    ctx.audit({ action: 'audit.verify', outcome: verdict.ok ? 'ok' : 'failed', details: { checked: verdict.checked, checkpoints: verdict.checkpoints, problem: verdict.problem } });
    return verdict;
  },
});
