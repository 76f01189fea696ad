/**
 * Who holds which rights on which form, and why: built for administrators from the grants
 * (lib/records/grant-loader) and the one policy core. Every right listed here is read off
 * `decide()` and `explain()`, the decision the operations enforce, so the overview cannot
 * claim a right the door refuses or hide one it opens.
 */
import 'server-only';
import type { Kysely } from 'kysely';
import type { DB } from '@/lib/db/schema';
import { fieldsOf, type FieldKind } from '@/lib/forms/definition';
import { explain, fieldModes, type ActionExplanation, type FieldExplanation, type FieldMode, type GrantRef } from '@/lib/policy';
import { decisionFor, grantsOf, type FormPolicyInput, type Subject } from '@/lib/records/grant-loader';

export interface SubjectSummary {
  id: string;
  name: string;
  email: string;
  status: string;
  department: { id: string; name: string } | null;
  groups: { id: string; name: string }[];
}

export interface FieldSummary {
  key: string;
  title: string;
  kind: FieldKind;
  encrypted: boolean;
}

export interface FormSummary {
  id: string;
  name: string;
  fields: FieldSummary[];
}

/** What one user may do on one form, and which of their groups gives it. */
export interface FormRights {
  /** The allowed actions only, each with the groups (and scopes as written) that allow it. */
  actions: ActionExplanation[];
  /** Every field: its mode on the records the user sees (the most open), and on a new record. */
  fields: (FieldExplanation & { onCreate: FieldMode })[];
  /** Field keys by mode on existing records: which are hidden, masked, read, writable. */
  modes: Record<FieldMode, string[]>;
  /**
   * Field keys the user may reveal in plain on some records: one of their grants sees records,
   * may reveal on them and shows the field masked. (On a record another grant reads in plain
   * there is nothing to reveal; explain on that record says so.)
   */
  revealFields: string[];
  /** The user's groups that hold a valid grant on the form. */
  groups: GrantRef[];
}

export const formSummary = (form: FormPolicyInput): FormSummary => ({
  id: form.id,
  name: form.name,
  fields: fieldsOf(form.definition).map((f) => ({ key: f.key, title: f.schema.title, kind: f.kind, encrypted: f.schema['x-encrypted'] === true })),
});

/** The rights `subject` holds on `form`; undefined when the decision allows nothing at all. */
export function rightsOf(subject: Subject, form: FormPolicyInput): FormRights | undefined {
  const decision = decisionFor(subject, form);
  const explanation = explain(decision, grantsOf(subject, form));
  const actions = explanation.actions.filter((a) => a.allowed);
  if (actions.length === 0) return undefined;
  const modes = Object.fromEntries(fieldModes.map((m) => [m, [] as string[]])) as Record<FieldMode, string[]>;
  for (const f of explanation.fields) modes[f.mode].push(f.key);
  return {
    actions,
    fields: explanation.fields.map((f) => ({ ...f, onCreate: decision.onCreate[f.key] })),
    modes,
    revealFields: form.fields.filter((f) => decision.grants.some((g) => g.scopes.reveal && g.scopes.view && g.modes[f.key] === 'masked')).map((f) => f.key),
    groups: decision.grants.map((g) => g.ref),
  };
}

/** Department and group names, for the summaries: one query each, whatever the number of users. */
export async function directoryNames(db: Kysely<DB>): Promise<{ departments: Map<string, string>; groups: Map<string, string> }> {
  const [departments, groups] = await Promise.all([
    db.selectFrom('departments').select(['id', 'name']).execute(),
    db.selectFrom('groups').select(['id', 'name']).execute(),
  ]);
  return { departments: new Map(departments.map((d) => [d.id, d.name])), groups: new Map(groups.map((g) => [g.id, g.name])) };
}

export function subjectSummary(s: Subject, names: { departments: Map<string, string>; groups: Map<string, string> }): SubjectSummary {
  return {
    id: s.userId,
    name: s.name,
    email: s.email,
    status: s.status,
    department: s.departmentId ? { id: s.departmentId, name: names.departments.get(s.departmentId) ?? '' } : null,
    groups: s.groupIds.map((id) => ({ id, name: names.groups.get(id) ?? '' })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}
