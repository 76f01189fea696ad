/**
 * "Whose grants on which form", for administrators (explain, the permission overview,
 * view-as). The request path keeps its own one-statement prefetch (form-access.ts); this
 * loader answers the same question for any user and any number of forms, in one query per
 * kind (users, department trees, forms, grants) whatever the count, so an overview of 500
 * users × 40 forms costs four statements, not 20,000.
 *
 * Both paths end in the same `decide()` (lib/policy): the answer an admin reads here is the
 * decision the operations enforce, never a second evaluator. Nothing here reads records.
 */
import 'server-only';
import { sql, type Kysely } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';
import { decide, type Decision, type GroupGrant, type PolicyField } from '@/lib/policy';

/** A user as policy sees them (the same facts the principal carries), for an admin's question. */
export interface Subject {
  userId: string;
  name: string;
  email: string;
  status: string;
  departmentId: string | null;
  /** The user's department and every department below it (empty without a department). */
  departmentTree: string[];
  groupIds: string[];
}

/** A published, non-archived form with every group's grant on it. */
export interface FormPolicyInput {
  id: string;
  name: string;
  /** The published definition (the one records are read and written with). */
  definition: FormDefinition;
  fields: PolicyField[];
  grants: GroupGrant[];
}

/** The form's fields as policy needs them: which are sealed, which one is the owner column. */
export const policyFieldsOf = (definition: FormDefinition): PolicyField[] =>
  fieldsOf(definition).map((f) => ({ key: f.key, encrypted: f.schema['x-encrypted'] === true, owner: f.kind === 'owner' }));

/** Users (all, or those asked for), each with their groups and department tree. Unknown ids are left out. */
export async function loadSubjects(db: Kysely<DB>, userIds?: string[]): Promise<Subject[]> {
  if (userIds && userIds.length === 0) return [];
  let q = db
    .selectFrom('users as u')
    .select([
      'u.id',
      'u.name',
      'u.email',
      'u.status',
      'u.department_id',
      sql<string[]>`coalesce((select json_agg(gm.group_id order by gm.group_id) from group_members gm where gm.user_id = u.id), '[]'::json)`.as('group_ids'),
    ])
    .orderBy('u.name')
    .orderBy('u.email');
  if (userIds) q = q.where('u.id', 'in', userIds);
  const users = await q.execute();
  const roots = [...new Set(users.map((u) => u.department_id).filter((d): d is string => d !== null))];
  const trees = new Map<string, string[]>();
  if (roots.length) {
    // `union` (not `union all`) ends even on a cycle in parent_id, which updateDepartment
    // refuses but a hand-edited database could hold: a loop here would hang the admin page.
    const rows = await sql<{ root: string; ids: string[] }>`
      with recursive tree(root, id) as (
        select d.id, d.id from departments d where d.id in (${sql.join(roots)})
        union
        select t.root, d.id from tree t join departments d on d.parent_id = t.id)
      select root, json_agg(id order by id) as ids from tree group by root`.execute(db);
    for (const r of rows.rows) trees.set(r.root, r.ids);
  }
  return users.map((u) => ({
    userId: u.id,
    name: u.name,
    email: u.email,
    status: u.status,
    departmentId: u.department_id,
    departmentTree: u.department_id ? (trees.get(u.department_id) ?? [u.department_id]) : [],
    groupIds: u.group_ids,
  }));
}

/** Published, non-archived forms (all, or those asked for) with every group's grant on each. */
export async function loadFormPolicyInputs(db: Kysely<DB>, formIds?: string[]): Promise<FormPolicyInput[]> {
  if (formIds && formIds.length === 0) return [];
  let q = db
    .selectFrom('forms as f')
    .innerJoin('form_versions as fv', (j) => j.onRef('fv.form_id', '=', 'f.id').onRef('fv.version', '=', 'f.published_version'))
    .select(['f.id', 'f.name', 'fv.schema'])
    .where('f.archived_at', 'is', null)
    .orderBy('f.name')
    .orderBy('f.id');
  if (formIds) q = q.where('f.id', 'in', formIds);
  const forms = await q.execute();
  if (forms.length === 0) return [];
  const grants = await db
    .selectFrom('grants as g')
    .innerJoin('groups as gr', 'gr.id', 'g.group_id')
    .select(['g.form_id', 'g.group_id', 'gr.name as group_name', 'g.grant'])
    .where(
      'g.form_id',
      'in',
      forms.map((f) => f.id),
    )
    .orderBy('gr.name')
    .orderBy('g.group_id')
    .execute();
  const byForm = new Map<string, GroupGrant[]>();
  for (const g of grants) {
    const list = byForm.get(g.form_id) ?? [];
    list.push({ groupId: g.group_id, groupName: g.group_name, grant: g.grant });
    byForm.set(g.form_id, list);
  }
  return forms.map((f) => {
    const definition = f.schema as FormDefinition;
    return { id: f.id, name: f.name, definition, fields: policyFieldsOf(definition), grants: byForm.get(f.id) ?? [] };
  });
}

/** The grants of `form` that `subject` holds through their groups. */
export const grantsOf = (subject: Subject, form: FormPolicyInput): GroupGrant[] => form.grants.filter((g) => subject.groupIds.includes(g.groupId));

/** The decision the operations would make for `subject` on `form`: the one policy core, same inputs. */
export function decisionFor(subject: Subject, form: FormPolicyInput): Decision {
  return decide({
    me: { userId: subject.userId, departmentId: subject.departmentId, departmentTree: subject.departmentTree },
    grants: grantsOf(subject, form),
    fields: form.fields,
  });
}
