/**
 * What the CLI does. It calls the same operations as the app, as the system
 * caller (lib/auth/system-caller.ts): administrator rights to configure, no
 * grants on any form, audited with actor "cli". Nothing here writes to the
 * database itself, so each use case exists once, in its operation.
 */
import { AppError } from '@/lib/errors';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { createUser, listDepartments, listGroups, listUsers, type DepartmentNode } from '@/lib/directory/operations';
import { createApiToken } from '@/lib/auth/operations';
import { loadExample } from '@/lib/setup/operations';
import type { SeedSummary } from '@/lib/examples/seed';
import { keyStatus, rewrapDataKeys, rotateDataKey, rotateLookupKey } from '@/lib/crypto/operations';
import { checkpointAudit, sealAuditEvents, verifyAuditLog, type AuditVerdict } from '@/lib/audit/operations';
import { listJobs, type JobProgress } from '@/lib/jobs/operations';

const system = () => unsafeSystemCaller({ label: 'cli', locale: 'en' });

function flatten(nodes: DepartmentNode[]): DepartmentNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/** Creates a user (the first admin too: the system caller needs no user). */
export async function unsafeCreateUser(input: {
  email: string;
  name: string;
  password: string;
  isAdmin: boolean;
  department?: string;
  groups: string[];
}): Promise<string> {
  const caller = system();
  let departmentId: string | null = null;
  if (input.department) {
    const found = flatten(await listDepartments(caller, {})).filter((d) => d.name === input.department);
    if (found.length !== 1) {
      throw new AppError('invalid_input', found.length ? `Department name "${input.department}" is ambiguous` : `No department named "${input.department}"`);
    }
    departmentId = found[0].id;
  }
  let groupIds: string[] = [];
  if (input.groups.length) {
    const groups = await listGroups(caller, {});
    groupIds = input.groups.map((name) => {
      const g = groups.find((x) => x.name === name);
      if (!g) throw new AppError('invalid_input', `No group named "${name}"`);
      return g.id;
    });
  }
  const user = await createUser(caller, {
    email: input.email,
    name: input.name,
    password: input.password,
    isAdmin: input.isAdmin,
    departmentId,
    groupIds,
  });
  return user.id;
}

/** Mints a personal API token for a user, through the token operation. */
export async function unsafeCreateToken(email: string, name: string): Promise<string> {
  const caller = system();
  const wanted = email.trim().toLowerCase();
  const user = (await listUsers(caller, {})).find((u) => u.email === wanted);
  if (!user) throw new AppError('not_found', `No user with email ${email}`);
  if (user.status !== 'active') throw new AppError('invalid_input', `User ${email} is disabled`);
  return (await createApiToken(caller, { name, userId: user.id })).token;
}

export async function unsafeSeedExampleFromCli(password: string | undefined, records: number): Promise<SeedSummary> {
  if (!Number.isInteger(records) || records < 0 || records > 1_000_000) throw new AppError('invalid_input', '--records must be a whole number from 0 to 1000000');
  return loadExample(system(), { password, records });
}

/** A plain-text table for the terminal. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

const seconds = (s: number | null) => (s === null ? '' : s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${s} s`);

export function jobsTable(jobs: JobProgress[]): string {
  if (!jobs.length) return 'No jobs.';
  return table(
    ['id', 'kind', 'state', 'phase', 'done', 'total', 'rate/s', 'eta', 'error'],
    jobs.map((j) => [j.id.slice(0, 8), j.kind, j.state, j.phase ?? '', j.done, j.total ?? '', j.rate === null ? '' : Math.round(j.rate), seconds(j.etaSeconds), j.error ?? '']),
  );
}

/** `fw keys status`: versions, what is sealed under each, and the rotation job's progress. */
export async function unsafeKeyStatusText(): Promise<string> {
  const s = await keyStatus(system(), {});
  const p = s.placement;
  const placementWarning = !p
    ? undefined
    : p.problem === 'beside-database'
      ? `the master key (${p.file}) sits in the same folder as the embedded database (${p.dataDir}): a copy of that folder opens every encrypted value. Keep it elsewhere (FW_MASTER_KEY or FW_MASTER_KEY_FILE) and out of backups.`
      : `the master key was generated into ${p.file}: set FW_MASTER_KEY or FW_MASTER_KEY_FILE for this deployment and keep it out of backups.`;
  const lines = [
    `Master key: ${s.provider}, ${s.masterKeyOpens ? 'opens every data key' : 'WRONG: it does not open the data keys of this database'}${placementWarning ? `\nWARNING: ${placementWarning}` : ''}`,
    '',
    s.versions.length
      ? table(
          ['version', 'state', 'created', 'values', 'encryptions', 'limit'],
          s.versions.map((v) => [
            v.version,
            v.current ? 'current' : v.retiredAt ? `retired ${v.retiredAt.slice(0, 19)}Z` : 'old',
            `${v.createdAt.slice(0, 19)}Z`,
            v.values,
            v.encryptions,
            v.nearLimit ? `WARNING: past ${Math.round((v.encryptions / s.limit) * 100)}% of 2^32, rotate` : `${((v.encryptions / s.limit) * 100).toFixed(4)}%`,
          ]),
        )
      : 'No data key yet (one is made with the first encrypted value).',
  ];
  if (s.reseal) lines.push('', 'Re-encryption:', jobsTable([s.reseal]));
  if (s.lookupVersions.length) {
    lines.push(
      '',
      'Blind-index keys (exact search on encrypted fields):',
      table(
        ['version', 'state', 'created', 'digests'],
        s.lookupVersions.map((v) => [v.version, v.current ? 'current' : v.retiredAt ? `retired ${v.retiredAt.slice(0, 19)}Z` : 'old', `${v.createdAt.slice(0, 19)}Z`, v.digests]),
      ),
    );
  }
  if (s.reindex) lines.push('', 'Blind-index rebuild:', jobsTable([s.reindex]));
  return lines.join('\n');
}

export async function unsafeRotateKey(options: { graceSeconds?: number; batchSize?: number }): Promise<{ version: number; jobId: string }> {
  return rotateDataKey(system(), options);
}

export async function unsafeRotateLookupKey(options: { graceSeconds?: number; batchSize?: number }): Promise<{ version: number; jobId: string }> {
  return rotateLookupKey(system(), options);
}

export async function unsafeRewrapKeys(newKeyFile: string): Promise<{ versions: number; lookupVersions: number }> {
  return rewrapDataKeys(system(), { newKeyFile });
}

export async function unsafeListJobs(limit = 20): Promise<JobProgress[]> {
  return listJobs(system(), { limit });
}

/** `fw audit verify`: seals what is committed, then recomputes the chain and checks every checkpoint. */
export async function unsafeVerifyAudit(): Promise<{ verdict: AuditVerdict; text: string }> {
  await sealAuditEvents(system(), {});
  const verdict = await verifyAuditLog(system(), {});
  const p = verdict.problem;
  const where = !p
    ? ''
    : p.kind === 'changed'
      ? `event ${p.eventId} (chain position ${p.position}) was changed, or moved: its content no longer gives its hash`
      : p.kind === 'removed'
        ? `event ${p.eventId} (chain position ${p.position}) was removed`
        : p.kind === 'unchained'
          ? `event ${p.eventId} lies inside the sealed range but is not in the chain: inserted behind the sealer's back`
          : p.kind === 'rewritten'
            ? `the chain was rewritten at or before position ${p.position}: it no longer matches the signed checkpoint ${p.checkpoint}`
            : p.kind === 'truncated'
              ? `the chain was cut: the signed checkpoint ${p.checkpoint} names position ${p.position}, beyond the chain's head`
              : `checkpoint ${p.checkpoint} is not signed by this installation's audit signing key`;
  const text = verdict.ok
    ? `Audit log intact: ${verdict.checked} events in the chain, ${verdict.checkpoints} signed checkpoint(s) match.`
    : `AUDIT LOG TAMPERED: ${where}. ${verdict.checked} events verified before it.`;
  return { verdict, text };
}

/** `fw audit checkpoint`: seals, then signs the head now. */
export async function unsafeCheckpointAudit(): Promise<string> {
  const sealed = await sealAuditEvents(system(), {});
  const c = await checkpointAudit(system(), {});
  return c ? `Sealed ${sealed.sealed} event(s); checkpoint at position ${c.position} (${c.hash}).` : 'Nothing sealed yet.';
}
