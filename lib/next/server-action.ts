/**
 * Server actions are operations behind a Next.js action: the caller comes
 * from the session cookie, the answer is `{ ok, data | error }` with field
 * errors for forms. A test checks every action is built with this.
 */
import 'server-only';
import { isAppError, type ErrorCode } from '@/lib/errors';
import type { Operation } from '@/lib/operation-types';
import { getCaller } from './caller';

export type ActionError = { code: ErrorCode; message: string; fields?: Record<string, string> };
export type ActionResult<O> = { ok: true; data: O } | { ok: false; error: ActionError };

export function serverAction<I, O>(operation: Operation<I, O>): (input: I) => Promise<ActionResult<O>> {
  return async (input: I) => {
    try {
      return { ok: true, data: await operation(await getCaller(), input) };
    } catch (e) {
      if (isAppError(e)) return { ok: false, error: { code: e.code, message: e.message, fields: e.details?.fields } };
      throw e;
    }
  };
}
