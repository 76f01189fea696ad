/**
 * The grant vocabulary, defined once: the grant schema (schemas/grant.schema.json is generated
 * from it), policy, the permission editor, the OpenAPI document and the tests derive from
 * these constants. (test/one-source.test.ts checks that nothing else restates them.)
 *
 * Pure: no I/O, runs in the browser too (the editor validates with it).
 */
import type { FromSchema } from 'json-schema-to-ts';

/** What a grant may allow on a form's records. */
export const recordActions = ['view', 'create', 'edit', 'delete', 'reveal', 'export', 'import', 'assign'] as const;
export type RecordAction = (typeof recordActions)[number];

/** Actions that carry a row scope; `create` and `import` make new rows (their owner is checked instead). */
export const scopedActions = ['view', 'edit', 'delete', 'reveal', 'export', 'assign'] as const;
export type ScopedAction = (typeof scopedActions)[number];
export const isScopedAction = (a: RecordAction): a is ScopedAction => (scopedActions as readonly string[]).includes(a);

/** The named row scopes; a condition object is the fifth kind. */
export const rowScopes = ['own', 'department', 'department-tree', 'all'] as const;
export type RowScopeName = (typeof rowScopes)[number];

/**
 * Field modes, least open first: the union across groups takes the highest. `write-on-create`
 * sits between read and write: writable when creating, read afterwards.
 */
export const fieldModes = ['hidden', 'masked', 'read', 'write-on-create', 'write'] as const;
export type FieldMode = (typeof fieldModes)[number];
export const modeRank = (m: FieldMode): number => fieldModes.indexOf(m);

/** Comparison operators of a condition; ordering operators compare numbers only. */
export const conditionOperators = ['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte'] as const;
export type ConditionOperator = (typeof conditionOperators)[number];

/** Values a condition may compare with that are filled in per caller. */
export const dynamicValues = ['$me', '$myDepartment'] as const;
/** Record columns a condition may name besides form fields. */
export const conditionColumns = ['$owner', '$department'] as const;

/** Deepest nesting of all/any/not a condition may have: keeps compiled SQL and RLS small. */
export const MAX_CONDITION_DEPTH = 4;
const MAX_ITEMS = 20;

const fieldRef = { type: 'string', pattern: '^(\\$owner|\\$department|[a-zA-Z][a-zA-Z0-9_]{0,62})$' } as const;
const literal = { anyOf: [{ type: 'string', maxLength: 200 }, { type: 'number' }, { type: 'boolean' }] } as const;

/** One comparison of a condition: a field (or `$owner` / `$department`) and exactly one operator. */
const fieldCondition = {
  type: 'object',
  additionalProperties: false,
  required: ['field'],
  minProperties: 2,
  maxProperties: 2,
  properties: {
    field: fieldRef,
    eq: literal,
    ne: literal,
    in: { type: 'array', minItems: 1, maxItems: 100, items: literal },
    gt: { type: 'number' },
    gte: { type: 'number' },
    lt: { type: 'number' },
    lte: { type: 'number' },
  },
} as const;

/** A condition on plain field values; JSON Schema's recursion through $defs. */
const conditionDefs = {
  condition: {
    anyOf: [
      { type: 'object', additionalProperties: false, required: ['all'], properties: { all: { type: 'array', minItems: 1, maxItems: MAX_ITEMS, items: { $ref: '#/$defs/condition' } } } },
      { type: 'object', additionalProperties: false, required: ['any'], properties: { any: { type: 'array', minItems: 1, maxItems: MAX_ITEMS, items: { $ref: '#/$defs/condition' } } } },
      { type: 'object', additionalProperties: false, required: ['not'], properties: { not: { $ref: '#/$defs/condition' } } },
      fieldCondition,
    ],
  },
} as const;

const scope = { anyOf: [{ enum: rowScopes }, { $ref: '#/$defs/condition' }] } as const;
const scoped = { type: 'object', additionalProperties: false, required: ['scope'], properties: { scope } } as const;
const unscoped = { type: 'object', additionalProperties: false, properties: {} } as const;

/** What one group may do on one form (docs/operations.md); the `Grant` type is derived from it. */
export const grantSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://formwarden.dev/schemas/grant.schema.json',
  title: 'Grant: what one group may do on one form',
  description:
    'Actions with their row scopes, and a mode per field ("*" for the fields not named). Anything not granted is denied; a grant that does not match this schema grants nothing.',
  type: 'object',
  additionalProperties: false,
  required: ['actions'],
  properties: {
    actions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        view: scoped,
        create: unscoped,
        edit: scoped,
        delete: scoped,
        reveal: {
          type: 'object',
          additionalProperties: false,
          required: ['scope'],
          properties: { scope, reason: { type: 'boolean', description: 'A reason must be given for each reveal' } },
        },
        export: scoped,
        import: unscoped,
        assign: scoped,
      },
    },
    fields: {
      type: 'object',
      description: 'Field key (or "*" for every other field) -> mode. A field named nowhere is hidden.',
      propertyNames: { pattern: '^(\\*|[a-zA-Z][a-zA-Z0-9_]{0,62})$' },
      additionalProperties: { enum: fieldModes },
    },
  },
  $defs: conditionDefs,
} as const;

/*
 * The types follow the schema. json-schema-to-ts cannot follow a recursive $ref, so the
 * recursion (all / any / not) is written here once and the rest is derived; a property test
 * (lib/policy/vocabulary.test.ts) checks that every value of these types passes the schema.
 */
export type FieldCondition = FromSchema<typeof fieldCondition>;
export type GrantCondition = { all: GrantCondition[] } | { any: GrantCondition[] } | { not: GrantCondition } | FieldCondition;
export type GrantScope = RowScopeName | GrantCondition;
export type Grant = {
  actions: { [A in ScopedAction]?: A extends 'reveal' ? { scope: GrantScope; reason?: boolean } : { scope: GrantScope } } & {
    [A in Exclude<RecordAction, ScopedAction>]?: Record<string, never>;
  };
  fields?: Record<string, FieldMode>;
};

/** Starting points in the editor (仅添加数据, 添加并管理本人数据, 查看全部数据, 管理全部数据). */
export const grantPresets = {
  createOnly: { actions: { create: {} }, fields: { '*': 'write-on-create' } },
  manageOwn: {
    actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' }, delete: { scope: 'own' } },
    fields: { '*': 'write' },
  },
  viewAll: { actions: { view: { scope: 'all' } }, fields: { '*': 'read' } },
  manageAll: {
    actions: {
      view: { scope: 'all' },
      create: {},
      edit: { scope: 'all' },
      delete: { scope: 'all' },
      reveal: { scope: 'all' },
      export: { scope: 'all' },
      import: {},
      assign: { scope: 'all' },
    },
    fields: { '*': 'write' },
  },
} as const satisfies Record<string, Grant>;
export type GrantPreset = keyof typeof grantPresets;
export const grantPresetNames = Object.keys(grantPresets) as GrantPreset[];
