import { AppError } from '@/lib/errors';

/** 'ok', or the AppError code an operation failed with (any other error is rethrown). */
export const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e) => (e instanceof AppError ? e.code : Promise.reject(e)),
  );

/** The AppError an operation failed with; fails the test if it succeeded. */
export async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected the operation to fail');
}
