/**
 * The one door. Every use case is an operation; pages, server actions, REST
 * routes, the CLI and jobs call operations and nothing else touches the
 * database. For each call the runner:
 *   1. opens a transaction and resolves the principal in it (or refuses), switching
 *      the transaction to the application's database role (row-level security);
 *   2. validates the input against its JSON Schema;
 *   3. runs the use case, which asks policy and builds scoped queries;
 *   4. writes the audit events in the same transaction (reads included);
 *   5. returns plain data; a failure is audited in its own transaction
 *      after the work was rolled back.
 */
import 'server-only';
import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv';
import localizeZh from 'ajv-i18n/localize/zh';
import { createAjv, UUID_PATTERN } from '@/lib/forms/ajv';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import { getDb } from '@/lib/db/connection';
import { switchToAppRole } from '@/lib/db/app-role';
import type { DB } from '@/lib/db/schema';
import { AppError, isAppError, type ErrorCode } from '@/lib/errors';
import { appendAuditEvents, type AuditEntry, type AuditOutcome } from '@/lib/audit/append';
import { resolvePrincipal, type Caller, type Principal } from '@/lib/auth/principal';
import { msg, type Locale } from '@/lib/i18n';
import { env } from '@/lib/env';
import { describeError } from '@/lib/error-log';

import type { InputOf, Operation, Permission } from '@/lib/operation-types';
import type { JSONSchema } from 'json-schema-to-ts';

export type { Caller, Principal } from '@/lib/auth/principal';
export type { InputOf, Operation, OperationInput, OperationOutput, Permission } from '@/lib/operation-types';

export interface OperationContext<P extends Principal | null = Principal> {
  db: Transaction<DB>;
  principal: P;
  caller: Caller;
  locale: Locale;
  /** Record an audit event; written in this transaction when the run succeeds. */
  audit(entry: AuditEntry): void;
  /** What `spec.prefetch` selected, fetched together with the principal. */
  prefetched?: unknown;
}

interface SpecBase<S, O, I, P extends Principal | null> {
  name: string;
  /**
   * The input's JSON Schema, the one source of the input's shape: ajv checks
   * it at run time and the TypeScript type of `input` is derived from it
   * (json-schema-to-ts), so the two cannot drift apart.
   */
  input: S;
  /**
   * Reads only. Their audit events are committed with synchronous_commit off:
   * still atomic and in order, but the commit does not wait for the disk, so a
   * read costs no fsync (at worst the last moment of read events is lost in a
   * power cut; changes always wait for the disk).
   */
  readOnly?: boolean;
  /**
   * No audit event on success. Only for operations that show no data (e.g.
   * "is setup done?") or only the caller's own profile, which every page
   * render reads (auth.me): auditing those is noise that buries evidence.
   * Failures are still audited when the caller is known.
   */
  audit?: false;
  /** Open to a user who must first change a password someone else chose (the change itself, sign-out). */
  beforePasswordChange?: true;
  /**
   * SQL for data the run needs first (e.g. the form and the caller's grants),
   * selected in the principal's statement to save a round trip. The input is
   * not validated yet: build only parameterised SQL from it.
   */
  prefetch?: (input: I) => RawBuilder<unknown> | undefined;
  run(ctx: OperationContext<P>, input: I): Promise<O>;
}

export type OperationSpec<S, O, I = InputOf<S>> =
  | (SpecBase<S, O, I, Principal> & { permission: 'authenticated' | 'admin' })
  | (SpecBase<S, O, I, Principal | null> & { permission: 'public' });

/** What the implementation of defineOperation sees of a spec. */
type LooseSpec = SpecBase<JSONSchema, unknown, unknown, Principal | null> & { permission: Permission };

// The project's one ajv configuration; it never rewrites input (no defaults,
// no coercion), so operations apply their own defaults explicitly.
const ajv = createAjv();

/** Operation names, to refuse a second operation with the same name. */
const registry = new Set<string>();

/** Input errors by field (dotted path), in the caller's language; a Map, so no key touches Object.prototype. */
function fieldErrors(errors: ErrorObject[] | null | undefined, locale: Locale): Record<string, string> {
  // ajv speaks English; a Chinese caller must not read "must be <= 200".
  if (locale !== 'en') localizeZh(errors);
  const out = new Map<string, string>();
  for (const e of errors ?? []) {
    const p = e.params as { missingProperty?: string; additionalProperty?: string };
    const key = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || p.missingProperty || p.additionalProperty || '_';
    if (!out.has(key)) out.set(key, e.message ?? 'invalid');
  }
  return Object.fromEntries(out);
}

// A NUL, or half of a surrogate pair without its other half.
const BAD_TEXT = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path of the first string in `input`, value or key, that is no valid text: PostgreSQL
 * refuses a NUL and an unpaired surrogate in text and jsonb, so such input reached the
 * database and came back as a 500. Iterative, so deeply nested input cannot overflow the stack.
 */
function badTextPath(input: unknown): string | undefined {
  const stack: [unknown, string][] = [[input, '']];
  const seen = new Set<object>();
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (BAD_TEXT.test(value)) return path || '_';
    } else if (value !== null && typeof value === 'object' && !seen.has(value)) {
      seen.add(value);
      for (const [k, v] of Object.entries(value)) {
        const at = path ? `${path}.${k}` : k;
        if (BAD_TEXT.test(k)) return at;
        stack.push([v, at]);
      }
    }
  }
  return undefined;
}

// password_change_required is a refusal of this caller (like forbidden), not a failure of the system.
const outcomeOf = (code: ErrorCode): AuditOutcome =>
  code === 'not_found' ? 'not_found' : code === 'forbidden' || code === 'unauthenticated' || code === 'password_change_required' ? 'denied' : code === 'invalid_input' ? 'invalid' : code === 'conflict' ? 'conflict' : 'failed';

/**
 * Defines an operation. Its input type is inferred from `spec.input` (a
 * literal, or `as const` fragments), its output from `run`:
 * `defineOperation({ name, input: { type: 'object', ... }, run(ctx, input) { ... } })`.
 * S is not constrained to json-schema-to-ts's `JSONSchema` here: checking every literal
 * against that union made tsc give up ("excessively deep"); InputOf<S> checks it instead (a
 * value that is no schema gives `never`, so its run cannot use the input), and ajv's strict
 * mode refuses unknown keywords when the schema is compiled.
 */
export function defineOperation<const S, O>(spec: OperationSpec<S, O>): Operation<InputOf<S>, O, S>;
// The implementation sees the input as unknown: it validates it and hands it on. (Evaluating
// InputOf<S> for a generic S in here would make the compiler give up.)
export function defineOperation(spec: LooseSpec): Operation<unknown, unknown> {
  // Two operations with one name would make the audit log ambiguous. In
  // development, hot reload evaluates a module again: the new one replaces it.
  if (registry.has(spec.name) && env().nodeEnv !== 'development') throw new Error(`Operation ${spec.name} is defined twice`);
  let validate: ValidateFunction | undefined;

  const op = async (caller: Caller, rawInput: unknown): Promise<unknown> => {
    const locale = caller.locale;
    const db = await getDb();
    const input: unknown = rawInput ?? {};
    let principal: Principal | null = null;
    let prefetched: unknown;
    const entries: AuditEntry[] = [];
    try {
      return await db.transaction().execute(async (trx) => {
        // Principal resolution also applies the transaction settings, saving a round trip.
        const settings = { synchronousCommit: spec.readOnly ? 'off' : 'on', prefetch: spec.prefetch?.(input) } as const;
        const resolved = caller.credential.type === 'anonymous' ? null : await resolvePrincipal(trx, caller, settings);
        principal = resolved?.principal ?? null;
        prefetched = resolved?.prefetched;
        if (!principal && spec.permission !== 'public') {
          throw new AppError('unauthenticated', msg(locale, 'errors.operation.signInRequired'));
        }
        // Anonymous (sign-in, first-run setup) runs as the application's role too; its settings in one statement.
        if (!principal) await sql`select ${switchToAppRole}, set_config('synchronous_commit', ${spec.readOnly ? 'off' : 'on'}, true)`.execute(trx);
        if (spec.permission === 'admin' && !principal?.isAdmin) {
          throw new AppError('forbidden', msg(locale, 'errors.operation.adminRequired'));
        }
        // A leaked read-only token must not change anything: it may call only reads.
        if (principal?.readOnlyToken && !spec.readOnly) {
          throw new AppError('forbidden', msg(locale, 'errors.operation.readOnlyToken'));
        }
        // A password someone else chose (admin reset, example account) opens nothing but its own
        // replacement, whether through a session or a token; the system caller is not a person.
        if (principal?.mustChangePassword && !principal.systemLabel && !spec.beforePasswordChange) {
          throw new AppError('password_change_required', msg(locale, 'errors.operation.passwordChangeRequired'));
        }
        validate ??= ajv.compile(spec.input as SchemaObject);
        const badText = badTextPath(input);
        if (badText !== undefined) {
          throw new AppError('invalid_input', msg(locale, 'errors.operation.invalidInput'), {
            fields: {
              [badText]: msg(locale, 'errors.operation.badText'),
            },
          });
        }
        if (!validate(input)) {
          throw new AppError('invalid_input', msg(locale, 'errors.operation.invalidInput'), {
            fields: fieldErrors(validate.errors, locale),
          });
        }
        const ctx = {
          db: trx,
          principal,
          caller,
          locale,
          prefetched,
          audit: (entry: AuditEntry) => void entries.push(entry),
        };
        const result = await spec.run(ctx, input);
        if (spec.audit !== false) {
          if (entries.length === 0) entries.push({ action: spec.name });
          await appendAuditEvents(trx, actorOf(principal, caller), entries);
        }
        return result;
      });
    } catch (error) {
      const refusedByRls = isRowSecurityRefusal(error);
      const appError = isAppError(error)
        ? error
        : refusedByRls
          ? new AppError('forbidden', msg(locale, 'errors.operation.refusedByPolicy'))
          : new AppError('internal', msg(locale, 'errors.operation.internal'));
      // Log what failed, not the error object: database errors can carry the
      // statement's parameters, and logs must not hold record values.
      if (!isAppError(error)) console.error(`[formwarden] operation ${spec.name} ${refusedByRls ? 'refused by row-level security' : 'failed'}: ${describeError(error)}`);
      // An unknown API token is audited by the REST layer, at most once a minute
      // per IP (lib/http/rest.ts): one event per request would let a flood fill the table.
      const throttledElsewhere = appError.code === 'unauthenticated' && !principal && caller.credential.type === 'token';
      if ((spec.audit !== false || principal) && !throttledElsewhere) {
        // The work was rolled back; the attempt itself is still evidence.
        const failed: AuditEntry = { ...(entries[0] ?? { action: spec.name }), action: entries[0]?.action ?? spec.name, outcome: outcomeOf(appError.code) };
        failed.details = { ...(failed.details ?? {}), error: appError.code };
        // Probing leaves a trace: a refused or not-found attempt names the
        // form and record that were asked for, so an audit reader sees which
        // customers were tried. Only well-formed ids: the input is untrusted.
        const asked = askedFor(input);
        if (asked.formId) failed.formId ??= asked.formId;
        if (asked.recordIds.length) failed.recordIds ??= asked.recordIds;
        await appendAuditEvents(db, actorOf(principal, caller), [failed]).catch((e) =>
          console.error(`[formwarden] could not audit a failed operation ${spec.name}: ${describeError(e)}`),
        );
      }
      throw appError;
    }
  };
  Object.defineProperty(op, 'operationName', { value: spec.name });
  Object.defineProperty(op, 'permission', { value: spec.permission });
  Object.defineProperty(op, 'inputSchema', { value: spec.input });
  registry.add(spec.name);
  return op as Operation<unknown, unknown>;
}

/**
 * A write the application let through and row-level security refused (SQLSTATE 42501 raised by
 * the policies' WITH CHECK on the new row): the second wall held where the first did not. The
 * caller hears an honest 403, not a 500; the log names the operation, so the gap in the
 * application's own check gets found.
 */
function isRowSecurityRefusal(error: unknown): boolean {
  const e = error as { code?: unknown; routine?: unknown } | null;
  return typeof e === 'object' && e !== null && e.code === '42501' && e.routine === 'ExecWithCheckOptions';
}

/** The form and record ids an input asked for, when they are syntactically valid UUIDs. */
export function askedFor(input: unknown): { formId?: string; recordIds: string[] } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { recordIds: [] };
  const i = input as { formId?: unknown; recordId?: unknown; recordIds?: unknown };
  const isId = (v: unknown): v is string => typeof v === 'string' && UUID_PATTERN.test(v);
  const recordIds = [
    ...(isId(i.recordId) ? [i.recordId] : []),
    ...(Array.isArray(i.recordIds) ? i.recordIds.slice(0, 100).filter(isId) : []),
  ].map((id) => id.toLowerCase());
  return { formId: isId(i.formId) ? i.formId.toLowerCase() : undefined, recordIds: [...new Set(recordIds)] };
}

function actorOf(principal: Principal | null, caller: Caller) {
  // The system (CLI, jobs) has no user: it is audited by its label, e.g. "cli".
  if (principal?.systemLabel) return { actorId: null, actorLabel: principal.systemLabel, ip: caller.ip || null };
  return { actorId: principal?.userId ?? null, actorLabel: principal?.email ?? null, ip: caller.ip || null };
}
