/**
 * The audit sealer's loop, one per instance (started with the app beside the job runner):
 * every 2 s it seals what has been committed (only one instance at a time gets the sealer's
 * lock; the others find it taken and wait for the next turn), and every minute it signs a
 * checkpoint of the chain's head. lib/audit/chain.ts has the why.
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
  let sleeping: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        await sealAuditEvents(caller, {});
        if (Date.now() - lastCheckpoint >= checkpointEvery) {
          lastCheckpoint = Date.now();
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
