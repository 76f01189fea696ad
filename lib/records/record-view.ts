/**
 * The only place rows become DTOs. Per record it takes the caller's field modes from the
 * decision: a hidden field is left out (it was not even selected, see record-query), a masked
 * one is opened and masked here on the server (lib/masking), a readable one is opened. A
 * masked value never leaves the server in plain, on any path (page, RSC payload, REST, view-as).
 */
import 'server-only';
import type { AuditEntry } from '@/lib/audit/append';
import { LOOKUP_KINDS } from '@/lib/crypto/blind-index';
import { actionsOnRow, canSortBy, fieldsRead, modesOn, revealOn, searchableKeys, selectedKeys, shownScope, type Decision, type FieldMode, type RowFacts, type ScopeExpr } from '@/lib/policy';
import { effectiveMaskRule, maskValue } from '@/lib/masking';
import type { FieldInfo, FormDefinition } from '@/lib/forms/definition';
import type { FormAccess } from './form-access';
import { openStored } from './protect';
import type { RecordRow } from './record-query';
import type { FormView, RecordDTO } from './dto';

export interface RecordView {
  toDTO(row: RecordRow): RecordDTO;
  /** Audit events for the values that did not open; the operation appends them after its own event. */
  failures(): AuditEntry[];
}

/**
 * The fields a read selects: those the caller sees at least masked somewhere (only those in
 * `only` when the caller shows only some, as a list does), and the plain fields the caller's
 * scopes read (a row in hand needs them to tell its modes).
 */
export function keysToSelect(d: Decision, only?: ReadonlySet<string>): string[] {
  const keys = new Set(selectedKeys(d).filter((k) => !only || only.has(k)));
  for (const g of d.grants) for (const s of Object.values(g.scopes)) fieldsRead(s, keys);
  return [...keys];
}

const factsOf = (row: RecordRow): RowFacts => ({ ownerId: row.owner_id, departmentId: row.department_id, values: row.values });

/** What the decision says about one row: the same for every row with the same scope facts. */
interface RowPolicy {
  modes: Record<string, FieldMode>;
  can: RecordDTO['can'];
  /** Per masked field, whether it may be revealed here and with a reason. */
  reveal: Map<string, { allowed: boolean; reasonRequired: boolean }>;
}

/** Whether an expression reads the row's owner or department column (`covers` on those facts). */
function columnsRead(e: ScopeExpr, out: { owner: boolean; department: boolean }): void {
  if (e.t === 'owner') out.owner = true;
  else if (e.t === 'department') out.department = true;
  else if (e.t === 'cmp' || e.t === 'in') {
    if ('column' in e.target) out[e.target.column] = true;
  } else if (e.t === 'and' || e.t === 'or') e.items.forEach((i) => columnsRead(i, out));
  else if (e.t === 'not') columnsRead(e.item, out);
}

/**
 * The decision's per-row answers (modes, actions, reveal), computed once per distinct set of
 * the facts its scopes read: the owner and department only if some scope reads them, and the
 * plain fields named in a condition (`covers` reads nothing else). A page of 50 rows needs
 * one or a few evaluations instead of fifty, each of which ran `modesOn` once per field
 * through actionsOnRow's reveal check. Per request, so a changed grant applies at the next one.
 */
function rowPolicies(d: Decision, form: FormAccess) {
  const read = new Set<string>();
  const columns = { owner: false, department: false };
  for (const g of d.grants) {
    for (const s of Object.values(g.scopes)) {
      fieldsRead(s, read);
      columnsRead(s, columns);
    }
  }
  const factKeys = [...read];
  const cache = new Map<string, RowPolicy>();
  return (facts: RowFacts): RowPolicy => {
    // hasOwnProperty as in `covers`: an absent value is not the same fact as a present null.
    const key = JSON.stringify([
      columns.owner ? facts.ownerId : 0,
      columns.department ? facts.departmentId : 0,
      ...factKeys.map((k) => (Object.prototype.hasOwnProperty.call(facts.values, k) ? [facts.values[k]] : 0)),
    ]);
    let p = cache.get(key);
    if (!p) {
      const modes = modesOn(d, facts);
      const reveal = new Map<string, { allowed: boolean; reasonRequired: boolean }>();
      for (const f of form.fields) if (modes[f.key] === 'masked') reveal.set(f.key, revealOn(d, facts, f.key));
      cache.set(key, (p = { modes, can: actionsOnRow(d, facts), reveal }));
    }
    return p;
  };
}

/**
 * A view for one request. Every value that fails to decrypt is reported as one
 * `records.decryptFailed` audit event per record (form, record and field names, never the
 * token or any value), so tampering leaves a trace. With `only`, the DTOs carry those fields
 * and no others (a list sends only its columns).
 */
export function recordView(form: FormAccess, only?: ReadonlySet<string>): RecordView {
  const reported = new Map<string, AuditEntry>();
  const d = form.decision;
  const policyOf = rowPolicies(d, form);
  return {
    failures: () => [...reported.values()],
    toDTO(row) {
      const policy = policyOf(factsOf(row));
      const modes = policy.modes;
      const values: Record<string, unknown> = {};
      const shownModes: Record<string, Exclude<FieldMode, 'hidden' | 'write-on-create'>> = {};
      const unreadable: string[] = [];
      const revealable: { field: string; reasonRequired: boolean }[] = [];
      for (const f of form.fields) {
        if (only && !only.has(f.key)) continue;
        const mode = modes[f.key];
        if (mode === 'hidden' || mode === 'write-on-create') continue;
        shownModes[f.key] = mode;
        if (f.key === form.ownerKey) {
          // A masked owner is the owner's name masked; revealField opens it like any masked field.
          values[f.key] = mode === 'masked' ? maskValue(row.owner_name, effectiveMaskRule(f.schema['x-mask'])) : row.owner_id;
          const reveal = mode === 'masked' ? policy.reveal.get(f.key)! : undefined;
          if (reveal?.allowed) revealable.push({ field: f.key, reasonRequired: reveal.reasonRequired });
          continue;
        }
        const stored = row.values[f.key];
        if (stored === undefined) continue;
        const opened = openStored(form, row.id, f, stored);
        if (!opened.ok) {
          unreadable.push(f.key);
          continue;
        }
        if (mode === 'masked') {
          values[f.key] = maskValue(opened.value, effectiveMaskRule(f.schema['x-mask']));
          const reveal = policy.reveal.get(f.key)!;
          if (reveal.allowed) revealable.push({ field: f.key, reasonRequired: reveal.reasonRequired });
        } else values[f.key] = opened.value;
      }
      if (unreadable.length && !reported.has(row.id)) {
        reported.set(row.id, {
          action: 'records.decryptFailed',
          outcome: 'failed',
          resourceType: 'record',
          resourceId: row.id,
          formId: form.formId,
          recordIds: [row.id],
          fields: unreadable,
        });
      }
      return {
        id: row.id,
        formId: row.form_id,
        formVersion: row.form_version,
        values,
        modes: shownModes,
        unreadable,
        revealable,
        owner: { id: row.owner_id, name: row.owner_name },
        departmentId: row.department_id,
        version: row.version,
        createdAt: new Date(row.created_at).toISOString(),
        updatedAt: new Date(row.updated_at).toISOString(),
        can: { ...policy.can },
      };
    },
  };
}

/** The definition without the fields a caller may not see at all (their keys included). */
function definitionWithout(def: FormDefinition, visible: ReadonlySet<string>): FormDefinition {
  return {
    ...def,
    properties: Object.fromEntries(Object.entries(def.properties).filter(([k]) => visible.has(k))),
    required: (def.required ?? []).filter((k) => visible.has(k)),
    'x-order': def['x-order'].filter((k) => visible.has(k)),
  };
}

/**
 * The form as this caller may see it: hidden fields removed (their keys too), each field
 * with its mode on the records the caller sees (the most open anywhere) and on create. The
 * browser never receives the raw published schema.
 */
export function formView(form: FormAccess): FormView {
  const d = form.decision;
  const shown = (f: FieldInfo) => d.ceiling[f.key] !== 'hidden' || d.onCreate[f.key] !== 'hidden';
  const fields = form.fields.filter(shown);
  const searchable = new Set(searchableKeys(d));
  return {
    id: form.formId,
    name: form.name,
    description: form.description,
    version: form.version,
    fields: fields.map((f) => ({
      key: f.key,
      title: f.schema.title,
      kind: f.kind,
      mode: d.ceiling[f.key],
      onCreate: d.onCreate[f.key],
      sortable: canSortBy(d, f.key),
      searchable: f.schema.type === 'string' && searchable.has(f.key),
      lookup: Boolean(f.schema['x-encrypted']) && LOOKUP_KINDS.has(f.kind) && shownScope(d, f.key).t !== 'false',
    })),
    schema: definitionWithout(form.definition, new Set(fields.map((f) => f.key))),
    can: Object.fromEntries(Object.entries(d.actions).map(([a, x]) => [a, x.allowed])) as FormView['can'],
  };
}
