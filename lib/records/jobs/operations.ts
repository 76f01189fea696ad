/**
 * The background jobs over stored records (lib/jobs drives them, one batch per operation, as
 * the system): each batch runs in one transaction with the job's checkpoint, so a killed
 * process resumes where its last committed batch left off.
 *
 *   keys.reseal    after a data-key rotation: reseal every value under the current key, then
 *                  retire the old versions once nothing is sealed under them;
 *   keys.reindex   after a blind-index key rotation: remake every digest under the current
 *                  blind-index key, then retire the old blind-index versions;
 *   fields.seal    after a publish marked fields encrypted: seal their plain values;
 *   fields.unseal  after a confirmed publish turned encryption off: open their sealed values.
 *
 * The batches themselves are in lib/records/reseal.ts. Only the system's job runner may call
 * these operations. Threat: an administrator's session driving a job's batches by hand,
 * outside its lease protocol (two writers on one batch, a retire before the last count).
 */
import 'server-only';
import { sql } from 'kysely';
import { defineOperation, type OperationContext } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { msg } from '@/lib/i18n';
import { uuidSchema as uuid } from '@/lib/forms/ajv';
import { fieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import { fieldCrypto, readKeyState, type FieldCrypto } from '@/lib/crypto/keyring';
import { advanceJob, leasedJob } from '@/lib/jobs/queue';
import { openSealedBatch, reindexBatch, resealBatch, sealPlainBatch, type ResealOutcome } from '../reseal';
import { countPlainValues, countSealedValues, digestsByLookupVersion, valuesByKeyVersion } from '../record-stats';

export const RESEAL_JOB = 'keys.reseal';
export const REINDEX_JOB = 'keys.reindex';
export const SEAL_JOB = 'fields.seal';
export const UNSEAL_JOB = 'fields.unseal';

const batchInput = { type: 'object', additionalProperties: false, required: ['jobId', 'lease'], properties: { jobId: uuid, lease: uuid } } as const;

interface BatchResult {
  finished: boolean;
  waitSeconds?: number;
}

function systemOnly(ctx: OperationContext) {
  if (!ctx.principal.systemLabel) throw new AppError('forbidden', msg(ctx.locale, 'errors.keys.systemOnly'));
}

/** Passes over the records before what is still left over is kept as it is. */
const MAX_PASSES = 3;

// --- Key rotations: move everything onto the current version, then retire the old ones -------

/** What a key rotation's job (`keys.reseal`, `keys.reindex`) was asked to do; set by lib/crypto/operations.ts. */
export interface ResealParams {
  /** When the newest version became current. */
  rotatedAt: string;
  /**
   * How long after the rotation an old version may be retired: a transaction that read the
   * key state just before the rotation may still commit a value under the old version, and a
   * version must not be retired under a value that was written after the last count.
   */
  graceSeconds: number;
  batchSize: number;
  leaseSeconds: number;
}

type RotationCheckpoint =
  | { phase: 'reseal' | 'reindex'; pass: number; after: string | null; unreadable: number }
  | { phase: 'retire'; pass: number; unreadable: number }
  | { phase: 'finished'; pass: number; unreadable: number; retired: number[]; kept: number[] };

/** What differs between the two key rotations' jobs. */
interface Rotation {
  phase: 'reseal' | 'reindex';
  /** The version everything moves onto. */
  current(crypto: FieldCrypto): number;
  batch(ctx: OperationContext, crypto: FieldCrypto, after: string | null, limit: number): Promise<ResealOutcome>;
  /** The versions that are not retired, and what each still holds. */
  usage(ctx: OperationContext): Promise<{ live: number[]; counts: Map<number, number> }>;
  retire(ctx: OperationContext, versions: number[]): Promise<void>;
  audit: { batch: string; retire: string };
}

/**
 * One batch of a key rotation's job: the next records in id order; after a full pass, once
 * the grace period is over, the old versions that hold nothing are retired. One that still
 * holds something (an edit that began before the rotation) gets another pass first.
 */
async function rotationBatch(ctx: OperationContext, input: { jobId: string; lease: string }, r: Rotation): Promise<BatchResult> {
  systemOnly(ctx);
  const job = await leasedJob(ctx.db, input.jobId, input.lease);
  const params = job.params as unknown as ResealParams;
  const cp = (job.checkpoint as RotationCheckpoint | null) ?? { phase: r.phase, pass: 1, after: null, unreadable: 0 };
  const crypto = await fieldCrypto(ctx.db);
  const current = r.current(crypto);
  const leaseSeconds = params.leaseSeconds;
  if (cp.phase === r.phase) {
    const total = job.total ?? Number((await sql<{ n: string }>`select count(*) as n from records`.execute(ctx.db)).rows[0].n);
    const out = await r.batch(ctx, crypto, cp.after, params.batchSize);
    const unreadable = cp.unreadable + out.unreadable;
    const next: RotationCheckpoint = out.last === null ? { phase: 'retire', pass: cp.pass, unreadable } : { phase: r.phase, pass: cp.pass, after: out.last, unreadable };
    await advanceJob(ctx.db, job, { checkpoint: next, processed: out.scanned, total, leaseSeconds });
    ctx.audit({ action: r.audit.batch, details: { toVersion: current, pass: cp.pass, scanned: out.scanned, moved: out.resealed, unreadable: out.unreadable } });
    return { finished: false };
  }
  if (cp.phase === 'finished') return { finished: true };
  const wait = Math.ceil((Date.parse(params.rotatedAt) + params.graceSeconds * 1000 - Date.now()) / 1000);
  if (wait > 0) {
    await advanceJob(ctx.db, job, { checkpoint: cp, processed: 0, waitSeconds: wait, leaseSeconds });
    return { finished: false, waitSeconds: wait };
  }
  const { live, counts } = await r.usage(ctx);
  const old = live.filter((v) => v !== current);
  const inUse = old.filter((v) => (counts.get(v) ?? 0) > 0);
  if (inUse.length && cp.pass < MAX_PASSES) {
    await advanceJob(ctx.db, job, { checkpoint: { phase: r.phase, pass: cp.pass + 1, after: null, unreadable: 0 }, processed: 0, resetDone: 0, leaseSeconds });
    return { finished: false };
  }
  const retire = old.filter((v) => !inUse.includes(v));
  if (retire.length) await r.retire(ctx, retire);
  await advanceJob(ctx.db, job, { checkpoint: { phase: 'finished', pass: cp.pass, unreadable: cp.unreadable, retired: retire, kept: inUse }, processed: 0, finished: true, leaseSeconds });
  ctx.audit({ action: r.audit.retire, details: { retired: retire, kept: inUse, current, unreadable: cp.unreadable } });
  return { finished: true };
}

/** One batch of re-encrypting stored values after a data-key rotation. */
export const resealRecordsBatch = defineOperation({
  name: 'records.resealBatch',
  permission: 'admin',
  input: batchInput,
  run: (ctx, input) =>
    rotationBatch(ctx, input, {
      phase: 'reseal',
      current: (crypto) => crypto.version,
      batch: (c, crypto, after, limit) => resealBatch(c.db, crypto, after, limit),
      usage: async (c) => ({ live: (await readKeyState(c.db)).live, counts: await valuesByKeyVersion(c.db) }),
      retire: async (c, versions) => {
        await c.db.updateTable('encryption_keys').set({ retired_at: sql`now()` }).where('version', 'in', versions).execute();
      },
      audit: { batch: 'keys.reseal', retire: 'keys.retire' },
    }),
});

/** One batch of remaking blind-index digests after a blind-index key rotation. */
export const reindexRecordsBatch = defineOperation({
  name: 'records.reindexBatch',
  permission: 'admin',
  input: batchInput,
  run: (ctx, input) =>
    rotationBatch(ctx, input, {
      phase: 'reindex',
      current: (crypto) => crypto.lookupVersion,
      batch: (c, crypto, after, limit) => reindexBatch(c.db, crypto, after, limit),
      usage: async (c) => ({ live: (await readKeyState(c.db)).blindLive, counts: await digestsByLookupVersion(c.db) }),
      retire: async (c, versions) => {
        await c.db.updateTable('blind_index_keys').set({ retired_at: sql`now()` }).where('version', 'in', versions).execute();
      },
      audit: { batch: 'keys.reindex', retire: 'keys.retireLookup' },
    }),
});

// --- Turning encryption on or off over stored values ---------------------------------------

/** What a `fields.seal` or `fields.unseal` job was asked to do; set when the form is published (lib/forms/operations.ts). */
export interface SealParams {
  formId: string;
  keys: string[];
  batchSize: number;
  leaseSeconds: number;
}

interface FieldsCheckpoint {
  after: string | null;
  pass: number;
  /** Values sealed (or opened) so far. */
  sealed: number;
  /** Values of this pass that did not open (fields.unseal). */
  unreadable?: number;
}

/** What differs between sealing and unsealing a form's fields. */
interface FieldsChange {
  /** Which of the job's fields the published form still wants changed. */
  applies(f: FieldInfo): boolean;
  batch(ctx: OperationContext, crypto: FieldCrypto, form: { formId: string; fields: FieldInfo[] }, after: string | null, limit: number): Promise<ResealOutcome>;
  /** Values still in the old state after a pass (some may be ones that cannot change). */
  left(ctx: OperationContext, formId: string, keys: string[]): Promise<number>;
  /** After the last batch, with every key the job was given. */
  finish?(ctx: OperationContext, formId: string, keys: string[]): Promise<void>;
  action: string;
}

/**
 * Serialises a form's publishes with the batches of its seal and unseal jobs. An advisory lock,
 * not the form's row: record writes lock that row (their records_version trigger) after their
 * records, a batch locks records after this; the row would make the two wait on each other.
 */
export async function formFieldsLock(ctx: OperationContext, formId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('formwarden:form-fields'), hashtext(${formId}))`.execute(ctx.db);
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * One batch of sealing or unsealing a form's existing values, in id order. After a pass, a
 * count of what is still in the old state (a write that began before the publish and committed
 * after the batch passed its record) decides on another pass. Only fields the published form
 * still wants changed are touched: a publish that turns a field back keeps this job off it.
 */
async function fieldsBatch(ctx: OperationContext, input: { jobId: string; lease: string }, change: FieldsChange): Promise<BatchResult> {
  systemOnly(ctx);
  // One at a time with the form's publishes (formFieldsLock), taken before the job's row.
  // Threat: a publish that turns the field back between this batch's read of the definition and
  // its commit, counting the stored values before the batch changed them (plain text left under
  // an encrypted field with no job to seal it, or the reverse).
  const formId = (await ctx.db.selectFrom('jobs').select(sql<string>`params->>'formId'`.as('formId')).where('id', '=', input.jobId).executeTakeFirst())?.formId;
  if (formId) await formFieldsLock(ctx, formId);
  const job = await leasedJob(ctx.db, input.jobId, input.lease);
  const params = job.params as unknown as SealParams;
  const cp: FieldsCheckpoint = { after: null, pass: 1, sealed: 0, unreadable: 0, ...((job.checkpoint as Partial<FieldsCheckpoint> | null) ?? {}) };
  const published = await sql<{ schema: FormDefinition }>`
    select fv.schema from forms f join form_versions fv on fv.form_id = f.id and fv.version = f.published_version where f.id = ${params.formId}::uuid`.execute(ctx.db);
  const fields = published.rows.length ? fieldsOf(published.rows[0].schema).filter((f) => params.keys.includes(f.key) && change.applies(f)) : [];
  const keys = fields.map((f) => f.key);
  const crypto = await fieldCrypto(ctx.db);
  const total = job.total ?? Number((await sql<{ n: string }>`select count(*) as n from records where form_id = ${params.formId}::uuid`.execute(ctx.db)).rows[0].n);
  const out = fields.length ? await change.batch(ctx, crypto, { formId: params.formId, fields }, cp.after, params.batchSize) : { last: null, scanned: 0, resealed: 0, unreadable: 0 };
  const unreadable = (cp.unreadable ?? 0) + out.unreadable;
  let next: FieldsCheckpoint = { after: out.last ?? cp.after, pass: cp.pass, sealed: cp.sealed + out.resealed, unreadable };
  let finished = out.last === null;
  let again = false;
  if (finished && keys.length && cp.pass < MAX_PASSES && (await change.left(ctx, params.formId, keys)) > unreadable) {
    next = { after: null, pass: cp.pass + 1, sealed: next.sealed, unreadable: 0 };
    finished = false;
    again = true;
  }
  if (finished && change.finish) await change.finish(ctx, params.formId, params.keys);
  await advanceJob(ctx.db, job, { checkpoint: { ...next }, processed: again ? 0 : out.scanned, ...(again ? { resetDone: 0 } : {}), total, finished, leaseSeconds: params.leaseSeconds });
  ctx.audit({
    action: change.action,
    resourceType: 'form',
    resourceId: params.formId,
    formId: params.formId,
    fields: keys,
    details: { pass: cp.pass, scanned: out.scanned, changed: out.resealed, unreadable: out.unreadable, finished },
  });
  return { finished };
}

/**
 * One batch of encrypting a form's existing plain values (after a publish marked fields
 * encrypted). Records read meanwhile show correctly either way: a plain value of an encrypted
 * field is shown as it is, a sealed one is opened.
 */
export const sealRecordsBatch = defineOperation({
  name: 'records.sealBatch',
  permission: 'admin',
  input: batchInput,
  run: (ctx, input) =>
    fieldsBatch(ctx, input, {
      applies: (f) => Boolean(f.schema['x-encrypted']),
      batch: (c, crypto, form, after, limit) => sealPlainBatch(c.db, crypto, form, after, limit),
      left: async (c, formId, keys) => sum(await countPlainValues(c.db, formId, keys)),
      action: 'fields.seal',
    }),
});

/**
 * One batch of decrypting a form's existing sealed values (after a confirmed publish turned
 * encryption off). While it runs the fields are listed in `forms.unsealing`, so readers open
 * what is still sealed in them (protect.ts openStored); the last batch takes them off.
 */
export const unsealRecordsBatch = defineOperation({
  name: 'records.unsealBatch',
  permission: 'admin',
  input: batchInput,
  run: (ctx, input) =>
    fieldsBatch(ctx, input, {
      applies: (f) => !f.schema['x-encrypted'],
      batch: (c, crypto, form, after, limit) => openSealedBatch(c.db, crypto, form, after, limit),
      left: async (c, formId, keys) => sum(await countSealedValues(c.db, formId, keys)),
      finish: async (c, formId, keys) => {
        // A field that still holds a value that does not open stays listed: readers keep
        // reporting it as unreadable rather than showing the token as if it were text.
        const left = await countSealedValues(c.db, formId, keys);
        const done = keys.filter((k) => !left[k]);
        await sql`update forms set unsealing = array(select k from unnest(unsealing) k where k <> all(${done}::text[])) where id = ${formId}::uuid`.execute(c.db);
      },
      action: 'fields.unseal',
    }),
});

/** Each job kind and the operation that runs one batch of it (lib/jobs/runner.ts). */
export const JOB_BATCHES = {
  [RESEAL_JOB]: resealRecordsBatch,
  [REINDEX_JOB]: reindexRecordsBatch,
  [SEAL_JOB]: sealRecordsBatch,
  [UNSEAL_JOB]: unsealRecordsBatch,
} as const;
