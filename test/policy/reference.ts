/**
 * A reference evaluator of grants, written independently from lib/policy's evaluation code
 * (decide.ts, scope.ts), straight from the semantics in the scope.ts header and the issue 6
 * plan. The differential tests compare the policy core (and, through the database tests, the
 * operations, the SQL compiler and REST) with it on generated worlds.
 *
 * Written the most obvious way on purpose: it validates a grant by hand, evaluates the grant's
 * scope as stored (no expression tree, no simplification), loops over grants for every
 * question, and walks the department tree upwards instead of taking a precomputed list. A bug
 * in the core's compiler, its simplifications or its union would have to be made a second
 * time here, in a different shape, to go unseen.
 *
 * Only types and vocabulary constants come from lib/policy.
 */
import {
  conditionOperators,
  fieldModes,
  MAX_CONDITION_DEPTH,
  recordActions,
  rowScopes,
  scopedActions,
  type FieldMode,
  type Grant,
  type GrantCondition,
  type GrantScope,
  type RecordAction,
  type ScopedAction,
} from '@/lib/policy/vocabulary';

export interface RefDepartment {
  id: string;
  parentId: string | null;
}
export interface RefUser {
  id: string;
  departmentId: string | null;
  groups: readonly string[];
}
export interface RefField {
  key: string;
  encrypted: boolean;
  /** The form's owner-kind field: it stands for the record's owner column. */
  owner: boolean;
}
export interface RefRecord {
  ownerId: string;
  departmentId: string | null;
  values: Readonly<Record<string, unknown>>;
}
/** A grant row of the form: the group it is for and the stored JSON (not trusted). */
export interface RefGrant {
  groupId: string;
  grant: unknown;
}

export interface RefReveal {
  allowed: boolean;
  /** Only meaningful when allowed. */
  reasonRequired: boolean;
  /** The groups whose grant lets the caller reveal this field on this record. */
  from: string[];
}

export interface RefRecordAnswers {
  actions: Record<RecordAction, boolean>;
  modes: Record<string, FieldMode>;
  reveal: Record<string, RefReveal>;
  /** Whether a search `q` may match this field on this record. */
  search: Record<string, boolean>;
  /** Whether each scoped action's row scope (the union over grants) takes this record in. */
  inScope: Record<ScopedAction, boolean>;
}

const MAX_ITEMS = 20;
const MAX_IN = 100;
const MAX_STRING = 200;
const FIELD_REF = /^(\$owner|\$department|[a-zA-Z][a-zA-Z0-9_]{0,62})$/;
const FIELD_KEY = /^(\*|[a-zA-Z][a-zA-Z0-9_]{0,62})$/;
const ORDERING = ['gt', 'gte', 'lt', 'lte'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
/** JSON Schema counts characters as code points. */
const isLiteral = (v: unknown): boolean =>
  (typeof v === 'string' && [...v].length <= MAX_STRING) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

/** The nesting depth of a valid condition, or -1 when it is not a valid condition. */
function conditionDepth(c: unknown): number {
  if (!isObject(c)) return -1;
  const keys = Object.keys(c);
  if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any')) {
    const items = c[keys[0]];
    if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS) return -1;
    let deepest = 0;
    for (const item of items) {
      const d = conditionDepth(item);
      if (d < 0) return -1;
      deepest = Math.max(deepest, d);
    }
    return deepest + 1;
  }
  if (keys.length === 1 && keys[0] === 'not') {
    const d = conditionDepth(c.not);
    return d < 0 ? -1 : d + 1;
  }
  // A comparison: `field` and exactly one operator.
  if (keys.length !== 2 || !keys.includes('field')) return -1;
  if (typeof c.field !== 'string' || !FIELD_REF.test(c.field)) return -1;
  const op = keys.find((k) => k !== 'field')!;
  if (!(conditionOperators as readonly string[]).includes(op)) return -1;
  const v = c[op];
  if (op === 'in') return Array.isArray(v) && v.length >= 1 && v.length <= MAX_IN && v.every(isLiteral) ? 0 : -1;
  if (ORDERING.includes(op)) return typeof v === 'number' && Number.isFinite(v) ? 0 : -1;
  return isLiteral(v) ? 0 : -1;
}

function validScope(s: unknown): boolean {
  if (typeof s === 'string') return (rowScopes as readonly string[]).includes(s);
  const d = conditionDepth(s);
  return d >= 0 && d <= MAX_CONDITION_DEPTH;
}

/** The stored grant, checked by hand against the documented shape; anything else grants nothing. */
export function refIsValidGrant(g: unknown): g is Grant {
  if (!isObject(g)) return false;
  if (!Object.keys(g).every((k) => k === 'actions' || k === 'fields')) return false;
  if (!isObject(g.actions)) return false;
  for (const [action, rule] of Object.entries(g.actions)) {
    if (!(recordActions as readonly string[]).includes(action) || !isObject(rule)) return false;
    if (action === 'create' || action === 'import') {
      if (Object.keys(rule).length !== 0) return false;
      continue;
    }
    const allowedKeys = action === 'reveal' ? ['scope', 'reason'] : ['scope'];
    if (!Object.keys(rule).every((k) => allowedKeys.includes(k))) return false;
    if (!has(rule, 'scope') || !validScope(rule.scope)) return false;
    if (has(rule, 'reason') && typeof rule.reason !== 'boolean') return false;
  }
  if (has(g, 'fields')) {
    if (!isObject(g.fields)) return false;
    for (const [key, mode] of Object.entries(g.fields)) {
      if (!FIELD_KEY.test(key) || !(fieldModes as readonly string[]).includes(mode as string)) return false;
    }
  }
  return true;
}

const rank = (m: FieldMode): number => fieldModes.indexOf(m);
const higher = (a: FieldMode, b: FieldMode): FieldMode => (rank(b) > rank(a) ? b : a);

/** The mode a valid grant gives a field: its own entry, else "*", else hidden. */
export function refMode(g: Grant, key: string): FieldMode {
  const fields = g.fields ?? {};
  if (has(fields, key)) return fields[key];
  if (has(fields, '*')) return fields['*'];
  return 'hidden';
}

/** The mode a grant shows on an existing record it sees: write only where the same grant edits it. */
function shown(mode: FieldMode, grantEditsRecord: boolean): FieldMode {
  if (mode === 'write') return grantEditsRecord ? 'write' : 'read';
  if (mode === 'write-on-create') return 'read';
  return mode;
}

function leaves(c: GrantCondition): Extract<GrantCondition, { field: string }>[] {
  if ('all' in c) return c.all.flatMap(leaves);
  if ('any' in c) return c.any.flatMap(leaves);
  if ('not' in c) return leaves(c.not);
  return [c];
}

/** A per-caller evaluator for one form. */
export class Reference {
  private readonly valid: { groupId: string; grant: Grant }[];
  private readonly parents: Map<string, string | null>;

  constructor(
    departments: readonly RefDepartment[],
    readonly me: RefUser,
    readonly fields: readonly RefField[],
    formGrants: readonly RefGrant[],
  ) {
    this.parents = new Map(departments.map((d) => [d.id, d.parentId]));
    // Only the caller's groups count, and only grants that are valid.
    this.valid = formGrants
      .filter((g) => me.groups.includes(g.groupId))
      .filter((g): g is { groupId: string; grant: Grant } => refIsValidGrant(g.grant));
  }

  /** Whether `dept` is `ancestor` or lies below it. */
  private isAtOrBelow(dept: string, ancestor: string): boolean {
    const seen = new Set<string>();
    let d: string | null | undefined = dept;
    while (d !== null && d !== undefined && !seen.has(d)) {
      if (d === ancestor) return true;
      seen.add(d);
      d = this.parents.get(d);
    }
    return false;
  }

  /** A condition that names an unknown or encrypted field, or one the grant hides, makes the whole scope grant nothing. */
  private broken(g: Grant, scope: GrantScope): boolean {
    if (typeof scope === 'string') return false;
    return leaves(scope).some((leaf) => {
      if (leaf.field === '$owner' || leaf.field === '$department') return false;
      const f = this.fields.find((x) => x.key === leaf.field);
      if (!f) return true;
      if (refMode(g, leaf.field) === 'hidden') return true;
      if (f.owner) return false; // the owner column, never ciphertext
      return f.encrypted;
    });
  }

  /** What a condition's value stands for; undefined when it stands for nothing. */
  private operand(v: unknown): unknown {
    if (v === '$me') return this.me.id;
    if (v === '$myDepartment') return this.me.departmentId ?? undefined;
    return v;
  }

  private valueOf(field: string, r: RefRecord): unknown {
    if (field === '$owner') return r.ownerId;
    if (field === '$department') return r.departmentId ?? undefined;
    const f = this.fields.find((x) => x.key === field)!;
    if (f.owner) return r.ownerId;
    return has(r.values, field) ? r.values[field] : undefined;
  }

  private equal(actual: unknown, operandValue: unknown): boolean {
    const o = this.operand(operandValue);
    if (o === undefined || actual === undefined || actual === null) return false;
    return typeof actual === typeof o && actual === o;
  }

  private holds(c: GrantCondition, r: RefRecord): boolean {
    if ('all' in c) return c.all.every((x) => this.holds(x, r));
    if ('any' in c) return c.any.some((x) => this.holds(x, r));
    if ('not' in c) return !this.holds(c.not, r);
    const actual = this.valueOf(c.field, r);
    if (c.eq !== undefined) return this.equal(actual, c.eq);
    if (c.ne !== undefined) return !this.equal(actual, c.ne);
    if (c.in !== undefined) return c.in.some((v) => this.equal(actual, v));
    // Ordering holds only between numbers (the schema makes the operand one).
    if (typeof actual !== 'number') return false;
    if (c.gt !== undefined) return actual > c.gt;
    if (c.gte !== undefined) return actual >= c.gte;
    if (c.lt !== undefined) return actual < c.lt;
    if (c.lte !== undefined) return actual <= c.lte;
    throw new Error(`reference: no operator in ${JSON.stringify(c)}`);
  }

  /** Whether one grant's scope (as stored) takes `r` in for this caller. */
  scopeHolds(g: Grant, scope: GrantScope, r: RefRecord): boolean {
    const mine = this.me.departmentId;
    switch (scope) {
      case 'own':
        return r.ownerId === this.me.id;
      case 'department':
        return mine !== null && r.departmentId === mine;
      case 'department-tree':
        return mine !== null && r.departmentId !== null && this.isAtOrBelow(r.departmentId, mine);
      case 'all':
        return true;
    }
    if (typeof scope === 'string') throw new Error(`reference: unknown scope ${scope}`);
    if (this.broken(g, scope)) return false;
    return this.holds(scope, r);
  }

  private grants(action: RecordAction): { groupId: string; grant: Grant }[] {
    return this.valid.filter((g) => has(g.grant.actions, action));
  }

  /** Whether one grant's `action` takes `r` in. */
  private grantCovers(g: Grant, action: ScopedAction, r: RefRecord): boolean {
    const rule = (g.actions as Record<string, { scope: GrantScope } | undefined>)[action];
    return rule !== undefined && this.scopeHolds(g, rule.scope, r);
  }

  /** Whether the action is granted at all (a scope that can never apply does not count). */
  allowed(action: RecordAction): boolean {
    return this.from(action).length > 0;
  }

  /** The groups whose grant allows the action somewhere. */
  from(action: RecordAction): string[] {
    return this.grants(action)
      .filter((g) => {
        if (action === 'create' || action === 'import') return true;
        const rule = (g.grant.actions as Record<string, { scope: GrantScope }>)[action];
        return !this.broken(g.grant, rule.scope);
      })
      .map((g) => g.groupId);
  }

  /** Grants that let the caller see `r`. */
  private viewersOf(r: RefRecord): { groupId: string; grant: Grant }[] {
    return this.valid.filter((g) => this.grantCovers(g.grant, 'view', r));
  }

  modes(r: RefRecord): Record<string, FieldMode> {
    const out: Record<string, FieldMode> = {};
    for (const f of this.fields) out[f.key] = 'hidden';
    for (const g of this.viewersOf(r)) {
      const edits = this.grantCovers(g.grant, 'edit', r);
      for (const f of this.fields) out[f.key] = higher(out[f.key], shown(refMode(g.grant, f.key), edits));
    }
    return out;
  }

  reveal(r: RefRecord, key: string): RefReveal {
    const no: RefReveal = { allowed: false, reasonRequired: true, from: [] };
    if (!this.fields.some((f) => f.key === key)) return no;
    // Reveal is for a value the caller sees masked: hidden stays hidden, plain needs no reveal.
    if (this.modes(r)[key] !== 'masked') return no;
    const by = this.viewersOf(r).filter((g) => this.grantCovers(g.grant, 'reveal', r) && rank(refMode(g.grant, key)) >= rank('masked'));
    if (by.length === 0) return no;
    const waived = by.some((g) => g.grant.actions.reveal?.reason !== true);
    return { allowed: true, reasonRequired: !waived, from: by.map((g) => g.groupId) };
  }

  /** Whether `q` may match field `key` on `r`: a grant that sees `r` reads the field in plain, and it is not ciphertext. */
  searchMatches(r: RefRecord, key: string): boolean {
    const f = this.fields.find((x) => x.key === key);
    if (!f || f.encrypted) return false;
    return this.viewersOf(r).some((g) => rank(refMode(g.grant, key)) >= rank('read'));
  }

  on(r: RefRecord): RefRecordAnswers {
    const visible = this.viewersOf(r).length > 0;
    const inScope = {} as Record<ScopedAction, boolean>;
    for (const a of scopedActions) inScope[a] = this.valid.some((g) => this.grantCovers(g.grant, a, r));
    const reveal: Record<string, RefReveal> = {};
    const search: Record<string, boolean> = {};
    for (const f of this.fields) {
      reveal[f.key] = this.reveal(r, f.key);
      search[f.key] = this.searchMatches(r, f.key);
    }
    const actions = {} as Record<RecordAction, boolean>;
    for (const a of recordActions) {
      if (a === 'create' || a === 'import') actions[a] = this.allowed(a);
      else if (a === 'view') actions[a] = visible;
      else if (a === 'reveal') actions[a] = Object.values(reveal).some((x) => x.allowed);
      else actions[a] = visible && inScope[a];
    }
    return { actions, modes: this.modes(r), reveal, search, inScope };
  }

  /** Grants that can show records at all (a view scope that can apply). */
  private viewGrants(): Grant[] {
    return this.grants('view')
      .filter((g) => !this.broken(g.grant, g.grant.actions.view!.scope))
      .map((g) => g.grant);
  }

  /** Modes on a new record: the most open mode among grants that create (or import) records. */
  onCreate(): Record<string, FieldMode> {
    const out: Record<string, FieldMode> = {};
    const creators = this.valid.filter((g) => has(g.grant.actions, 'create') || has(g.grant.actions, 'import'));
    for (const f of this.fields) out[f.key] = creators.reduce<FieldMode>((m, g) => higher(m, refMode(g.grant, f.key)), 'hidden');
    return out;
  }

  /** The most a field can show on any record the caller may see. */
  ceiling(): Record<string, FieldMode> {
    const out: Record<string, FieldMode> = {};
    for (const f of this.fields) {
      out[f.key] = this.viewGrants().reduce<FieldMode>((m, g) => {
        const edits = g.actions.edit !== undefined && !this.broken(g, g.actions.edit.scope);
        return higher(m, shown(refMode(g, f.key), edits));
      }, 'hidden');
    }
    return out;
  }

  /** Fields `q` may search in: plain (not ciphertext, not the owner id) and read in plain under some view grant. */
  searchable(): string[] {
    return this.fields
      .filter((f) => !f.encrypted && !f.owner && this.viewGrants().some((g) => rank(refMode(g, f.key)) >= rank('read')))
      .map((f) => f.key);
  }

  /**
   * Whether lists may sort by the field: an order over values is an oracle wherever the value
   * is masked or hidden, so every grant that shows records must read it in plain.
   */
  sortable(key: string): boolean {
    const f = this.fields.find((x) => x.key === key);
    if (!f || f.encrypted || f.owner) return false;
    const viewers = this.viewGrants();
    return viewers.length > 0 && viewers.every((g) => rank(refMode(g, key)) >= rank('read'));
  }

  /** Whether the record, as it would be after an owner change, is inside the assign scope. */
  assignCovers(after: RefRecord): boolean {
    return this.valid.some((g) => this.grantCovers(g.grant, 'assign', after));
  }

  /** Whether the caller may create a record owned by `after.ownerId` (with its department and values). */
  mayCreateOwnedBy(after: RefRecord): boolean {
    if (!this.allowed('create')) return false;
    return after.ownerId === this.me.id || this.assignCovers(after);
  }

  /** Whether the caller may edit `before` into `after` as far as the owner goes. */
  mayChangeOwner(before: RefRecord, after: RefRecord): boolean {
    if (!this.on(before).actions.edit) return false;
    return after.ownerId === before.ownerId || this.assignCovers(after);
  }
}
