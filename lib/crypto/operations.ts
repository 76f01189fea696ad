/**
 * Key management for administrators and the command line: the key versions and what is sealed
 * under them (`keys.status`), rotating the data key while the app serves (`keys.rotate`), and
 * rotating the blind-index key (`keys.rotateLookup`), and re-wrapping both under a new master
 * key (`keys.rotateMaster`). The stored values and digests move in background jobs
 * (lib/records/jobs), never in the request.
 */
import 'server-only';
import { sql } from 'kysely';
import { defineOperation, type OperationContext } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { msg } from '@/lib/i18n';
import { enqueueJob, listJobProgress, type JobProgress } from '@/lib/jobs/queue';
import { digestsByLookupVersion, valuesByKeyVersion } from '@/lib/records/operations';
import { REINDEX_JOB, RESEAL_JOB, SEAL_JOB, UNSEAL_JOB, type ResealParams } from '@/lib/records/jobs/operations';
import { addBlindKeyVersion, addKeyVersion, GCM_ENCRYPTIONS_LIMIT, GCM_ENCRYPTIONS_WARNING, readKeyState, verifyMasterKey } from './keyring';
import { keyProvider, keyProviderFromFile, masterKeyPlacement, type KeyPlacementProblem, type KeyProvider } from './key-provider';

export interface KeyVersionStatus {
  version: number;
  current: boolean;
  createdAt: string;
  retiredAt: string | null;
  /** Values sealed under it so far (as the instances last reported). */
  encryptions: number;
  /** Stored values still sealed under it. */
  values: number;
  /** Past the warning for AES-GCM's random-nonce limit. */
  nearLimit: boolean;
}

export interface KeyStatus {
  provider: KeyProvider['source'];
  /** Whether the configured master key opens every data key that is not retired. */
  masterKeyOpens: boolean;
  /** Why the master key's place is unsafe, if it is. */
  placement: KeyPlacementProblem | null;
  versions: KeyVersionStatus[];
  limit: number;
  reseal: JobProgress | null;
  /** The blind-index key versions (exact search on encrypted fields) and the digests under each. */
  lookupVersions: LookupKeyStatus[];
  /** The latest blind-index rebuild. */
  reindex: JobProgress | null;
  /** Recent jobs encrypting (fields.seal) or decrypting (fields.unseal) a form's existing values, with the form's name. */
  sealing: (JobProgress & { formName: string })[];
}

export interface LookupKeyStatus {
  version: number;
  current: boolean;
  createdAt: string;
  retiredAt: string | null;
  /** Stored digests made under it. */
  digests: number;
}

export const keyStatus = defineOperation({
  name: 'keys.status',
  permission: 'admin',
  readOnly: true,
  // Versions, counts and job progress: nothing of a record, and the admin page asks every 2 s
  // while a job runs. The rotations themselves are audited.
  audit: false,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<KeyStatus> {
    const rows = await ctx.db.selectFrom('encryption_keys').select(['version', 'created_at', 'retired_at', 'encryptions']).orderBy('version').execute();
    const counts = await valuesByKeyVersion(ctx.db);
    const state = await readKeyState(ctx.db);
    const [reseal] = await listJobProgress(ctx.db, { kind: RESEAL_JOB, limit: 1 });
    const [reindex] = await listJobProgress(ctx.db, { kind: REINDEX_JOB, limit: 1 });
    const seals = await listJobProgress(ctx.db, { kinds: [SEAL_JOB, UNSEAL_JOB], limit: 5 });
    const lookupRows = await ctx.db.selectFrom('blind_index_keys').select(['version', 'created_at', 'retired_at']).orderBy('version').execute();
    const digests = await digestsByLookupVersion(ctx.db);
    const sealForms = seals.length
      ? (await sql<{ id: string; name: string }>`select j.id, f.name from jobs j join forms f on f.id = (j.params->>'formId')::uuid where j.id = any(${seals.map((j) => j.id)}::uuid[])`.execute(ctx.db)).rows
      : [];
    const masterKeyOpens = await verifyMasterKey(ctx.db).then(
      () => true,
      () => false,
    );
    return {
      provider: keyProvider().source,
      masterKeyOpens,
      placement: masterKeyPlacement() ?? null,
      limit: GCM_ENCRYPTIONS_LIMIT,
      versions: rows.map((r) => ({
        version: r.version,
        current: r.version === state.current,
        createdAt: new Date(r.created_at).toISOString(),
        retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null,
        encryptions: Number(r.encryptions),
        values: counts.get(r.version) ?? 0,
        nearLimit: Number(r.encryptions) >= GCM_ENCRYPTIONS_WARNING,
      })),
      reseal: reseal ?? null,
      lookupVersions: lookupRows.map((r) => ({
        version: r.version,
        current: r.version === state.blind,
        createdAt: new Date(r.created_at).toISOString(),
        retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null,
        digests: digests.get(r.version) ?? 0,
      })),
      reindex: reindex ?? null,
      sealing: seals.map((j) => ({ ...j, formName: sealForms.find((f) => f.id === j.id)?.name ?? '' })),
    };
  },
});

/** Defaults of a rotation's job; tests shorten them. */
const RESEAL_DEFAULTS = { graceSeconds: 600, batchSize: 500, leaseSeconds: 60 };

const rotationInput = {
  type: 'object',
  additionalProperties: false,
  properties: {
    graceSeconds: { type: 'integer', minimum: 0, maximum: 86400 },
    batchSize: { type: 'integer', minimum: 1, maximum: 10000 },
    leaseSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
  },
} as const;

/** Queues a rotation's job, or restarts the one under way (towards the newest version). */
async function rotationJob(ctx: OperationContext, kind: string, input: Partial<Omit<ResealParams, 'rotatedAt'>>): Promise<string> {
  const rotatedAt = (await sql<{ now: Date }>`select now() as now`.execute(ctx.db)).rows[0].now;
  const params: ResealParams = { ...RESEAL_DEFAULTS, ...input, rotatedAt: new Date(rotatedAt).toISOString() };
  const job = await enqueueJob(ctx.db, { kind, params: { ...params }, singleton: kind, createdBy: ctx.principal.systemLabel ? null : ctx.principal.userId });
  if (!job.created) {
    await ctx.db.updateTable('jobs').set({ params: JSON.stringify(params), checkpoint: null, done: '0', total: null }).where('id', '=', job.id).execute();
  }
  return job.id;
}

/**
 * A new data key version, current at once for every instance's next transaction; a job moves
 * the stored values onto it and retires the old versions when nothing uses them. A rotation
 * while a re-encryption is still running restarts that job's pass, towards the newest version.
 */
export const rotateDataKey = defineOperation({
  name: 'keys.rotate',
  permission: 'admin',
  input: rotationInput,
  async run(ctx, input): Promise<{ version: number; jobId: string }> {
    // Rotations are serialised: two at once would otherwise both read the same next version.
    await sql`select pg_advisory_xact_lock(hashtext('formwarden:keys.rotate'))`.execute(ctx.db);
    // A new key wrapped under a wrong master key could never be opened by the right one.
    await verifyMasterKey(ctx.db);
    const state = await readKeyState(ctx.db);
    if (state.current === null) await addKeyVersion(ctx.db); // nothing sealed yet: version 1 first
    const version = await addKeyVersion(ctx.db);
    const jobId = await rotationJob(ctx, RESEAL_JOB, input);
    ctx.audit({ action: 'keys.rotate', resourceType: 'key', resourceId: String(version), details: { version, previous: state.current, jobId } });
    return { version, jobId };
  },
});

/**
 * A new blind-index key version: new digests are made under it at once, by every instance's
 * next transaction; an exact search asks for a digest under every version not retired, so a
 * record is found throughout; a job remakes the stored digests and then retires the old
 * version. (Why rotate: a digest under a leaked blind-index key lets whoever has the key test
 * guesses of a value, a phone number's few billion candidates among them.)
 */
export const rotateLookupKey = defineOperation({
  name: 'keys.rotateLookup',
  permission: 'admin',
  input: rotationInput,
  async run(ctx, input): Promise<{ version: number; jobId: string }> {
    await sql`select pg_advisory_xact_lock(hashtext('formwarden:keys.rotateLookup'))`.execute(ctx.db);
    await verifyMasterKey(ctx.db);
    const state = await readKeyState(ctx.db);
    if (state.blind === null) await addBlindKeyVersion(ctx.db); // no digest yet: version 1 first
    const version = await addBlindKeyVersion(ctx.db);
    const jobId = await rotationJob(ctx, REINDEX_JOB, input);
    ctx.audit({ action: 'keys.rotateLookup', resourceType: 'key', resourceId: `lookup/${version}`, details: { version, previous: state.blind, jobId } });
    return { version, jobId };
  },
});

/**
 * Re-wraps every data key under a new master key (read from `newKeyFile`), in one transaction;
 * no value is touched. Every instance must then be restarted with the new master key: the old
 * one opens nothing from then on. The command line only (`fw keys rotate-master`).
 */
export const rewrapDataKeys = defineOperation({
  name: 'keys.rotateMaster',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['newKeyFile'], properties: { newKeyFile: { type: 'string', minLength: 1, maxLength: 4096 } } },
  async run(ctx, input): Promise<{ versions: number; lookupVersions: number }> {
    // Threat: a web session naming a file on the server to read a key from.
    if (!ctx.principal.systemLabel) throw new AppError('forbidden', msg(ctx.locale, 'errors.keys.systemOnly'));
    let next: KeyProvider;
    try {
      next = keyProviderFromFile(input.newKeyFile);
    } catch {
      throw new AppError('invalid_input', msg(ctx.locale, 'errors.keys.badKeyFile'), { fields: { newKeyFile: msg(ctx.locale, 'errors.keys.badKeyFile') } });
    }
    // Not while a rotation adds a version: it would stay wrapped under the old master key.
    await sql`select pg_advisory_xact_lock(hashtext('formwarden:keys.rotate'))`.execute(ctx.db);
    await sql`select pg_advisory_xact_lock(hashtext('formwarden:keys.rotateLookup'))`.execute(ctx.db);
    const rows = await ctx.db.selectFrom('encryption_keys').select(['version', 'wrapped_key']).orderBy('version').execute();
    const lookupRows = await ctx.db.selectFrom('blind_index_keys').select(['version', 'wrapped_key']).orderBy('version').execute();
    const current = keyProvider();
    // The application's role may not write wrapped keys; these privileged functions may, for an admin or the system.
    for (const r of rows) {
      const wrapped = await next.wrap(String(r.version), await current.unwrap(String(r.version), r.wrapped_key));
      await sql`select fw_rls.rewrap_data_key(${r.version}::integer, ${wrapped}::text)`.execute(ctx.db);
    }
    for (const r of lookupRows) {
      const label = `blind-index/${r.version}`;
      const wrapped = await next.wrap(label, await current.unwrap(label, r.wrapped_key));
      await sql`select fw_rls.rewrap_blind_key(${r.version}::integer, ${wrapped}::text)`.execute(ctx.db);
    }
    ctx.audit({ action: 'keys.rotateMaster', details: { versions: rows.length, lookupVersions: lookupRows.length } });
    return { versions: rows.length, lookupVersions: lookupRows.length };
  },
});
