/**
 * Calls an operation for a page: no session goes to sign-in, out of scope
 * renders Next's 404, anything else is thrown to the error boundary.
 */
import 'server-only';
import { notFound, redirect } from 'next/navigation';
import { isAppError } from '@/lib/errors';
import type { Operation } from '@/lib/operation-types';
import { getCaller } from './caller';

export async function callForPage<I, O>(operation: Operation<I, O>, input: I): Promise<O> {
  try {
    return await operation(await getCaller(), input);
  } catch (e) {
    if (isAppError(e)) {
      if (e.code === 'unauthenticated') redirect('/sign-in');
      if (e.code === 'not_found') notFound();
      if (e.code === 'forbidden') redirect('/forbidden');
      if (e.code === 'password_change_required') redirect('/password-change');
    }
    throw e;
  }
}
