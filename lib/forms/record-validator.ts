/**
 * Record values against their form definition: normalisation, then ajv, with messages from
 * our own table in both languages. Pure, so the browser (hookform-resolver.ts) and the server
 * (lib/records) run the same code and show the same words.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { msg, type Locale, type MessageKeyUnder, type MessageParams } from '@/lib/i18n';
import { compileDetached } from './ajv';
import { fieldsOf, recordSchemaOf, type FieldInfo, type FormDefinition } from './definition';

export type RecordValues = Record<string, unknown>;

export type RecordValidationResult =
  | { ok: true; values: RecordValues }
  /** Messages by field key; '_' for problems with the form as a whole. */
  | { ok: false; errors: Record<string, string> };

export type RecordValidator = (values: unknown, locale: Locale) => RecordValidationResult;

/** Key of form-level errors (not about one field). */
export const FORM_ERROR_KEY = '_';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

// ---------------------------------------------------------------------------
// Normalisation

const SEPARATORS = /[\s\-－–—]/g;

function normalizeString(f: FieldInfo, value: string): unknown {
  let s = value.trim();
  switch (f.kind) {
    case 'phone': {
      s = s.replace(SEPARATORS, '');
      // +86 138…, 0086 138…: the same number; storing one form keeps blind-index lookups exact.
      const m = /^(?:\+?86|0086)(1\d{10})$/.exec(s);
      if (m) s = m[1];
      break;
    }
    case 'bank-card':
      s = s.replace(SEPARATORS, '');
      break;
    case 'id-card':
      s = s.replace(/\s/g, '');
      if (s.endsWith('x')) s = s.slice(0, -1) + 'X';
      break;
    case 'number':
      // Text inputs hand over "12.5"; a plain decimal becomes the number it spells.
      // Anything else stays a string and fails as "enter a number".
      if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(s)) return Number(s);
      break;
  }
  return s === '' ? undefined : s;
}

function normalizeValue(f: FieldInfo, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' && Number.isNaN(value)) return undefined; // an empty <input type=number>
  if (typeof value === 'string') return normalizeString(f, value);
  if (Array.isArray(value)) {
    const items = value
      .map((v) => (typeof v === 'string' ? v.trim() : v))
      .filter((v) => v !== '' && v !== null && v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  return value;
}

/**
 * The values worth storing: only keys that are fields of the form; '' / null / undefined and
 * empty lists dropped (an emptied field is absent, so "required" catches it); strings
 * trimmed; mobile and bank card numbers without spaces or dashes (and mobiles without +86);
 * ID card numbers with an uppercase X. Idempotent. Does not validate.
 */
export function normalizeValues(def: FormDefinition, raw: unknown): RecordValues {
  const out: RecordValues = {};
  if (!isObject(raw)) return out;
  for (const f of fieldsOf(def)) {
    if (!hasOwn(raw, f.key)) continue;
    const value = normalizeValue(f, raw[f.key]);
    if (value !== undefined) out[f.key] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Messages

const CHOICE_KINDS = new Set(['select', 'multiselect', 'date', 'datetime', 'checkbox', 'owner']);

/** Formats and types with a message of their own (validation.record.format.*, .type.*). */
const FORMAT_MESSAGES = new Set(['date', 'date-time', 'email', 'cn-mobile', 'cn-id-card', 'bank-card', 'uuid'] as const);
const TYPE_MESSAGES = new Set(['number', 'string', 'boolean', 'array'] as const);
const has = <T extends string>(set: ReadonlySet<T>, value: unknown): value is T => set.has(value as T);

/** One ajv error as the person filling in the form should read it. */
export function recordErrorMessage(e: ErrorObject, field: FieldInfo | undefined, locale: Locale): string {
  const p = e.params as Record<string, unknown>;
  const limit = Number(p.limit);
  const m = (key: MessageKeyUnder<'validation.record'>, params?: MessageParams) => msg(locale, key, params);
  switch (e.keyword) {
    case 'required':
      return field && CHOICE_KINDS.has(field.kind) ? m('validation.record.choose') : m('validation.record.required');
    case 'type': {
      if (has(TYPE_MESSAGES, p.type)) return m(`validation.record.type.${p.type}`);
      break;
    }
    case 'minLength':
      return m('validation.record.minLength', { limit });
    case 'maxLength':
      return m('validation.record.maxLength', { limit });
    case 'pattern':
      return m('validation.record.pattern');
    case 'minimum':
      return m('validation.record.minimum', { limit });
    case 'maximum':
      return m('validation.record.maximum', { limit });
    case 'multipleOf':
      return m('validation.record.multipleOf', { step: Number(p.multipleOf) });
    case 'enum':
      return m('validation.record.enum');
    case 'format': {
      if (has(FORMAT_MESSAGES, p.format)) return m(`validation.record.format.${p.format}`);
      break;
    }
    case 'uniqueItems':
      return m('validation.record.uniqueItems');
    case 'minItems':
      return m('validation.record.minItems', { limit });
    case 'maxItems':
      return m('validation.record.maxItems', { limit });
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return m('validation.record.unknownField');
  }
  return e.message ?? e.keyword;
}

/** The field an error belongs to, or '_' for the record as a whole. */
function errorKey(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.instancePath === '') {
    if (e.keyword === 'required' && typeof p.missingProperty === 'string') return p.missingProperty;
    if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') return p.additionalProperty;
    return FORM_ERROR_KEY;
  }
  return e.instancePath.split('/')[1].replace(/~1/g, '/').replace(/~0/g, '~');
}

// ---------------------------------------------------------------------------
// Validators

/**
 * A validator for records of `def` (compile once, run many). It refuses keys that are not
 * fields of the form ("未知字段": stops a client writing arbitrary keys into stored record
 * JSON), normalises the rest (so raw and normalised input give the same answer), and checks
 * them. On success `values` are the normalised values, ready to store. The definition must
 * have passed validateDefinition; ajv throws on one that would not compile.
 */
export function compileRecordValidator(def: FormDefinition): RecordValidator {
  const fields = new Map(fieldsOf(def).map((f) => [f.key, f]));
  let validate: ValidateFunction;
  try {
    validate = compileDetached(recordSchemaOf(def));
  } catch {
    // A version published before a rule existed (e.g. a pattern with a backreference, which
    // RE2 cannot run) refuses every record with a clear reason instead of failing as a 500.
    return (_input, locale) => ({
      ok: false,
      errors: {
        [FORM_ERROR_KEY]: msg(locale, 'validation.record.unusableRule'),
      },
    });
  }
  return (input, locale) => {
    // A Map, then fromEntries: a key such as "__proto__" becomes an own property, never a prototype.
    const errors = new Map<string, string>();
    if (!isObject(input)) {
      errors.set(FORM_ERROR_KEY, msg(locale, 'validation.record.malformed'));
      return { ok: false, errors: Object.fromEntries(errors) };
    }
    for (const key of Object.keys(input)) {
      if (!fields.has(key)) errors.set(key, msg(locale, 'validation.record.unknownField'));
    }
    const values = normalizeValues(def, input);
    if (!validate(values)) {
      for (const e of validate.errors ?? []) {
        const key = errorKey(e);
        if (!errors.has(key)) errors.set(key, recordErrorMessage(e, fields.get(key), locale));
      }
    }
    return errors.size === 0 ? { ok: true, values } : { ok: false, errors: Object.fromEntries(errors) };
  };
}

/** How many compiled validators getRecordValidator keeps. */
export const RECORD_VALIDATOR_CACHE_SIZE = 200;

// Least recently used first (a Map iterates in insertion order; a hit is re-inserted).
const cache = new Map<string, { fingerprint: string; validator: RecordValidator }>();

/**
 * A compiled validator for `def`, cached under `cacheKey` (e.g. `${formId}:${version}`), at
 * most RECORD_VALIDATOR_CACHE_SIZE of them, least recently used evicted. The cache also
 * compares the definition itself: a key reused for a changed definition (a draft being
 * edited, a caller's mistake) recompiles rather than validating against stale rules.
 */
export function getRecordValidator(cacheKey: string, def: FormDefinition): RecordValidator {
  const fingerprint = JSON.stringify(def);
  const hit = cache.get(cacheKey);
  cache.delete(cacheKey);
  if (hit && hit.fingerprint === fingerprint) {
    cache.set(cacheKey, hit);
    return hit.validator;
  }
  const validator = compileRecordValidator(def);
  cache.set(cacheKey, { fingerprint, validator });
  while (cache.size > RECORD_VALIDATOR_CACHE_SIZE) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
  }
  return validator;
}
