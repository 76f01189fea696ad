/**
 * The form definition model: a JSON Schema 2020-12 object schema with our `x-` keywords,
 * stored as data (see schemas/form.schema.json). Pure: runs in the browser (builder preview)
 * and on the server (publish), so an admin sees the same verdict in both places.
 */
import type { ErrorObject } from 'ajv';
import { msg, type Locale, type MessageKeyUnder, type MessageParams } from '@/lib/i18n';
import { messagesFor, type AppMessages } from '@/messages';
import metaSchema from '../../schemas/form.schema.json';
import { compileDetached, createAjv } from './ajv';
import { compileLinear, PatternError } from './linear-regexp';
import { FIELD_KINDS, fieldKindLabel, isFieldKind, type FieldKind } from './field-kinds';
import { CUSTOM_MASK_LIMITS, type MaskSpec } from '@/lib/masking';
import type { PolicyField } from '@/lib/policy/decide';

export { FIELD_KINDS };
export type { FieldKind };

// The mask vocabulary lives with the rules (lib/masking, pure and dependency-free); the
// meta-schema repeats it and definition.test.ts keeps the two equal.
export { MASK_RULES, type CustomMask, type MaskRule, type MaskSpec } from '@/lib/masking';

/** Field keys are also JSONB keys and SQL-quoted identifiers downstream: keep them boring. */
export const FIELD_KEY_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;

/**
 * Keys a field may not have, though they match the pattern: names of Object.prototype (a field
 * `constructor` made `values[key]` read a function and broke the form's pages; `__proto__` is
 * already refused by the pattern), `then` (a values object with it is a thenable), and the
 * record's own columns that lists sort by next to field keys. The meta-schema lists the same
 * names (schemas/form.schema.json, $defs/fieldKey); a unit test keeps the two equal.
 */
export const RESERVED_FIELD_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  'then',
  'createdAt',
  'updatedAt',
];

const reservedKeys = new Set(RESERVED_FIELD_KEYS);

/** A key a new field may have: the pattern, and not a reserved name. */
export const isSafeFieldKey = (key: string): boolean => FIELD_KEY_PATTERN.test(key) && !reservedKeys.has(key);

export interface FieldSchema {
  type: 'string' | 'number' | 'boolean' | 'array';
  title: string;
  /** Help text shown under the field. */
  description?: string;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  enum?: string[];
  items?: { type: 'string'; enum: string[] };
  uniqueItems?: boolean;
  minItems?: number;
  maxItems?: number;
  format?: string;
  'x-widget': FieldKind;
  'x-encrypted'?: boolean;
  /** A named rule or a custom one; `none` or no rule shows a masked field as `all`. */
  'x-mask'?: MaskSpec;
  'x-placeholder'?: string;
}

// A type alias, not an interface: operation inputs typed from `{ type: 'object' }` (an index
// signature) accept it then.
export type FormDefinition = {
  $schema?: string;
  $id?: string;
  type: 'object';
  title?: string;
  description?: string;
  /** Every property key exactly once, in display order: JSONB does not keep key order. */
  'x-order': string[];
  required?: string[];
  properties: Record<string, FieldSchema>;
  additionalProperties?: false;
};

export interface FieldInfo {
  key: string;
  schema: FieldSchema;
  kind: FieldKind;
  required: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * The fields in display order (x-order). Tolerant of a definition that has not been
 * validated: keys missing from x-order follow in property order, unknown ones are skipped.
 */
export function fieldsOf(def: FormDefinition): FieldInfo[] {
  const props = isObject(def?.properties) ? def.properties : {};
  const order = Array.isArray(def?.['x-order']) ? def['x-order'] : [];
  const required = new Set(Array.isArray(def?.required) ? def.required : []);
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const key of [...order, ...Object.keys(props)]) {
    if (typeof key !== 'string' || seen.has(key) || !hasOwn(props, key) || !isObject(props[key])) continue;
    seen.add(key);
    keys.push(key);
  }
  return keys.map((key) => ({ key, schema: props[key], kind: props[key]['x-widget'], required: required.has(key) }));
}

/**
 * The form's fields as policy needs them (lib/policy: `PolicyField`): whether a value is sealed
 * (a condition cannot compare ciphertext) and which field is the record's owner column.
 */
export const policyFieldsOf = (def: FormDefinition): PolicyField[] =>
  fieldsOf(def).map((f) => ({ key: f.key, encrypted: Boolean(f.schema['x-encrypted']), owner: f.kind === 'owner' }));

/** Lists can sort by plain values only: ciphertext has no order, and the owner is a user id. */
export const isSortableField = (f: FieldInfo): boolean => f.kind !== 'owner' && !f.schema['x-encrypted'];

/** Text search looks in plain strings only: an encrypted value is not in the database to match. */
export const isSearchableField = (f: FieldInfo): boolean => f.schema.type === 'string' && isSortableField(f);

/**
 * The schema records are validated against: the fields, the required keys that exist, and no
 * other keys. `$id`/`$schema` are dropped so any number of form versions can be compiled side
 * by side; `additionalProperties: false` is forced, whatever the stored definition says, so a
 * client cannot slip extra keys into stored record JSON.
 */
export function recordSchemaOf(def: FormDefinition): Record<string, unknown> {
  const fields = fieldsOf(def);
  const keys = new Set(fields.map((f) => f.key));
  return {
    type: 'object',
    // An owner value becomes the record's owner column (a uuid): a definition may omit the
    // format, but a value that is no UUID must be refused here, not by PostgreSQL as a 500.
    properties: Object.fromEntries(fields.map((f) => [f.key, f.kind === 'owner' ? { ...f.schema, format: 'uuid' } : f.schema])),
    required: (Array.isArray(def.required) ? def.required : []).filter((k) => keys.has(k)),
    additionalProperties: false,
  };
}

// ---------------------------------------------------------------------------
// Validation

export interface DefinitionError {
  /** JSON pointer into the definition, e.g. "/properties/phone/maxLength". */
  path: string;
  message: string;
  /** The field the error is about, when there is one (the builder highlights it). */
  field?: string;
}

export type DefinitionResult =
  | { ok: true; definition: FormDefinition }
  | { ok: false; errors: DefinitionError[] };

type MetaValidate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let metaValidate: MetaValidate | undefined;
const getMetaValidate = (): MetaValidate => (metaValidate ??= createAjv().compile(metaSchema) as MetaValidate);

/** Settings with a name in admin language (messages validation.settings.*). */
type SettingKey = keyof AppMessages['validation']['settings'];
const isSetting = (kw: string): kw is SettingKey => hasOwn(messagesFor('zh-CN').validation.settings, kw);

/** 「最小值（minimum）」 / “minimum”: the friendly name, and the raw key for the JSON view. */
function setting(kw: string, locale: Locale): string {
  // `kw` comes from the admin's definition: `constructor` must not read Object.prototype.
  const name = isSetting(kw) ? msg(locale, `validation.settings.${kw}`) : kw;
  return name === kw ? kw : msg(locale, 'validation.settingName', { name, key: kw });
}

const decode = (seg: string) => seg.replace(/~1/g, '/').replace(/~0/g, '~');
const pointer = (...segs: (string | number)[]) =>
  segs.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');

class Messages {
  constructor(
    readonly def: Record<string, unknown>,
    readonly locale: Locale,
  ) {}

  m(key: MessageKeyUnder<'validation.definition'>, params?: MessageParams): string {
    return msg(this.locale, key, params);
  }

  /** The field as the admin knows it: its title, else its key. */
  name(key: string): string {
    const props = this.def.properties;
    const field = isObject(props) && hasOwn(props, key) ? props[key] : undefined;
    const title = isObject(field) && typeof field.title === 'string' && field.title.trim() ? field.title.trim() : key;
    return this.q(title);
  }

  /** Quotes a name: 「X」 / “X”. */
  q(s: string): string {
    return msg(this.locale, 'validation.quote', { name: s });
  }

  kindOf(key: string): FieldKind | undefined {
    const props = this.def.properties;
    const w = isObject(props) && isObject(props[key]) ? props[key]['x-widget'] : undefined;
    return isFieldKind(w) ? w : undefined;
  }
}

const LIMIT_KEYWORDS = new Set(['minLength', 'maxLength', 'minItems', 'maxItems']);

/** One ajv error of the meta-schema, said for a business admin; null when it adds nothing. */
function translateMetaError(e: ErrorObject, t: Messages): DefinitionError | null {
  // `if` only says "the then-branch failed"; that branch reports the actual problem.
  if (e.keyword === 'if') return null;
  // Errors under propertyNames repeat the propertyNames error itself.
  if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) return null;
  const segs = e.instancePath.split('/').slice(1).map(decode);
  const params = e.params as Record<string, unknown>;
  const { m, q } = { m: t.m.bind(t), q: t.q.bind(t) };
  // The offending value (ajv reports it only in verbose mode, which we leave off).
  let data: unknown = t.def;
  for (const seg of segs) data = isObject(data) || Array.isArray(data) ? (data as Record<string, unknown>)[seg] : undefined;

  if (e.keyword === 'propertyNames' && segs.length === 1 && segs[0] === 'properties') {
    const key = String(params.propertyName);
    if (reservedKeys.has(key)) {
      return {
        path: pointer('properties', key),
        field: key,
        message: m('validation.definition.reservedKey', { key: q(key) }),
      };
    }
    return {
      path: pointer('properties', key),
      field: key,
      message: m('validation.definition.invalidKey', { key: q(key) }),
    };
  }

  if (segs[0] === 'properties' && segs.length >= 2) {
    const key = segs[1];
    const rest = segs.slice(2);
    const f = t.name(key);
    const field = key;
    const at = (message: string, path = e.instancePath): DefinitionError => ({ path, field, message });
    const kw = rest[0];

    if (rest.length === 0) {
      if (e.keyword === 'type') return at(m('validation.definition.fieldNotObject', { field: f }));
      if (e.keyword === 'required') {
        const missing = String(params.missingProperty);
        const path = e.instancePath + pointer(missing);
        if (missing === 'title') return at(m('validation.definition.noTitle', { field: q(key) }), path);
        if (missing === 'enum' || missing === 'items') {
          return at(m('validation.definition.noOptions', { field: f }), path);
        }
        return at(m('validation.definition.missingSetting', { field: f, setting: setting(missing, t.locale) }), path);
      }
      if (e.keyword === 'unevaluatedProperties' || e.keyword === 'additionalProperties') {
        const extra = String(params.unevaluatedProperty ?? params.additionalProperty);
        const kind = t.kindOf(key);
        const kindName = kind ? m('validation.definition.kindSuffix', { kind: fieldKindLabel(kind, t.locale) }) : '';
        return at(
          m('validation.definition.unsupportedSetting', { field: f, kind: kindName, setting: q(extra) }),
          e.instancePath + pointer(extra),
        );
      }
    }

    if (kw === 'x-widget' && e.keyword === 'enum') {
      return at(m('validation.definition.unsupportedWidget', { field: f, value: q(String(data)) }));
    }
    if (kw === 'x-mask') return at(maskError(e, rest.slice(1), data, f, t));
    if (kw === 'x-encrypted' && e.keyword === 'const') {
      return at(
        m('validation.definition.ownerEncrypted', { field: f }),
      );
    }
    if ((kw === 'type' || kw === 'format') && rest.length === 1 && e.keyword === 'const') {
      const kind = t.kindOf(key);
      const expected = String(params.allowedValue);
      const kindName = kind ? q(fieldKindLabel(kind, t.locale)) : '';
      return kw === 'type'
        ? at(m('validation.definition.typeForKind', { field: f, expected, kind: kindName }))
        : at(m('validation.definition.formatForKind', { field: f, expected, kind: kindName }));
    }
    if (kw === 'title' && rest.length === 1) {
      if (e.keyword === 'maxLength') {
        return at(m('validation.definition.titleTooLong', { field: f, limit: String(params.limit) }));
      }
      return at(m('validation.definition.noTitle', { field: q(key) }));
    }
    const options = (kw === 'enum' && rest.length <= 2) || (kw === 'items' && rest[1] === 'enum' && rest.length <= 3);
    if (options) {
      const itemLevel = kw === 'enum' ? rest.length === 2 : rest.length === 3;
      if (!itemLevel && e.keyword === 'uniqueItems') {
        const list = data as unknown[];
        return at(duplicateOption(t, key, String(list[params.j as number])));
      }
      if (!itemLevel && e.keyword === 'minItems') return at(m('validation.definition.noOptions', { field: f }));
      if (!itemLevel && e.keyword === 'maxItems') {
        return at(m('validation.definition.tooManyOptions', { field: f, limit: String(params.limit) }));
      }
      if (itemLevel && e.keyword === 'minLength') return at(m('validation.definition.emptyOption', { field: f }));
      if (itemLevel && e.keyword === 'maxLength') {
        return at(m('validation.definition.optionTooLong', { field: f, limit: String(params.limit) }));
      }
      if (itemLevel && e.keyword === 'type') return at(m('validation.definition.optionNotText', { field: f }));
    }
    if (kw === 'uniqueItems' && e.keyword === 'const') {
      return at(m('validation.definition.multiselectUnique', { field: f }));
    }
    if (rest.length === 1 && LIMIT_KEYWORDS.has(kw)) {
      return at(m('validation.definition.wholeNumber', { field: f, setting: msg(t.locale, `validation.settings.${kw as SettingKey}`) }));
    }
    if (rest.length === 1 && kw === 'multipleOf') {
      return at(m('validation.definition.stepPositive', { field: f }));
    }
    if (rest.length === 1 && (kw === 'minimum' || kw === 'maximum')) {
      return at(m('validation.definition.notANumber', { field: f, setting: msg(t.locale, `validation.settings.${kw}`) }));
    }
    if (rest.length === 1 && kw === 'pattern') {
      return at(
        m('validation.definition.patternLength', { field: f }),
      );
    }
    if (rest.length === 1 && e.keyword === 'maxLength') {
      return at(
        m('validation.definition.settingTooLong', { field: f, setting: setting(kw, t.locale), limit: String(params.limit) }),
      );
    }
    return at(
      kw
        ? m('validation.definition.invalidSetting', { field: f, setting: setting(kw, t.locale) })
        : m('validation.definition.invalidField', { field: f }),
    );
  }

  // Form-level problems.
  const path = e.instancePath;
  if (segs.length === 0) {
    if (e.keyword === 'type') return { path, message: m('validation.definition.notAnObject') };
    if (e.keyword === 'required') {
      const missing = String(params.missingProperty);
      return {
        path: pointer(missing),
        message: m('validation.definition.formMissingSetting', { setting: setting(missing, t.locale) }),
      };
    }
    if (e.keyword === 'additionalProperties') {
      const extra = String(params.additionalProperty);
      return { path: pointer(extra), message: m('validation.definition.formUnsupportedSetting', { setting: q(extra) }) };
    }
  }
  const top = segs[0];
  if ((top === 'x-order' || top === 'required') && segs.length === 1 && e.keyword === 'uniqueItems') {
    const list = data as unknown[];
    const dup = String(list[params.j as number]);
    return top === 'x-order'
      ? { path, field: dup, message: m('validation.definition.duplicateInOrder', { key: q(dup) }) }
      : { path, field: dup, message: m('validation.definition.duplicateInRequired', { key: q(dup) }) };
  }
  if ((top === 'x-order' || top === 'required') && segs.length === 2) {
    return {
      path,
      message: m('validation.definition.invalidKeyInList', { setting: setting(top, t.locale), value: q(String(data)) }),
    };
  }
  if (top === 'properties' && e.keyword === 'maxProperties') {
    return { path, message: m('validation.definition.tooManyFields', { limit: String(params.limit) }) };
  }
  if (top === 'title' && e.keyword === 'maxLength') {
    return { path, message: m('validation.definition.formTitleTooLong', { limit: String(params.limit) }) };
  }
  if (top === 'additionalProperties') {
    return {
      path,
      message: m('validation.definition.additionalProperties'),
    };
  }
  if (top === '$schema') {
    return { path, message: m('validation.definition.schemaVersion') };
  }
  return {
    path,
    message: m('validation.definition.formInvalidSetting', { setting: setting(top ?? '', t.locale) }),
  };
}

/** The names of a custom mask rule's settings, for the admin (validation.maskSettings.*). */
type MaskSettingKey = keyof AppMessages['validation']['maskSettings'];
const isMaskSetting = (kw: string): kw is MaskSettingKey => hasOwn(messagesFor('zh-CN').validation.maskSettings, kw);

/**
 * An error under `x-mask`: a named rule that does not exist, or a custom rule with a missing,
 * unknown or out-of-bounds setting. `sub` is the path below x-mask ([] or ['keepStart']).
 */
function maskError(e: ErrorObject, sub: string[], data: unknown, f: string, t: Messages): string {
  const params = e.params as Record<string, unknown>;
  const name = (kw: string) =>
    isMaskSetting(kw) ? msg(t.locale, 'validation.settingName', { name: msg(t.locale, `validation.maskSettings.${kw}`), key: kw }) : t.q(kw);
  const { keep, length } = CUSTOM_MASK_LIMITS;
  if (sub.length === 0 && e.keyword === 'required') {
    return t.m('validation.definition.customMaskMissing', { field: f, setting: name(String(params.missingProperty)) });
  }
  if (sub.length === 0 && e.keyword === 'additionalProperties') {
    return t.m('validation.definition.customMaskUnknown', { field: f, setting: name(String(params.additionalProperty)) });
  }
  if (sub[0] === 'keepStart' || sub[0] === 'keepEnd') {
    return t.m('validation.definition.customMaskKeep', { field: f, setting: name(sub[0]), min: keep.min, max: keep.max });
  }
  if (sub[0] === 'length') {
    return t.m('validation.definition.customMaskLength', { field: f, setting: name('length'), min: length.min, max: length.max });
  }
  if (sub[0] === 'char') return t.m('validation.definition.customMaskChar', { field: f, setting: name('char') });
  // An unknown name, or neither a name nor an object.
  const value = typeof data === 'string' ? data : JSON.stringify(data);
  return t.m('validation.definition.unsupportedMask', { field: f, value: t.q(String(value)) });
}

function duplicateOption(t: Messages, key: string, option: string): string {
  const f = t.name(key);
  return t.m('validation.definition.duplicateOption', { field: f, option: t.q(option) });
}

/** Checks the meta-schema cannot express. Skips fields the meta-schema already refused. */
function semanticErrors(def: Record<string, unknown>, badFields: Set<string>, t: Messages): DefinitionError[] {
  const errors: DefinitionError[] = [];
  const props = isObject(def.properties) ? def.properties : undefined;
  if (!props) return errors;
  const keys = Object.keys(props);
  const { m, q } = { m: t.m.bind(t), q: t.q.bind(t) };

  // x-order is the only record of field order; a key missing there would vanish from the
  // form while its data stays, and an extra one would render a field that does not exist.
  const order = def['x-order'];
  if (Array.isArray(order)) {
    const listed = new Set(order);
    for (const key of keys) {
      if (!listed.has(key)) {
        errors.push({
          path: '/x-order',
          field: key,
          message: m('validation.definition.notInOrder', { field: t.name(key) }),
        });
      }
    }
    order.forEach((key, i) => {
      if (typeof key === 'string' && !hasOwn(props, key)) {
        errors.push({
          path: pointer('x-order', i),
          message: m('validation.definition.orderUnknownField', { key: q(key) }),
        });
      }
    });
  }

  const required = def.required;
  if (Array.isArray(required)) {
    required.forEach((key, i) => {
      if (typeof key === 'string' && !hasOwn(props, key)) {
        errors.push({
          path: pointer('required', i),
          message: m('validation.definition.requiredUnknownField', { key: q(key) }),
        });
      }
    });
  }

  // One owner field: it becomes the record's owner column, which row scopes ("own",
  // "department") and row-level security read; two would make ownership ambiguous.
  const owners = keys.filter((k) => isObject(props[k]) && props[k]['x-widget'] === 'owner');
  if (owners.length > 1) {
    const names = owners.map((k) => t.name(k)).join(msg(t.locale, 'validation.listSeparator'));
    for (const key of owners.slice(1)) {
      errors.push({
        path: pointer('properties', key, 'x-widget'),
        field: key,
        message: m('validation.definition.oneOwner', { count: owners.length, names }),
      });
    }
  }

  for (const key of keys) {
    const field = props[key];
    if (badFields.has(key) || !isObject(field)) continue;
    const f = t.name(key);
    const at = (kw: string, message: string) => errors.push({ path: pointer('properties', key, kw), field: key, message });

    if (typeof field.pattern === 'string') {
      // Compiled as ajv compiles it (RE2, linear time), so what passes here also compiles there.
      try {
        compileLinear(field.pattern);
      } catch (e) {
        if (e instanceof PatternError && e.problem === 'unsupported') {
          at(
            'pattern',
            // The syntax samples are params: `<` would start a tag in an ICU message.
            m('validation.definition.patternUnsupported', { field: f, backref: '\\1', namedBackref: '\\k<name>', lookahead: '(?=…)', lookbehind: '(?<=…)' }),
          );
        } else {
          at('pattern', m('validation.definition.patternInvalid', { field: f }));
        }
      }
    }
    const greater = (lo: string, hi: string) =>
      typeof field[lo] === 'number' && typeof field[hi] === 'number' && (field[lo] as number) > (field[hi] as number);
    if (greater('minLength', 'maxLength')) {
      at('minLength', m('validation.definition.minLengthOverMax', { field: f }));
    }
    if (greater('minimum', 'maximum')) {
      at('minimum', m('validation.definition.minimumOverMax', { field: f }));
    }
    if (greater('minItems', 'maxItems')) {
      at('minItems', m('validation.definition.minItemsOverMax', { field: f }));
    }

    const options = Array.isArray(field.enum)
      ? { list: field.enum as unknown[], path: 'enum' }
      : isObject(field.items) && Array.isArray(field.items.enum)
        ? { list: field.items.enum as unknown[], path: 'items/enum' }
        : undefined;
    if (options) {
      const seen = new Set<unknown>();
      const reported = new Set<unknown>();
      for (const option of options.list) {
        if (seen.has(option) && !reported.has(option)) {
          reported.add(option);
          errors.push({ path: `/properties/${key}/${options.path}`, field: key, message: duplicateOption(t, key, String(option)) });
        }
        seen.add(option);
      }
      if (field.type === 'array' && typeof field.minItems === 'number' && field.minItems > seen.size) {
        at(
          'minItems',
          m('validation.definition.minItemsOverOptions', { field: f, minItems: field.minItems, options: seen.size }),
        );
      }
    }
  }
  return errors;
}

/**
 * Defaults are checked with the very validator records use, so a new record's pre-filled
 * form can always be saved. Also proves that ajv (strict) compiles the definition: what is
 * published here is what the record validator will run.
 */
function compileErrors(def: FormDefinition, t: Messages): DefinitionError[] {
  let validate;
  try {
    validate = compileDetached(recordSchemaOf(def));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return [{ path: '', message: t.m('validation.definition.cannotCompile', { detail }) }];
  }
  const errors: DefinitionError[] = [];
  const reported = new Set<string>();
  for (const { key, schema } of fieldsOf(def)) {
    if (!hasOwn(schema, 'default')) continue;
    if (validate({ [key]: schema.default }) || reported.has(key)) continue;
    // Only errors about this key count: the record is otherwise empty, so required fails.
    const own = (validate.errors ?? []).filter((e) => e.instancePath === pointer(key) || e.instancePath.startsWith(pointer(key) + '/'));
    if (own.length === 0) continue;
    reported.add(key);
    const f = t.name(key);
    errors.push({
      path: pointer('properties', key, 'default'),
      field: key,
      message: t.m('validation.definition.badDefault', { field: f }),
    });
  }
  return errors;
}

/**
 * Is `def` a form definition we can publish? The meta-schema first, then the rules it cannot
 * express. Every problem is reported at once, each naming the field by its title, in the
 * admin's language.
 */
export function validateDefinition(def: unknown, locale: Locale): DefinitionResult {
  const validate = getMetaValidate();
  const metaOk = validate(def);
  const t = new Messages(isObject(def) ? def : {}, locale);
  const errors: DefinitionError[] = [];
  const badFields = new Set<string>();
  if (!metaOk) {
    for (const e of validate.errors ?? []) {
      const translated = translateMetaError(e, t);
      if (!translated) continue;
      errors.push(translated);
      if (translated.field && translated.path.startsWith('/properties/')) badFields.add(translated.field);
    }
  }
  if (isObject(def)) errors.push(...semanticErrors(def, badFields, t));
  if (errors.length === 0) errors.push(...compileErrors(def as unknown as FormDefinition, t));

  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const id = `${e.path}\n${e.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return unique.length === 0 ? { ok: true, definition: def as FormDefinition } : { ok: false, errors: unique };
}
