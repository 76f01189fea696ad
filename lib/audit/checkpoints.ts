/**
 * Signed checkpoints of the audit chain's head, kept outside the database. A chain rewritten
 * consistently inside the database (every hash recomputed after a change) still verifies on
 * its own; it no longer matches a checkpoint signed before the rewrite. Signed with Ed25519
 * under a key of its own (FW_AUDIT_SIGNING_KEY_FILE, generated when missing), apart from the
 * data keys and the master key: whoever can rewrite the database cannot forge a checkpoint.
 *
 * One JSON file per checkpoint in FW_AUDIT_CHECKPOINT_DIR/<chain id>/, named by position.
 */
import 'server-only';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { env } from '@/lib/env';
import { chainHead, verifyChain, type ChainHead, type ChainProblem } from './chain';

type Db = Kysely<DB> | Transaction<DB>;

export interface Checkpoint {
  chainId: string;
  position: number;
  eventId: string;
  hash: string;
  at: string;
  /** Ed25519 over `statement(...)`, base64. */
  signature: string;
}

const statement = (c: Omit<Checkpoint, 'signature'>) => Buffer.from(`formwarden/audit-checkpoint/v1\n${c.chainId}\n${c.position}\n${c.eventId}\n${c.hash}\n${c.at}`, 'utf8');

function signingKey(): KeyObject {
  const file = env().auditSigningKeyFile;
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  return createPrivateKey(readFileSync(file));
}

export async function chainId(db: Db): Promise<string> {
  const r = await sql<{ id: string }>`select value #>> '{}' as id from settings where key = 'audit_chain_id'`.execute(db);
  if (!r.rows[0]) throw new Error('audit_chain_id is missing from settings: the audit chain migration has not run');
  return r.rows[0].id;
}

const folderOf = (id: string) => path.join(env().auditCheckpointDir, id);

/** Signs the chain's head and writes it out; the checkpoint, or null while nothing is sealed. */
export async function writeCheckpoint(db: Db): Promise<Checkpoint | null> {
  const head = await chainHead(db);
  if (!head) return null;
  const id = await chainId(db);
  const key = signingKey();
  const unsigned = { chainId: id, position: head.position, eventId: head.eventId, hash: head.hash, at: new Date().toISOString() };
  const checkpoint: Checkpoint = { ...unsigned, signature: sign(null, statement(unsigned), key).toString('base64') };
  const folder = folderOf(id);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, `${String(head.position).padStart(12, '0')}.json`), `${JSON.stringify(checkpoint, null, 2)}\n`);
  // For a verifier elsewhere: the public half, beside the checkpoints it checks.
  const pub = path.join(folder, 'signing-key.pub.pem');
  if (!existsSync(pub)) writeFileSync(pub, createPublicKey(key).export({ type: 'spki', format: 'pem' }));
  return checkpoint;
}

function readCheckpoints(id: string): { file: string; checkpoint: Checkpoint | null }[] {
  const folder = folderOf(id);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      try {
        return { file: f, checkpoint: JSON.parse(readFileSync(path.join(folder, f), 'utf8')) as Checkpoint };
      } catch {
        return { file: f, checkpoint: null };
      }
    });
}

export type AuditProblem =
  | ChainProblem
  | { kind: 'rewritten'; position: number; checkpoint: string }
  | { kind: 'truncated'; position: number; checkpoint: string }
  | { kind: 'forged'; checkpoint: string };

export interface AuditVerdict {
  ok: boolean;
  checked: number;
  head: ChainHead | null;
  checkpoints: number;
  problem: AuditProblem | null;
}

/**
 * The chain recomputed from the events, then every checkpoint: its signature, and the chain's
 * hash at its position. The first problem is named: the chain's own (an event changed,
 * removed, reordered or slipped in) before a checkpoint's (the chain rewritten or cut behind
 * a signed head, or a checkpoint file that was not signed by this key).
 */
export async function verifyAudit(db: Db): Promise<AuditVerdict> {
  const id = await chainId(db);
  const files = readCheckpoints(id);
  const publicKey = createPublicKey(signingKey());
  for (const f of files) {
    const c = f.checkpoint;
    const signed = c && c.chainId === id && verify(null, statement(c), publicKey, Buffer.from(String(c.signature), 'base64'));
    if (!signed) return { ok: false, checked: 0, head: await chainHead(db), checkpoints: files.length, problem: { kind: 'forged', checkpoint: f.file } };
  }
  const chain = await verifyChain(
    db,
    files.map((f) => f.checkpoint!.position),
  );
  if (chain.problem) return { ok: false, checked: chain.checked, head: chain.head, checkpoints: files.length, problem: chain.problem };
  for (const f of files) {
    const c = f.checkpoint!;
    if (!chain.head || c.position > chain.head.position) {
      return { ok: false, checked: chain.checked, head: chain.head, checkpoints: files.length, problem: { kind: 'truncated', position: c.position, checkpoint: f.file } };
    }
    if (chain.hashesAt.get(c.position) !== c.hash) {
      return { ok: false, checked: chain.checked, head: chain.head, checkpoints: files.length, problem: { kind: 'rewritten', position: c.position, checkpoint: f.file } };
    }
  }
  return { ok: true, checked: chain.checked, head: chain.head, checkpoints: files.length, problem: null };
}
