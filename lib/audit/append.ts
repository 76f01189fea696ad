/**
 * Appends audit events. Called by the operation runner inside the same
 * transaction as the work, so an event exists exactly when the work happened.
 */
import 'server-only';
import type { Transaction, Kysely } from 'kysely';
import type { DB } from '@/lib/db/schema';

export type AuditOutcome = 'ok' | 'denied' | 'not_found' | 'invalid' | 'conflict' | 'failed' | 'error';

export interface AuditEntry {
  action: string;
  outcome?: AuditOutcome;
  resourceType?: string;
  resourceId?: string;
  formId?: string;
  /** Records touched or seen. */
  recordIds?: string[];
  /** Field keys seen in plain text or changed: names only, never values. */
  fields?: string[];
  /** Never stored values: counts, versions, reasons. */
  details?: Record<string, unknown>;
  /** Set when the actor is known only from the work itself (a sign-in). */
  actorId?: string;
  actorLabel?: string;
}

export interface AuditActor {
  actorId: string | null;
  actorLabel: string | null;
  ip: string | null;
}

export async function appendAuditEvents(db: Transaction<DB> | Kysely<DB>, actor: AuditActor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(
      entries.map((e) => ({
        actor_id: e.actorId ?? actor.actorId,
        actor_label: e.actorLabel ?? actor.actorLabel,
        ip: actor.ip,
        action: e.action,
        outcome: e.outcome ?? 'ok',
        resource_type: e.resourceType ?? null,
        resource_id: e.resourceId ?? null,
        form_id: e.formId ?? null,
        record_ids: e.recordIds ? JSON.stringify(e.recordIds) : null,
        fields: e.fields ? JSON.stringify(e.fields) : null,
        details: e.details ? JSON.stringify(e.details) : null,
      })),
    )
    .execute();
}
