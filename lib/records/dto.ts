/** What leaves the records door: plain objects, never rows. */
import type { FromSchema } from 'json-schema-to-ts';
import { nullableUuidSchema, uuidSchema } from '@/lib/forms/ajv';
import { fieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import { fieldModes, recordActions } from '@/lib/policy/vocabulary';

const userRefSchema = { type: 'object', additionalProperties: false, required: ['id', 'name'], properties: { id: uuidSchema, name: { type: 'string' } } } as const;
export type UserRef = FromSchema<typeof userRefSchema>;

/**
 * A record as it leaves the door, defined once: `RecordDTO` is derived from it and the
 * OpenAPI document's Record schema is this constant.
 */
export const recordDtoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'formId', 'formVersion', 'values', 'modes', 'unreadable', 'revealable', 'owner', 'departmentId', 'version', 'createdAt', 'updatedAt', 'can'],
  properties: {
    id: uuidSchema,
    formId: uuidSchema,
    formVersion: { type: 'integer' },
    values: {
      type: 'object',
      description:
        "Field key -> value, for the fields of the form's current version the caller may see. A masked field's value is the masked string (e.g. \"138****5678\"); hidden fields are left out entirely.",
    },
    modes: {
      type: 'object',
      description: 'Field key -> the caller\'s mode on this record: masked, read or write (writable here). Hidden fields are left out.',
      additionalProperties: { enum: ['masked', 'read', 'write'] },
    },
    revealable: {
      type: 'array',
      description: 'Masked fields the caller may reveal on this record (POST …/reveal), and whether a reason is required.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['field', 'reasonRequired'],
        properties: { field: { type: 'string' }, reasonRequired: { type: 'boolean' } },
      },
    },
    unreadable: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Keys of encrypted fields whose stored value could not be decrypted (tampered with or moved): their value is left out of `values`. A PATCH that names such a field replaces it; one that does not keeps it as stored.',
    },
    owner: userRefSchema,
    departmentId: nullableUuidSchema,
    version: { type: 'integer', description: 'Optimistic concurrency: send it back when saving' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    can: {
      type: 'object',
      additionalProperties: false,
      required: recordActions,
      properties: Object.fromEntries(recordActions.map((a) => [a, { type: 'boolean' }])) as { [A in (typeof recordActions)[number]]: { type: 'boolean' } },
      description: 'What the caller may do on this record.',
    },
  },
} as const;

export type RecordDTO = FromSchema<typeof recordDtoSchema>;

const fieldModeSchema = { enum: fieldModes } as const;

/**
 * A form as one caller may see it: hidden fields are gone (keys included), every other field
 * carries the caller's mode (the most open on any record it sees) and its mode on create.
 */
export const formViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'description', 'version', 'fields', 'schema', 'can'],
  properties: {
    id: uuidSchema,
    name: { type: 'string' },
    description: { type: 'string' },
    version: { type: 'integer' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'title', 'kind', 'mode', 'onCreate', 'sortable', 'searchable', 'lookup'],
        properties: {
          key: { type: 'string' },
          title: { type: 'string' },
          kind: { type: 'string' },
          mode: fieldModeSchema,
          onCreate: fieldModeSchema,
          sortable: { type: 'boolean', description: 'The list may be sorted by it (only fields read in plain on every visible record)' },
          searchable: { type: 'boolean', description: '`q` searches it (only where the caller reads it in plain)' },
          lookup: {
            type: 'boolean',
            description: '`q` and `filter[key]` find records by its whole value: an encrypted phone, e-mail, ID-card or bank-card field the caller sees at least masked',
          },
        },
      },
    },
    schema: { type: 'object', description: 'The published definition without the fields the caller may not see' },
    can: {
      type: 'object',
      additionalProperties: false,
      required: recordActions,
      properties: Object.fromEntries(recordActions.map((a) => [a, { type: 'boolean' }])) as { [A in (typeof recordActions)[number]]: { type: 'boolean' } },
      description: 'Actions the caller holds on the form (on some records at least).',
    },
  },
} as const;

export type FormView = Omit<FromSchema<typeof formViewSchema>, 'schema'> & { schema: FormDefinition };

export const MAX_LIST_COLUMNS = 6;

/**
 * The columns a records list shows, decided once for the server and the browser: the server
 * selects, opens and sends only these fields (a list does not carry what it does not show),
 * and the table renders exactly these. Short fields make the columns; the owner has its own
 * column (from the record's owner), and long text (notes, addresses) reads better on the
 * record page.
 */
export function listColumns(view: Pick<FormView, 'schema' | 'fields'>): FieldInfo[] {
  const modes = new Map(view.fields.map((f) => [f.key, f.mode]));
  return fieldsOf(view.schema)
    .filter((f) => modes.has(f.key) && modes.get(f.key) !== 'hidden')
    .filter((f) => f.kind !== 'owner' && f.kind !== 'textarea' && f.kind !== 'address')
    .slice(0, MAX_LIST_COLUMNS);
}

export interface RecordPage {
  items: RecordDTO[];
  total: number;
  page: number;
  pageSize: number;
}
