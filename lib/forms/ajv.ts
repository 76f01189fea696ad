/**
 * The one ajv configuration for form definitions and records, on the server and in the browser.
 * Both sides must build it the same way, or the browser would accept what the server refuses.
 */
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { isValidBankCard, isValidCnIdCard, isValidCnMobile } from './cn-formats';
import { linearRegExpEngine } from './linear-regexp';

// Both packages are CommonJS with `exports.default`. Depending on the loader (Node ESM under
// vitest/tsx, or Next's bundler) a default import yields either the function itself or the
// module namespace carrying `.default`; accept both.
type Ajv2020Ctor = typeof Ajv2020Import;
const Ajv2020: Ajv2020Ctor =
  (Ajv2020Import as unknown as { default?: Ajv2020Ctor }).default ?? Ajv2020Import;
const addFormats: typeof addFormatsImport =
  (addFormatsImport as unknown as { default?: typeof addFormatsImport }).default ?? addFormatsImport;

export type Ajv = InstanceType<Ajv2020Ctor>;

/** Our annotation keywords: ajv ignores their values, strict mode just needs to know them. */
/**
 * The one UUID syntax, for every id anywhere (operation inputs, owner values). ajv-formats'
 * `uuid` also accepts a `urn:uuid:` prefix, which PostgreSQL's uuid type refuses: such an id
 * passed validation and then failed in the database as a 500.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The JSON Schema of an id, `as const` so operation input types derive from it (format `uuid` is UUID_PATTERN). */
export const uuidSchema = { type: 'string', format: 'uuid' } as const;
/** An id or null (e.g. "no parent department"). */
export const nullableUuidSchema = { anyOf: [uuidSchema, { type: 'null' }] } as const;

export const FORM_KEYWORDS = ['x-order', 'x-widget', 'x-encrypted', 'x-mask', 'x-placeholder'] as const;

/**
 * A fresh Ajv for JSON Schema 2020-12: all errors (a form shows every wrong field at once),
 * strict (a typo in a definition is an error, not a silently ignored keyword), standard
 * formats plus cn-mobile, cn-id-card and bank-card. No coercion, no defaults, no removal:
 * validation never rewrites data; normalisation is a separate, explicit step.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    // Decimal steps such as 0.01 must not fail on binary floating point (0.3 / 0.1 !== 3).
    multipleOfPrecision: 9,
    // Every `pattern` runs on RE2 (linear time): an admin-set pattern must not be able to
    // freeze the server with catastrophic backtracking (ReDoS).
    code: { regExp: linearRegExpEngine },
  });
  addFormats(ajv);
  ajv.addFormat('uuid', UUID_PATTERN);
  for (const keyword of FORM_KEYWORDS) ajv.addKeyword({ keyword });
  ajv.addFormat('cn-mobile', { type: 'string', validate: (s: string) => isValidCnMobile(s) });
  ajv.addFormat('cn-id-card', { type: 'string', validate: (s: string) => isValidCnIdCard(s) });
  ajv.addFormat('bank-card', { type: 'string', validate: (s: string) => isValidBankCard(s) });
  return ajv;
}

let shared: Ajv | undefined;

/**
 * Compiles `schema` on a process-wide instance and drops it from ajv's cache straight away.
 * ajv keys its cache by schema object, so compiling every form version, draft and default
 * check on one long-lived instance would otherwise grow memory without bound; callers keep
 * the functions they need in their own bounded caches. The schema must have no `$id`
 * (two versions of a form would otherwise collide in ajv's registry). Throws what ajv throws.
 */
export function compileDetached(schema: object): ValidateFunction {
  shared ??= createAjv();
  try {
    return shared.compile(schema);
  } finally {
    shared.removeSchema(schema);
  }
}
