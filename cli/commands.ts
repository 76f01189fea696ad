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
