/**
 * The shape of an operation, as types only, for the transport adapters
 * (lib/next, lib/http) that call operations. Defining one is reserved to
 * the operations modules (lib/<area>/operations.ts), which import lib/operation.ts.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Caller } from '@/lib/auth/credential';

/** Who may call: anyone, any signed-in user, or an administrator (configuration only, never data). */
export type Permission = 'public' | 'authenticated' | 'admin';

export interface Operation<I, O, S = unknown> {
  (caller: Caller, input: I): Promise<O>;
  readonly operationName: string;
  readonly permission: Permission;
  /** The input's JSON Schema, for documents that describe the operation (the OpenAPI document). */
  readonly inputSchema: S;
}

/**
 * The input type an operation's JSON Schema describes. Defaulted properties
 * stay optional: our ajv never applies defaults, so the run sees them absent.
 */
export type InputOf<S> = S extends JSONSchema ? FromSchema<S, { keepDefaultedPropertiesOptional: true }> : never;

/** What an operation takes, for callers that name it (a form's values, a server action's argument). */
export type OperationInput<Op> = Op extends Operation<infer I, unknown> ? I : never;
/** What an operation returns. */
export type OperationOutput<Op> = Op extends Operation<never, infer O> ? O : never;
