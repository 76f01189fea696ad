/**
 * Record values against their form definition: normalisation, then ajv, with messages from
 * our own table in both languages. Pure, so the browser (hookform-resolver.ts) and the server
 * (lib/records) run the same code and show the same words.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { say, type Bilingual, type Locale } from '@/lib/i18n';
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

const FORMAT_MESSAGES: Record<string, Bilingual> = {
  date: { zh: '请输入有效日期，如 2024-01-31', en: 'Enter a valid date, e.g. 2024-01-31' },
  'date-time': { zh: '请输入有效的日期和时间', en: 'Enter a valid date and time' },
  email: { zh: '请输入有效的电子邮箱地址', en: 'Enter a valid email address' },
  'cn-mobile': { zh: '请输入 11 位中国大陆手机号', en: 'Enter an 11-digit mainland China mobile number' },
  'cn-id-card': { zh: '请输入有效的 18 位居民身份证号码', en: 'Enter a valid 18-character resident ID card number' },
  'bank-card': { zh: '请输入有效的银行卡号（12–19 位数字）', en: 'Enter a valid bank card number (12–19 digits)' },
  uuid: { zh: '请选择有效的用户', en: 'Choose a valid user' },
};

const TYPE_MESSAGES: Record<string, Bilingual> = {
  number: { zh: '请输入数字', en: 'Enter a number' },
  string: { zh: '请输入文本', en: 'Enter text' },
  boolean: { zh: '请选择是或否', en: 'Choose yes or no' },
  array: { zh: '请选择一项或多项', en: 'Choose one or more options' },
};

const UNKNOWN_FIELD: Bilingual = { zh: '未知字段', en: 'Unknown field' };

const plural = (n: unknown, one: string, many: string) => (n === 1 ? one : many);

/** One ajv error as the person filling in the form should read it. */
export function recordErrorMessage(e: ErrorObject, field: FieldInfo | undefined, locale: Locale): string {
  const p = e.params as Record<string, unknown>;
  const n = p.limit;
  const m = (zh: string, en: string) => say(locale, { zh, en });
  switch (e.keyword) {
    case 'required':
      return field && CHOICE_KINDS.has(field.kind) ? m('请选择此项', 'Please make a choice') : m('请填写此项', 'This field is required');
    case 'type': {
      const t = TYPE_MESSAGES[String(p.type)];
      if (t) return say(locale, t);
      break;
    }
    case 'minLength':
      return m(`至少需要 ${n} 个字符`, `At least ${n} ${plural(n, 'character', 'characters')}`);
    case 'maxLength':
      return m(`不能超过 ${n} 个字符`, `At most ${n} ${plural(n, 'character', 'characters')}`);
    case 'pattern':
      return m('格式不正确', 'Invalid format');
    case 'minimum':
      return m(`不能小于 ${n}`, `Must be at least ${n}`);
    case 'maximum':
      return m(`不能大于 ${n}`, `Must be at most ${n}`);
    case 'multipleOf':
      return m(`必须是 ${p.multipleOf} 的整数倍`, `Must be a multiple of ${p.multipleOf}`);
    case 'enum':
      return m('请从给定选项中选择', 'Choose one of the given options');
    case 'format': {
      const f = FORMAT_MESSAGES[String(p.format)];
      if (f) return say(locale, f);
      break;
    }
    case 'uniqueItems':
      return m('选项不能重复', 'Each option can be chosen only once');
    case 'minItems':
      return m(`至少选择 ${n} 项`, `Choose at least ${n}`);
    case 'maxItems':
      return m(`最多选择 ${n} 项`, `Choose at most ${n}`);
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return say(locale, UNKNOWN_FIELD);
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
        [FORM_ERROR_KEY]: say(locale, {
          zh: '表单定义中有无法使用的校验规则，请联系管理员修改后重新发布',
          en: 'The form has a validation rule that cannot be used; ask an administrator to fix and republish it',
        }),
      },
    });
  }
  return (input, locale) => {
    // A Map, then fromEntries: a key such as "__proto__" becomes an own property, never a prototype.
    const errors = new Map<string, string>();
    if (!isObject(input)) {
      errors.set(FORM_ERROR_KEY, say(locale, { zh: '表单数据格式不正确', en: 'The form data is malformed' }));
      return { ok: false, errors: Object.fromEntries(errors) };
    }
    for (const key of Object.keys(input)) {
      if (!fields.has(key)) errors.set(key, say(locale, UNKNOWN_FIELD));
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
