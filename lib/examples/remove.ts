/**
 * Removing the 客户管理 example: exactly what loading it created (the ids in
 * its marker), never anything an admin added since. A department or group
 * the admin has since put their own people or data in is kept and reported;
 * an example user who owns or created data outside the example form makes
 * the removal refuse, so no real record is lost.
 */
import 'server-only';
import { sql, type Transaction } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { msg, type Locale } from '@/lib/i18n';
import { anyRecordOfUsersOutside, countVisibleRecordsByForm, departmentsWithRecords, purgeFormRecords } from '@/lib/records/operations';
import type { Principal } from '@/lib/auth/principal';
import { EXAMPLE_SETTING, type ExampleMarker } from './marker';

export interface ExampleStatus {
  loaded: boolean;
  formId?: string;
  formName?: string;
  users?: number;
  groups?: number;
  departments?: number;
  /** Records of the example form inside the admin's own view grant; null without one (a count is data). */
  records?: number | null;
  loadedAt?: string;
}

export interface ExampleRemoval {
  formId: string;
  records: number;
  users: number;
  groups: number;
  departments: number;
  /** Example departments and groups kept because something of the admin's is in them. */
  keptDepartments: string[];
  keptGroups: string[];
}

export async function findExampleMarker(trx: Transaction<DB>): Promise<ExampleMarker | undefined> {
  const row = await trx.selectFrom('settings').select('value').where('key', '=', EXAMPLE_SETTING).executeTakeFirst();
  if (!row) return undefined;
  return row.value as ExampleMarker;
}

export async function exampleStatus(trx: Transaction<DB>, me: Principal): Promise<ExampleStatus> {
  const m = await findExampleMarker(trx);
  if (!m) return { loaded: false };
  const form = await trx
    .selectFrom('forms')
    .select([
      'name',
    ])
    .where('id', '=', m.formId)
    .executeTakeFirst();
  // Admin rights configure; how many customers the form holds is what the admin's own view grant shows.
  const records = (await countVisibleRecordsByForm(trx, me)).get(m.formId) ?? null;
  const count = async (table: 'users' | 'groups' | 'departments', ids: string[]) =>
    ids.length ? (await trx.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).where('id', 'in', ids).executeTakeFirstOrThrow()).n : 0;
  return {
    loaded: true,
    formId: m.formId,
    formName: form?.name,
    users: await count('users', m.userIds),
    groups: await count('groups', m.groupIds),
    departments: await count('departments', m.departmentIds),
    records,
    loadedAt: m.loadedAt,
  };
}

export async function removeExample(trx: Transaction<DB>, locale: Locale, actorId: string): Promise<ExampleRemoval> {
  // One removal at a time (two admins clicking at once).
  await sql`select pg_advisory_xact_lock(7302)`.execute(trx);
  const m = await findExampleMarker(trx);
  if (!m) throw new AppError('not_found', msg(locale, 'errors.examples.notLoaded'));
  if (m.userIds.includes(actorId)) {
    throw new AppError('conflict', msg(locale, 'errors.examples.removeAsExampleUser'));
  }
  // Records outside the example form that an example user owns or created are
  // real data now: deleting the user would lose or orphan them. Refused
  // without a count: the admin may hold no view grant on those forms.
  if (await anyRecordOfUsersOutside(trx, m.formId, m.userIds)) {
    throw new AppError('conflict', msg(locale, 'errors.examples.foreignRecords'));
  }

  const records = await purgeFormRecords(trx, m.formId);
  // Versions and grants on the form go with it (on delete cascade).
  await trx.deleteFrom('forms').where('id', '=', m.formId).execute();
  const removedUsers = m.userIds.length ? await trx.deleteFrom('users').where('id', 'in', m.userIds).returning('id').execute() : [];

  // Groups the admin has since put their own people in are kept (with those people and their grants).
  let removedGroups: { id: string }[] = [];
  let keptGroups: string[] = [];
  if (m.groupIds.length) {
    removedGroups = await trx
      .deleteFrom('groups')
      .where('id', 'in', m.groupIds)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('group_members').select('user_id').whereRef('group_members.group_id', '=', 'groups.id'))))
      .returning('id')
      .execute();
    keptGroups = (await trx.selectFrom('groups').select('name').where('id', 'in', m.groupIds).execute()).map((g) => g.name);
  }

  // Departments bottom-up; one with people, sub-departments or records of the admin's is kept.
  let removedDepartments = 0;
  const withRecords = await departmentsWithRecords(trx, m.departmentIds);
  const candidates = m.departmentIds.filter((id) => !withRecords.has(id));
  for (;;) {
    if (!candidates.length) break;
    const gone = await trx
      .deleteFrom('departments')
      .where('id', 'in', candidates)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('departments as c')
              .select('c.id')
              .whereRef('c.parent_id', '=', 'departments.id')
              .union(selectFrom('users').select('users.id').whereRef('users.department_id', '=', 'departments.id')),
          ),
        ),
      )
      .returning('id')
      .execute();
    removedDepartments += gone.length;
    if (!gone.length) break;
  }
  const keptDepartments = m.departmentIds.length
    ? (await trx.selectFrom('departments').select('name').where('id', 'in', m.departmentIds).execute()).map((d) => d.name)
    : [];

  await trx.deleteFrom('settings').where('key', '=', EXAMPLE_SETTING).execute();
  return {
    formId: m.formId,
    records,
    users: removedUsers.length,
    groups: removedGroups.length,
    departments: removedDepartments,
    keptDepartments,
    keptGroups,
  };
}
