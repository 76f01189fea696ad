/**
 * The audit log's hash chain (migration 2026-12-03-0003). Requests insert events without
 * waiting for one another; the sealer, one at a time across instances, appends the committed
 * ones to `audit_chain` in (txid, id) order, each with SHA-256 over the previous hash and the
 * event's canonical content. `verifyChain` recomputes it and names the first event that was
 * changed, removed or reordered; a rewrite of the whole chain is caught by the signed
 * checkpoints kept outside the database (checkpoints.ts).
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';

type Db = Kysely<DB> | Transaction<DB>;

/** The hash before the first event. */
export const GENESIS = '0'.repeat(64);

interface EventRow {
  id: string;
  txid: string;
  /** SHA-256 (hex) of the event's canonical content, computed by the database (below). */
  digest: string;
}

/**
 * An event's canonical content is its columns as one jsonb array, as text: jsonb prints the
 * same value the same way (keys in a fixed order, no insignificant whitespace), `at` is taken
 * in UTC with its microseconds, and every column is in it, so a change to any byte of an event
 * changes its digest. The database hashes it (C, over the page at once); the chain itself is
 * then one SHA-256 per event in JS.
 */
const eventColumns = sql`e.id::text as id, e.txid::text as txid, encode(sha256(convert_to(jsonb_build_array(
    e.id::text, e.txid::text, (e.at at time zone 'UTC')::text, e.actor_id, e.actor_label, e.ip, e.action, e.outcome,
    e.resource_type, e.resource_id, e.form_id, e.record_ids, e.fields, e.details)::text, 'UTF8')), 'hex') as digest`;

export function eventHash(previous: string, e: EventRow): string {
  return createHash('sha256').update(previous).update('\n').update(e.digest).digest('hex');
}

export interface ChainHead {
  position: number;
  eventId: string;
  txid: string;
  hash: string;
}

export async function chainHead(db: Db): Promise<ChainHead | null> {
  const r = await sql<{ position: string; event_id: string; txid: string; hash: string }>`
    select c.position::text as position, c.event_id::text as event_id, c.txid::text as txid, c.hash from audit_chain c order by c.position desc limit 1`.execute(db);
  const h = r.rows[0];
  return h ? { position: Number(h.position), eventId: h.event_id, txid: h.txid, hash: h.hash } : null;
}

/**
 * Appends up to `limit` committed events to the chain; how many. Only one sealer at a time
 * (an advisory lock; another one finds it taken and returns 0). Only events of transactions
 * older than every transaction still running: those can no longer appear or roll back.
 */
export async function sealBatch(trx: Transaction<DB>, limit: number): Promise<number> {
  const locked = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext('formwarden:audit-seal')) as ok`.execute(trx);
  if (!locked.rows[0].ok) return 0;
  const head = await chainHead(trx);
  const after = head ? sql`and (e.txid, e.id) > (${head.txid}::xid8, ${head.eventId}::bigint)` : sql``;
  const rows = await sql<EventRow>`
    select ${eventColumns} from audit_events e
    where e.txid < pg_snapshot_xmin(pg_current_snapshot()) ${after}
    order by e.txid, e.id limit ${limit}`.execute(trx);
  if (!rows.rows.length) return 0;
  let previous = head?.hash ?? GENESIS;
  let position = head?.position ?? 0;
  const chain = rows.rows.map((e) => {
    previous = eventHash(previous, e);
    position++;
    return { position, eventId: e.id, txid: e.txid, hash: previous };
  });
  await sql`insert into audit_chain (position, event_id, txid, hash)
    select * from unnest(${chain.map((c) => String(c.position))}::bigint[], ${chain.map((c) => c.eventId)}::bigint[], ${chain.map((c) => c.txid)}::xid8[], ${chain.map((c) => c.hash)}::text[])`.execute(trx);
  return chain.length;
}

/** Events committed and not yet in the chain (the dashboard's backlog). */
export async function unsealedCount(db: Db): Promise<number> {
  const head = await chainHead(db);
  const after = head ? sql`where (e.txid, e.id) > (${head.txid}::xid8, ${head.eventId}::bigint)` : sql``;
  const r = await sql<{ n: string }>`select count(*) as n from audit_events e ${after}`.execute(db);
  return Number(r.rows[0].n);
}

export type ChainProblem =
  | { kind: 'changed'; position: number; eventId: string }
  | { kind: 'removed'; position: number; eventId: string }
  | { kind: 'unchained'; eventId: string };

export interface ChainVerdict {
  /** Sealed events checked. */
  checked: number;
  head: ChainHead | null;
  /** The first problem in chain order, or null when the chain holds. */
  problem: ChainProblem | null;
  /** The hash the chain has at each position asked for (checkpoints compare against them). */
  hashesAt: Map<number, string>;
}

/**
 * Recomputes the chain from the events, page by page in position order, and stops at the first
 * problem: an event whose content no longer gives its hash (changed, or two swapped: each then
 * sits where the other's hash is expected), an event gone, or an event inside the sealed range
 * that the chain does not hold (inserted behind the sealer's back).
 */
export async function verifyChain(db: Db, positions: readonly number[] = [], pageSize = 20000): Promise<ChainVerdict> {
  const wanted = new Set(positions);
  const hashesAt = new Map<number, string>();
  const head = await chainHead(db);
  let previous = GENESIS;
  let from = 0;
  let checked = 0;
  for (;;) {
    const page = await sql<EventRow & { position: string; chained_id: string; hash: string; found: boolean }>`
      select c.position::text as position, c.event_id::text as chained_id, c.hash, e.id is not null as found, ${eventColumns}
      from audit_chain c left join audit_events e on e.id = c.event_id
      where c.position > ${from} order by c.position limit ${pageSize}`.execute(db);
    if (!page.rows.length) break;
    for (const row of page.rows) {
      const position = Number(row.position);
      if (position !== checked + 1) return { checked, head, problem: { kind: 'removed', position: checked + 1, eventId: '?' }, hashesAt };
      if (!row.found) return { checked, head, problem: { kind: 'removed', position, eventId: row.chained_id }, hashesAt };
      previous = eventHash(previous, row);
      if (previous !== row.hash) return { checked, head, problem: { kind: 'changed', position, eventId: row.chained_id }, hashesAt };
      if (wanted.has(position)) hashesAt.set(position, row.hash);
      checked = position;
    }
    from = checked;
  }
  if (head) {
    const stray = await sql<{ id: string }>`
      select e.id::text as id from audit_events e
      where (e.txid, e.id) <= (${head.txid}::xid8, ${head.eventId}::bigint)
        and not exists (select 1 from audit_chain c where c.event_id = e.id)
      order by e.txid, e.id limit 1`.execute(db);
    if (stray.rows.length) return { checked, head, problem: { kind: 'unchained', eventId: stray.rows[0].id }, hashesAt };
  }
  return { checked, head, problem: null, hashesAt };
}
