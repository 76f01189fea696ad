/** The REST API v1 described as OpenAPI 3.1, served at /api/v1/openapi.json. */
import 'server-only';
import { httpStatusOf } from '@/lib/errors';
import { UUID_PATTERN, uuidSchema } from '@/lib/forms/ajv';
import { recordDtoSchema } from '@/lib/records/dto';
import { createRecord, deleteRecord, listRecords, revealField, updateRecord } from '@/lib/records/operations';
import { fieldModes, recordActions } from '@/lib/policy/vocabulary';

// Parameters and bodies are the operations' own input schemas (the keys the path carries
// left out), and the Record schema is the DTO's: the document cannot drift from what the
// API accepts and answers.
type ObjectSchema = { readonly required?: readonly string[]; readonly properties: Readonly<Record<string, object>> };
const without = <S extends ObjectSchema>(schema: S, pathKeys: readonly string[]) => ({
  ...schema,
  required: (schema.required ?? []).filter((k) => !pathKeys.includes(k)),
  properties: Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !pathKeys.includes(k))),
});
const queryParameters = (schema: ObjectSchema, pathKeys: readonly string[], descriptions: Record<string, string> = {}) =>
  Object.entries(without(schema, pathKeys).properties).map(([name, s]) => ({
    name,
    in: 'query',
    schema: s,
    ...(descriptions[name] ? { description: descriptions[name] } : {}),
  }));

const problem = { $ref: '#/components/responses/Problem' };
const id = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description: `${description}; an id in any other spelling (e.g. urn:uuid:…) is 422`,
  // UUID_PATTERN is case-insensitive (flag i); a JSON Schema pattern has no flags.
  schema: { ...uuidSchema, pattern: UUID_PATTERN.source.replaceAll('a-f', 'a-fA-F') },
});
/** Request bodies: read only after the token is accepted, at most 1 MB. */
const bodyProblems = {
  '400': { description: 'The body is not JSON (or not UTF-8): code bad_request', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
  '413': { description: 'The body is over 1 MB: code payload_too_large', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Formwarden API',
    version: '1.0.0',
    description:
      'Records of the forms you may use, under the same permissions as the web app. Authenticate with a personal API token ' +
      '(from the “Personal API tokens” page) as `Authorization: Bearer fw_…`. A record outside your rights is 404. Errors are application/problem+json; ' +
      'send `Accept-Language: en` for English messages (default Simplified Chinese, zh-CN). A request body is read only after the token is accepted ' +
      '(401 otherwise) and may be at most 1 MB (413); a body that is not JSON is 400, JSON that fails validation is 422 with ' +
      '`errors` by field. Text may not contain NUL characters or unpaired surrogates (422). ' +
      'After 20 unknown tokens within an hour from one IP, every call from that IP ' +
      'is 429 `rate_limited` with `Retry-After` (seconds) for 1 minute, doubling up to 15 minutes (see components.responses.RateLimited). ' +
      'A token expires at the lifetime chosen when it was created (30, 90 or 365 days; default 90) and is revoked when its ' +
      'user is disabled or an admin resets their password: an expired or revoked token is 401. A read-only token may only ' +
      'read: any write is 403 with code `forbidden`. While the user must replace a password someone else chose, every call ' +
      'is 403 with code `password_change_required` until they change it in the web app.',
  },
  servers: [{ url: '/api/v1' }],
  security: [{ bearer: [] }],
  paths: {
    '/forms': {
      get: {
        summary: 'Forms you may use',
        responses: { '200': { description: 'Forms with their published JSON Schema', content: { 'application/json': { schema: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Form' } } } } } } }, '401': problem, '403': problem },
      },
    },
    '/forms/{formId}/records': {
      parameters: [id('formId', 'Form id')],
      get: {
        summary: 'List records in your scope',
        parameters: queryParameters(listRecords.inputSchema, ['formId'], {
          sort: 'createdAt, updatedAt or a field key',
          q:
            'Search: a substring of plain text fields where you read them in plain, or the whole value of an encrypted phone, e-mail, ID-card or bank-card field ' +
            'where you see it at least masked (e.g. q=13812345678)',
          filter:
            'Exact matches, all of which must hold: filter[key]=value. A plain field matches where you read it in plain; an encrypted phone, e-mail, ID-card or ' +
            'bank-card field matches its whole value where you see it at least masked. A hidden or masked-only plain field, an encrypted field of another kind, ' +
            'or part of an encrypted value is refused with 422.',
        }).map((p) => (p.name === 'filter' ? { ...p, style: 'deepObject', explode: true } : p)),
        responses: { '200': { description: 'A page', content: { 'application/json': { schema: { $ref: '#/components/schemas/RecordPage' } } } }, '401': problem, '403': problem, '404': problem, '422': problem },
      },
      post: {
        summary: 'Create a record',
        requestBody: { required: true, content: { 'application/json': { schema: without(createRecord.inputSchema, ['formId']) } } },
        responses: { '201': { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Record' } } } }, ...bodyProblems, '401': problem, '403': problem, '404': problem, '422': problem },
      },
    },
    '/forms/{formId}/records/{recordId}': {
      parameters: [id('formId', 'Form id'), id('recordId', 'Record id')],
      get: { summary: 'Read a record', responses: { '200': { description: 'The record', content: { 'application/json': { schema: { $ref: '#/components/schemas/Record' } } } }, '401': problem, '403': problem, '404': problem, '422': problem } },
      patch: {
        summary: 'Change fields of a record',
        description: 'Send the `version` you read: if someone saved in between, the answer is 409 and nothing is changed. Fields not named keep their value; null clears a field.',
        requestBody: { required: true, content: { 'application/json': { schema: without(updateRecord.inputSchema, ['formId', 'recordId']) } } },
        responses: { '200': { description: 'Saved', content: { 'application/json': { schema: { $ref: '#/components/schemas/Record' } } } }, ...bodyProblems, '401': problem, '403': problem, '404': problem, '409': problem, '422': problem },
      },
      delete: {
        summary: 'Move a record to the recycle bin',
        parameters: [{ name: 'version', in: 'query', schema: deleteRecord.inputSchema.properties.version, description: 'Refuse (409) if the record changed since this version' }],
        responses: { '200': { description: 'Deleted' }, '401': problem, '403': problem, '404': problem, '409': problem, '422': problem },
      },
    },
    '/forms/{formId}/records/{recordId}/reveal': {
      parameters: [id('formId', 'Form id'), id('recordId', 'Record id')],
      post: {
        summary: 'Reveal one masked field of one record in plain',
        description:
          'Only for a field listed in the record\'s `revealable` (your grant has `reveal` on it). Give a `reason` when the field requires one (422 otherwise). ' +
          'Each reveal is an audit event with the field and the reason. At most 30 reveals per user and hour by default (FW_REVEAL_PER_HOUR): then 429 `rate_limited` with `Retry-After`. ' +
          'A field you may not reveal is 403 `forbidden`; a hidden or unknown field is 422; a record outside your view is 404.',
        requestBody: { required: true, content: { 'application/json': { schema: without(revealField.inputSchema, ['formId', 'recordId']) } } },
        responses: {
          '200': {
            description: 'The plain value, once',
            content: { 'application/json': { schema: { type: 'object', required: ['field', 'value'], properties: { field: { type: 'string' }, value: {} }, example: { field: 'phone', value: '13812345678' } } } },
          },
          ...bodyProblems,
          '401': problem,
          '403': problem,
          '404': problem,
          '422': problem,
          '429': { $ref: '#/components/responses/RateLimited' },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'Personal API token (fw_…): expires (30/90/365 days), may be read-only (writes answer 403)' },
    },
    responses: {
      RateLimited: {
        description: 'Too many unknown API tokens from this IP: refused until Retry-After, whatever the token (code rate_limited)',
        headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until the IP may try again' } },
        content: { 'application/problem+json': { schema: { type: 'object', properties: { title: { type: 'string' }, status: { type: 'integer', enum: [429] }, code: { type: 'string', enum: ['rate_limited'] } } } } },
      },
      Problem: {
        description: 'An error (RFC 9457)',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
    schemas: {
      Problem: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string', description: "In the request's language" },
          status: { type: 'integer' },
          code: { type: 'string', enum: Object.keys(httpStatusOf) },
          errors: { type: 'object', additionalProperties: { type: 'string' }, description: "Field key -> message, in the request's language" },
        },
      },
      Form: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          description: { type: 'string' },
          version: { type: 'integer' },
          fields: {
            type: 'array',
            description: 'The fields you may see, with your mode (the most open on any record you see). Hidden fields are not listed.',
            items: { type: 'object', required: ['key', 'title', 'kind', 'mode'], properties: { key: { type: 'string' }, title: { type: 'string' }, kind: { type: 'string' }, mode: { enum: fieldModes } } },
          },
          schema: { type: 'object', description: 'The published JSON Schema 2020-12 (with x- keywords) as you may see it: hidden fields removed' },
          can: { type: 'object', properties: Object.fromEntries(recordActions.map((a) => [a, { type: 'boolean' }])), description: 'Actions you hold on the form' },
        },
      },
      Record: recordDtoSchema,
      RecordPage: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Record' } }, total: { type: 'integer' }, page: { type: 'integer' }, pageSize: { type: 'integer' } } },
    },
  },
} as const;
