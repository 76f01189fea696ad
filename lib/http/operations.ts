/**
 * The REST adapter's own operation: is this bearer token good? Asked before a request body is
 * read, so an outsider with a made-up token cannot make the server read (and hold) a large
 * body; the operation that follows resolves the principal again in its own transaction.
 */
import 'server-only';
import { defineOperation } from '@/lib/operation';

export const checkCredential = defineOperation<Record<string, never>, { ok: true }>({
  name: 'http.checkCredential',
  permission: 'authenticated',
  readOnly: true,
  // A gate, not a use case: the operation that reads the body audits the request.
  audit: false,
  input: { type: 'object', additionalProperties: false },
  async run() {
    return { ok: true };
  },
});
