/**
 * What the CLI does, as the system: no principal, no grants. Named unsafe…
 * because it bypasses policy; audited with actor "cli".
 */
import { randomBytes } from 'node:crypto';
import { getDb } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { appendAuditEvents } from '@/lib/audit/append';
import { hashToken } from '@/lib/auth/principal';
import { insertUser } from '@/lib/directory/operations';
import { unsafeSeedExample, type SeedSummary } from '@/lib/examples/seed';

const cli = { actorId: null, actorLabel: 'cli', ip: null };

export async function unsafeCreateUser(input: {
  email: string;
  name: string;
  password: string;
  isAdmin: boolean;
  department?: string;
  groups: string[];
}): Promise<string> {
  const db = await getDb();
  return db.transaction().execute(async (trx) => {
    let departmentId: string | null = null;
    if (input.department) {
      const d = await trx.selectFrom('departments').select('id').where('name', '=', input.department).execute();
      if (d.length !== 1) throw new AppError('invalid_input', d.length ? `Department name "${input.department}" is ambiguous` : `No department named "${input.department}"`);
      departmentId = d[0].id;
    }
    const groupIds: string[] = [];
    for (const name of input.groups) {
      const g = await trx.selectFrom('groups').select('id').where('name', '=', name).executeTakeFirst();
      if (!g) throw new AppError('invalid_input', `No group named "${name}"`);
      groupIds.push(g.id);
    }
    const id = await insertUser({ db: trx, locale: 'en' }, { ...input, departmentId });
    if (groupIds.length) await trx.insertInto('group_members').values(groupIds.map((group_id) => ({ group_id, user_id: id }))).execute();
    await appendAuditEvents(trx, cli, [{ action: 'directory.createUser', resourceType: 'user', resourceId: id, details: { isAdmin: input.isAdmin, groupIds } }]);
    return id;
  });
}

export async function unsafeCreateToken(email: string, name: string): Promise<string> {
  const db = await getDb();
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'status']).where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    if (!user) throw new AppError('not_found', `No user with email ${email}`);
    if (user.status !== 'active') throw new AppError('invalid_input', `User ${email} is disabled`);
    const token = `fw_${randomBytes(32).toString('base64url')}`;
    const row = await trx
      .insertInto('api_tokens')
      .values({ user_id: user.id, name, token_hash: hashToken(token), token_prefix: token.slice(0, 10) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAuditEvents(trx, cli, [{ action: 'tokens.create', resourceType: 'api_token', resourceId: row.id, details: { userId: user.id } }]);
    return token;
  });
}

export async function unsafeSeedExampleFromCli(password: string | undefined, records: number): Promise<SeedSummary> {
  if (!Number.isInteger(records) || records < 0 || records > 1_000_000) throw new AppError('invalid_input', '--records must be a whole number from 0 to 1000000');
  const db = await getDb();
  return db.transaction().execute(async (trx) => {
    const summary = await unsafeSeedExample(trx, { password, recordCount: records });
    await appendAuditEvents(trx, cli, [{ action: 'seed.example', resourceType: 'form', resourceId: summary.formId, details: { records: summary.records } }]);
    return summary;
  });
}
