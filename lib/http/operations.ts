/** The REST API's own description, public: it shows no data. */
import 'server-only';
import { defineOperation } from '@/lib/operation';
import { openApiDocument } from './openapi';

export const getOpenApiDocument = defineOperation<Record<string, never>, typeof openApiDocument>({
  name: 'api.openapi',
  permission: 'public',
  readOnly: true,
  audit: false,
  input: { type: 'object', additionalProperties: false },
  async run() {
    return openApiDocument;
  },
});
