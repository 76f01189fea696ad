/**
 * The audit sealer's loop, one per instance (started with the app beside the job runner):
 * every 2 s it seals what has been committed (only one instance at a time gets the sealer's
 * lock; the others find it taken and wait for the next turn), and every minute, when
 * the chain has grown, it signs a checkpoint of its head. lib/audit/chain.ts has the why.
 */
import 'server-only';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { checkpointAudit, sealAuditEvents } from '@/lib/audit/operations';
import { describeError } from '@/lib/error-log';

export interface AuditSealer {
  stop(): Promise<void>;
}

export function startAuditSealer(options: { sealEveryMs?: number; checkpointEveryMs?: number } = {}): AuditSealer {
  const caller = unsafeSystemCaller({ label: 'audit-sealer' });
  const sealEvery = options.sealEveryMs ?? 2000;
  const checkpointEvery = options.checkpointEveryMs ?? 60_000;
  let stopped = false;
  let lastCheckpoint = 0;
  // Sealed since the last checkpoint: an idle chain gets no new file every minute.
  let sinceCheckpoint = 0;
  let sleeping: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        sinceCheckpoint += (await sealAuditEvents(caller, {})).sealed;
        if (sinceCheckpoint > 0 && Date.now() - lastCheckpoint >= checkpointEvery) {
          lastCheckpoint = Date.now();
          sinceCheckpoint = 0;
          await checkpointAudit(caller, {});
        }
      } catch (e) {
        console.error(`[formwarden] audit sealer: ${describeError(e)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sealEvery);
        timer.unref?.();
        sleeping = () => (clearTimeout(timer), resolve());
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      sleeping?.();
      await loop;
    },
  };
}
