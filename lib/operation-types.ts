/**
 * The shape of an operation, as types only, for the transport adapters
 * (lib/next, lib/http) that call operations. Defining one is reserved to
 * the operations modules (lib/<area>/operations.ts), which import lib/operation.ts.
 */
import type { Caller } from '@/lib/auth/credential';

/** Who may call: anyone, any signed-in user, or an administrator (configuration only, never data). */
export type Permission = 'public' | 'authenticated' | 'admin';

export interface Operation<I, O> {
  (caller: Caller, input: I): Promise<O>;
  readonly operationName: string;
  readonly permission: Permission;
}
