/** What leaves the records door: plain objects, never rows. */
import type { FromSchema } from 'json-schema-to-ts';
import { nullableUuidSchema, uuidSchema } from '@/lib/forms/ajv';
import { recordActions } from '@/lib/policy/grants';

const userRefSchema = { type: 'object', additionalProperties: false, required: ['id', 'name'], properties: { id: uuidSchema, name: { type: 'string' } } } as const;
export type UserRef = FromSchema<typeof userRefSchema>;

/**
 * A record as it leaves the door, defined once: `RecordDTO` is derived from it and the
 * OpenAPI document's Record schema is this constant.
 */
export const recordDtoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'formId', 'formVersion', 'values', 'unreadable', 'owner', 'departmentId', 'version', 'createdAt', 'updatedAt', 'can'],
  properties: {
    id: uuidSchema,
    formId: uuidSchema,
    formVersion: { type: 'integer' },
    values: { type: 'object', description: "Field key -> value, for fields of the form's current version only" },
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
      properties: { view: { type: 'boolean' }, create: { type: 'boolean' }, edit: { type: 'boolean' }, delete: { type: 'boolean' } },
    },
  },
} as const;

export type RecordDTO = FromSchema<typeof recordDtoSchema>;

export interface RecordPage {
  items: RecordDTO[];
  total: number;
  page: number;
  pageSize: number;
}
