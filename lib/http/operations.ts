/** The REST adapter's own operations: its public description, and the token gate. */
import 'server-only';
import { defineOperation } from '@/lib/operation';
import { openApiDocument } from './openapi';

/** The REST API's own description, public: it shows no data. */
export const getOpenApiDocument = defineOperation({
  name: 'api.openapi',
  permission: 'public',
  readOnly: true,
  audit: false,
  input: { type: 'object', additionalProperties: false },
  async run(): Promise<typeof openApiDocument> {
    return openApiDocument;
  },
});

/**
 * Is this bearer token good? Asked before a request body is read, so an outsider with a
 * made-up token cannot make the server read (and hold) a large body; the operation that
 * follows resolves the principal again in its own transaction.
 */
export const checkCredential = defineOperation({
  name: 'http.checkCredential',
  permission: 'authenticated',
  readOnly: true,
  // A gate, not a use case: the operation that reads the body audits the request.
  audit: false,
  input: { type: 'object', additionalProperties: false },
  async run(): Promise<{ ok: true }> {
    return { ok: true };
  },
});
