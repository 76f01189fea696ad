/** Users, departments and groups: configuration, for administrators. */
import 'server-only';
import { sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '@/lib/db/schema';
import { defineOperation, type OperationContext } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { msg, type Locale, type MessageKeyUnder } from '@/lib/i18n';
import { hashPassword, passwordProblem } from '@/lib/auth/passwords';
import { uuidSchema as uuid, nullableUuidSchema as nullableUuid } from '@/lib/forms/ajv';

const nameSchema = { type: 'string', minLength: 1, maxLength: 100 } as const;

export interface UserDTO {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  status: 'active' | 'disabled';
  /** Has not yet replaced a password someone else chose (new account, reset, example). */
  mustChangePassword: boolean;
  department: { id: string; name: string } | null;
  groups: { id: string; name: string }[];
  createdAt: string;
  /** Sign-in locked until then (lib/auth/throttle.ts); an admin can unlock. */
  lockedUntil: string | null;
}

type DirectoryMessage = MessageKeyUnder<'errors.directory'>;

const fieldError = (locale: Locale, field: string, key: DirectoryMessage) =>
  new AppError('invalid_input', msg(locale, key), { fields: { [field]: msg(locale, key) } });

const notFound = (locale: Locale, key: DirectoryMessage) => new AppError('not_found', msg(locale, key));

async function loadUsers(trx: Transaction<DB>, userId?: string): Promise<UserDTO[]> {
  let q = trx
    .selectFrom('users as u')
    .leftJoin('departments as d', 'd.id', 'u.department_id')
    .select([
      'u.id',
      'u.email',
      'u.name',
      'u.is_admin',
      'u.status',
      'u.must_change_password',
      'u.created_at',
      'd.id as department_id',
      'd.name as department_name',
      (eb) =>
        jsonArrayFrom(
          eb.selectFrom('group_members as gm').innerJoin('groups as g', 'g.id', 'gm.group_id').select(['g.id', 'g.name']).whereRef('gm.user_id', '=', 'u.id').orderBy('g.name'),
        ).as('groups'),
      sql<Date | null>`(select th.locked_until from auth_throttle th where th.key = 'account:' || u.email and th.locked_until > now())`.as('locked_until'),
    ])
    .orderBy('u.created_at');
  if (userId) q = q.where('u.id', '=', userId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    isAdmin: r.is_admin,
    status: r.status,
    mustChangePassword: r.must_change_password,
    department: r.department_id ? { id: r.department_id, name: r.department_name ?? '' } : null,
    groups: r.groups,
    createdAt: new Date(r.created_at).toISOString(),
    lockedUntil: r.locked_until ? new Date(r.locked_until).toISOString() : null,
  }));
}

async function checkDepartment(ctx: OperationContext, departmentId: string | null | undefined) {
  if (!departmentId) return;
  const d = await ctx.db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst();
  if (!d) throw fieldError(ctx.locale, 'departmentId', 'errors.directory.departmentNotFound');
}

async function setMemberships(ctx: OperationContext, userId: string, groupIds: string[]) {
  const unique = [...new Set(groupIds)];
  if (unique.length) {
    const found = await ctx.db.selectFrom('groups').select('id').where('id', 'in', unique).execute();
    if (found.length !== unique.length) throw fieldError(ctx.locale, 'groupIds', 'errors.directory.groupNotFound');
  }
  await ctx.db.deleteFrom('group_members').where('user_id', '=', userId).execute();
  if (unique.length) await ctx.db.insertInto('group_members').values(unique.map((group_id) => ({ group_id, user_id: userId }))).execute();
}

/** Creates a user; shared by the admin page, setup and the CLI. */
export async function insertUser(
  ctx: Pick<OperationContext, 'db' | 'locale'>,
  input: { email: string; name: string; password: string; isAdmin?: boolean; departmentId?: string | null; mustChangePassword?: boolean },
): Promise<string> {
  const email = input.email.trim().toLowerCase();
  const problem = passwordProblem(input.password, ctx.locale);
  if (problem) throw new AppError('invalid_input', problem, { fields: { password: problem } });
  const taken = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) throw fieldError(ctx.locale, 'email', 'errors.directory.emailTaken');
  const row = await ctx.db
    .insertInto('users')
    .values({
      email,
      name: input.name.trim(),
      password_hash: await hashPassword(input.password),
      is_admin: input.isAdmin ?? false,
      department_id: input.departmentId ?? null,
      must_change_password: input.mustChangePassword ?? false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export const listUsers = defineOperation({
  name: 'directory.listUsers',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<UserDTO[]> {
    const users = await loadUsers(ctx.db);
    ctx.audit({ action: 'directory.listUsers', resourceType: 'user', details: { count: users.length } });
    return users;
  },
});

export const createUser = defineOperation({
  name: 'directory.createUser',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'name', 'password'],
    properties: {
      email: { type: 'string', format: 'email', maxLength: 254 },
      name: nameSchema,
      password: { type: 'string', maxLength: 200 },
      isAdmin: { type: 'boolean' },
      departmentId: nullableUuid,
      groupIds: { type: 'array', items: uuid, maxItems: 100 },
    },
  },
  async run(ctx, input): Promise<UserDTO> {
    await checkDepartment(ctx, input.departmentId);
    // The admin chose this password, so the new user replaces it at first sign-in.
    const id = await insertUser(ctx, { ...input, mustChangePassword: true });
    await setMemberships(ctx, id, input.groupIds ?? []);
    ctx.audit({ action: 'directory.createUser', resourceType: 'user', resourceId: id, details: { isAdmin: input.isAdmin ?? false, groupIds: input.groupIds ?? [] } });
    return (await loadUsers(ctx.db, id))[0];
  },
});

async function requireUser(ctx: OperationContext, userId: string) {
  const u = await ctx.db.selectFrom('users').select(['id', 'is_admin', 'status']).where('id', '=', userId).executeTakeFirst();
  if (!u) throw notFound(ctx.locale, 'errors.directory.userNotFound');
  return u;
}

export const updateUser = defineOperation({
  name: 'directory.updateUser',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['userId'],
    properties: {
      userId: uuid,
      name: nameSchema,
      isAdmin: { type: 'boolean' },
      departmentId: nullableUuid,
      groupIds: { type: 'array', items: uuid, maxItems: 100 },
    },
  },
  async run(ctx, input): Promise<UserDTO> {
    await requireUser(ctx, input.userId);
    if (input.userId === ctx.principal.userId && input.isAdmin === false) {
      // Locking yourself out of administration is never what an admin meant.
      throw fieldError(ctx.locale, 'isAdmin', 'errors.directory.ownAdminRights');
    }
    await checkDepartment(ctx, input.departmentId);
    const patch: Record<string, unknown> = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.isAdmin !== undefined) patch.is_admin = input.isAdmin;
    if (input.departmentId !== undefined) patch.department_id = input.departmentId;
    if (Object.keys(patch).length) {
      await ctx.db.updateTable('users').set({ ...patch, updated_at: sql`now()` }).where('id', '=', input.userId).execute();
    }
    if (input.groupIds) await setMemberships(ctx, input.userId, input.groupIds);
    ctx.audit({
      action: 'directory.updateUser',
      resourceType: 'user',
      resourceId: input.userId,
      details: { changed: [...Object.keys(patch), ...(input.groupIds ? ['groups'] : [])], groupIds: input.groupIds },
    });
    return (await loadUsers(ctx.db, input.userId))[0];
  },
});

async function endSessions(ctx: OperationContext, userId: string) {
  await ctx.db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

/**
 * Tokens follow their user: revoked (not merely suspended) on disable and on a
 * password reset, so re-enabling an account or a new password never revives a
 * token that may sit in a script the person took with them.
 */
async function revokeTokens(ctx: OperationContext, userId: string): Promise<number> {
  const rows = await ctx.db
    .updateTable('api_tokens')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

export const setUserStatus = defineOperation({
  name: 'directory.setUserStatus',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['userId', 'status'],
    properties: { userId: uuid, status: { enum: ['active', 'disabled'] } },
  },
  async run(ctx, input): Promise<UserDTO> {
    await requireUser(ctx, input.userId);
    if (input.userId === ctx.principal.userId && input.status === 'disabled') {
      throw fieldError(ctx.locale, 'status', 'errors.directory.disableSelf');
    }
    await ctx.db.updateTable('users').set({ status: input.status, updated_at: sql`now()` }).where('id', '=', input.userId).execute();
    // Disabling ends every session and revokes every token at once.
    let tokensRevoked = 0;
    if (input.status === 'disabled') {
      await endSessions(ctx, input.userId);
      tokensRevoked = await revokeTokens(ctx, input.userId);
    }
    ctx.audit({ action: 'directory.setUserStatus', resourceType: 'user', resourceId: input.userId, details: { status: input.status, tokensRevoked } });
    return (await loadUsers(ctx.db, input.userId))[0];
  },
});

export const resetPassword = defineOperation({
  name: 'directory.resetPassword',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['userId', 'password'],
    properties: { userId: uuid, password: { type: 'string', maxLength: 200 } },
  },
  async run(ctx, input): Promise<{ ok: true }> {
    await requireUser(ctx, input.userId);
    const problem = passwordProblem(input.password, ctx.locale);
    if (problem) throw new AppError('invalid_input', problem, { fields: { password: problem } });
    await ctx.db
      .updateTable('users')
      // The admin knows this password: the user must choose their own at next sign-in.
      .set({ password_hash: await hashPassword(input.password), must_change_password: true, updated_at: sql`now()` })
      .where('id', '=', input.userId)
      .execute();
    await endSessions(ctx, input.userId);
    const tokensRevoked = await revokeTokens(ctx, input.userId);
    ctx.audit({ action: 'directory.resetPassword', resourceType: 'user', resourceId: input.userId, details: { tokensRevoked } });
    return { ok: true };
  },
});

export interface DepartmentNode {
  id: string;
  name: string;
  parentId: string | null;
  memberCount: number;
  children: DepartmentNode[];
}

export const listDepartments = defineOperation({
  name: 'directory.listDepartments',
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<DepartmentNode[]> {
    const rows = await ctx.db
      .selectFrom('departments as d')
      .select(['d.id', 'd.name', 'd.parent_id', sql<number>`(select count(*)::int from users u where u.department_id = d.id)`.as('member_count')])
      .orderBy('d.sort')
      .orderBy('d.name')
      .execute();
    const nodes = new Map<string, DepartmentNode>(
      rows.map((r) => [r.id, { id: r.id, name: r.name, parentId: r.parent_id, memberCount: r.member_count, children: [] }]),
    );
    const roots: DepartmentNode[] = [];
    for (const n of nodes.values()) (n.parentId && nodes.get(n.parentId) ? nodes.get(n.parentId)!.children : roots).push(n);
    return roots;
  },
});

export const createDepartment = defineOperation({
  name: 'directory.createDepartment',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: nameSchema, parentId: nullableUuid } },
  async run(ctx, input): Promise<{ id: string }> {
    await checkDepartment(ctx, input.parentId);
    const row = await ctx.db
      .insertInto('departments')
      .values({ name: input.name.trim(), parent_id: input.parentId ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'directory.createDepartment', resourceType: 'department', resourceId: row.id });
    return { id: row.id };
  },
});

export const updateDepartment = defineOperation({
  name: 'directory.updateDepartment',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['departmentId'],
    properties: { departmentId: uuid, name: nameSchema, parentId: nullableUuid },
  },
  async run(ctx, input): Promise<{ id: string }> {
    const dept = await ctx.db.selectFrom('departments').select('id').where('id', '=', input.departmentId).executeTakeFirst();
    if (!dept) throw notFound(ctx.locale, 'errors.directory.departmentNotFound');
    if (input.parentId) {
      await checkDepartment(ctx, input.parentId);
      // Moving under itself or a descendant would cut the subtree off the tree.
      const cycle = await sql<{ id: string }>`
        with recursive sub as (
          select id from departments where id = ${input.departmentId}
          union all select d.id from departments d join sub on d.parent_id = sub.id)
        select id from sub where id = ${input.parentId}`.execute(ctx.db);
      if (cycle.rows.length) throw fieldError(ctx.locale, 'parentId', 'errors.directory.departmentCycle');
    }
    const patch: { name?: string; parent_id?: string | null } = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.parentId !== undefined) patch.parent_id = input.parentId;
    if (Object.keys(patch).length) await ctx.db.updateTable('departments').set(patch).where('id', '=', input.departmentId).execute();
    ctx.audit({ action: 'directory.updateDepartment', resourceType: 'department', resourceId: input.departmentId, details: { changed: Object.keys(patch) } });
    return { id: input.departmentId };
  },
});

export const deleteDepartment = defineOperation({
  name: 'directory.deleteDepartment',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['departmentId'], properties: { departmentId: uuid } },
  async run(ctx, input): Promise<{ ok: true }> {
    const usage = await sql<{ members: number; children: number; exists: boolean }>`
      select (select count(*)::int from users where department_id = ${input.departmentId}) as members,
             (select count(*)::int from departments where parent_id = ${input.departmentId}) as children,
             exists(select 1 from departments where id = ${input.departmentId}) as exists`.execute(ctx.db);
    const u = usage.rows[0];
    if (!u.exists) throw notFound(ctx.locale, 'errors.directory.departmentNotFound');
    if (u.members || u.children) {
      throw new AppError('conflict', msg(ctx.locale, 'errors.directory.departmentNotEmpty'));
    }
    await ctx.db.deleteFrom('departments').where('id', '=', input.departmentId).execute();
    ctx.audit({ action: 'directory.deleteDepartment', resourceType: 'department', resourceId: input.departmentId });
    return { ok: true };
  },
});

export interface GroupDTO {
  id: string;
  name: string;
  description: string;
  memberCount: number;
  members: { id: string; name: string }[];
}

export const listGroups = defineOperation({
  name: 'directory.listGroups',
  permission: 'admin',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<GroupDTO[]> {
    const rows = await ctx.db
      .selectFrom('groups as g')
      .select([
        'g.id',
        'g.name',
        'g.description',
        (eb) =>
          jsonArrayFrom(
            eb.selectFrom('group_members as gm').innerJoin('users as u', 'u.id', 'gm.user_id').select(['u.id', 'u.name']).whereRef('gm.group_id', '=', 'g.id').orderBy('u.name'),
          ).as('members'),
      ])
      .orderBy('g.name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, memberCount: r.members.length, members: r.members }));
  },
});

async function checkGroupName(ctx: OperationContext, name: string, exceptId?: string) {
  let q = ctx.db.selectFrom('groups').select('id').where('name', '=', name.trim());
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw fieldError(ctx.locale, 'name', 'errors.directory.groupNameTaken');
}

export const createGroup = defineOperation({
  name: 'directory.createGroup',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: { name: nameSchema, description: { type: 'string', maxLength: 500 } },
  },
  async run(ctx, input): Promise<{ id: string }> {
    await checkGroupName(ctx, input.name);
    const row = await ctx.db
      .insertInto('groups')
      .values({ name: input.name.trim(), description: input.description?.trim() ?? '' })
      .returning('id')
      .executeTakeFirstOrThrow();
    ctx.audit({ action: 'directory.createGroup', resourceType: 'group', resourceId: row.id });
    return { id: row.id };
  },
});

export const updateGroup = defineOperation({
  name: 'directory.updateGroup',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['groupId'],
    properties: {
      groupId: uuid,
      name: nameSchema,
      description: { type: 'string', maxLength: 500 },
      memberIds: { type: 'array', items: uuid, maxItems: 10000 },
    },
  },
  async run(ctx, input): Promise<{ id: string }> {
    const g = await ctx.db.selectFrom('groups').select('id').where('id', '=', input.groupId).executeTakeFirst();
    if (!g) throw notFound(ctx.locale, 'errors.directory.groupNotFound');
    if (input.name !== undefined) await checkGroupName(ctx, input.name, input.groupId);
    const patch: { name?: string; description?: string } = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.description !== undefined) patch.description = input.description.trim();
    if (Object.keys(patch).length) await ctx.db.updateTable('groups').set(patch).where('id', '=', input.groupId).execute();
    if (input.memberIds) {
      const members = [...new Set(input.memberIds)];
      if (members.length) {
        const found = await ctx.db.selectFrom('users').select('id').where('id', 'in', members).execute();
        if (found.length !== members.length) throw fieldError(ctx.locale, 'memberIds', 'errors.directory.userNotFound');
      }
      await ctx.db.deleteFrom('group_members').where('group_id', '=', input.groupId).execute();
      if (members.length) await ctx.db.insertInto('group_members').values(members.map((user_id) => ({ group_id: input.groupId, user_id }))).execute();
    }
    ctx.audit({
      action: 'directory.updateGroup',
      resourceType: 'group',
      resourceId: input.groupId,
      details: { changed: Object.keys(patch), memberIds: input.memberIds },
    });
    return { id: input.groupId };
  },
});

export const deleteGroup = defineOperation({
  name: 'directory.deleteGroup',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false, required: ['groupId'], properties: { groupId: uuid } },
  async run(ctx, input): Promise<{ ok: true }> {
    const done = await ctx.db.deleteFrom('groups').where('id', '=', input.groupId).returning('id').executeTakeFirst();
    if (!done) throw notFound(ctx.locale, 'errors.directory.groupNotFound');
    ctx.audit({ action: 'directory.deleteGroup', resourceType: 'group', resourceId: input.groupId });
    return { ok: true };
  },
});

export const listUserOptions = defineOperation({
  name: 'directory.listUserOptions',
  permission: 'authenticated',
  readOnly: true,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<{ id: string; name: string; departmentName: string | null }[]> {
    const rows = await ctx.db
      .selectFrom('users as u')
      .leftJoin('departments as d', 'd.id', 'u.department_id')
      .select(['u.id', 'u.name', 'd.name as department_name'])
      .where('u.status', '=', 'active')
      .orderBy('u.name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, departmentName: r.department_name }));
  },
});
