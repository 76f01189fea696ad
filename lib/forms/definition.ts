/**
 * The form definition model: a JSON Schema 2020-12 object schema with our `x-` keywords,
 * stored as data (see schemas/form.schema.json). Pure: runs in the browser (builder preview)
 * and on the server (publish), so an admin sees the same verdict in both places.
 */
import type { ErrorObject } from 'ajv';
import { say, type Locale } from '@/lib/i18n';
import metaSchema from '../../schemas/form.schema.json';
import { compileDetached, createAjv } from './ajv';
import { compileLinear, PatternError } from './linear-regexp';
import { FIELD_KINDS, fieldKindLabel, isFieldKind, type FieldKind } from './field-kinds';

export { FIELD_KINDS };
export type { FieldKind };

export const MASK_RULES = ['phone', 'id-card', 'bank-card', 'email', 'name', 'address', 'all', 'none'] as const;
export type MaskRule = (typeof MASK_RULES)[number];

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
  'x-mask'?: MaskRule;
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

/** Names of settings in admin language. */
const SETTINGS: Record<string, { zh: string; en: string }> = {
  type: { zh: '数据类型', en: 'data type' },
  title: { zh: '标题', en: 'title' },
  description: { zh: '说明', en: 'help text' },
  default: { zh: '默认值', en: 'default value' },
  minLength: { zh: '最小长度', en: 'minimum length' },
  maxLength: { zh: '最大长度', en: 'maximum length' },
  pattern: { zh: '格式规则（正则表达式）', en: 'pattern' },
  minimum: { zh: '最小值', en: 'minimum' },
  maximum: { zh: '最大值', en: 'maximum' },
  multipleOf: { zh: '步长', en: 'step' },
  enum: { zh: '选项', en: 'options' },
  items: { zh: '选项', en: 'options' },
  uniqueItems: { zh: '不可重复选择', en: 'distinct choices' },
  minItems: { zh: '最少选择数', en: 'minimum number of choices' },
  maxItems: { zh: '最多选择数', en: 'maximum number of choices' },
  format: { zh: '格式', en: 'format' },
  'x-widget': { zh: '控件类型', en: 'widget type' },
  'x-encrypted': { zh: '加密存储', en: 'encryption' },
  'x-mask': { zh: '脱敏规则', en: 'mask rule' },
  'x-placeholder': { zh: '占位提示', en: 'placeholder' },
  'x-order': { zh: '字段顺序', en: 'field order' },
  required: { zh: '必填字段', en: 'required fields' },
  properties: { zh: '字段', en: 'fields' },
};

/** 「最小值（minimum）」 / “minimum”: the friendly name, and the raw key for the JSON view. */
function setting(kw: string, locale: Locale): string {
  // `kw` comes from the admin's definition: `constructor` must not read Object.prototype.
  const s = hasOwn(SETTINGS, kw) ? SETTINGS[kw] : undefined;
  if (locale === 'en') return s && s.en !== kw ? `${s.en} (${kw})` : kw;
  return s ? `${s.zh}（${kw}）` : kw;
}

const decode = (seg: string) => seg.replace(/~1/g, '/').replace(/~0/g, '~');
const pointer = (...segs: (string | number)[]) =>
  segs.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');

class Messages {
  constructor(
    readonly def: Record<string, unknown>,
    readonly locale: Locale,
  ) {}

  m(zh: string, en: string): string {
    return say(this.locale, { zh, en });
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
    return this.locale === 'en' ? `“${s}”` : `「${s}」`;
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
        message: m(`字段标识${q(key)}是保留名称，请换一个`, `Field key ${q(key)} is a reserved name; choose another`),
      };
    }
    return {
      path: pointer('properties', key),
      field: key,
      message: m(
        `字段标识${q(key)}无效：须以英文字母开头，只能包含字母、数字和下划线，最长 63 个字符`,
        `Field key ${q(key)} is invalid: it must start with a letter and contain only letters, digits and underscores (at most 63 characters)`,
      ),
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
      if (e.keyword === 'type') return at(m(`字段${f}的定义必须是一个对象`, `Field ${f} must be an object`));
      if (e.keyword === 'required') {
        const missing = String(params.missingProperty);
        const path = e.instancePath + pointer(missing);
        if (missing === 'title') return at(m(`字段${q(key)}缺少标题`, `Field ${q(key)} has no title`), path);
        if (missing === 'enum' || missing === 'items') {
          return at(m(`字段${f}至少需要一个选项`, `Field ${f} needs at least one option`), path);
        }
        return at(m(`字段${f}缺少设置：${setting(missing, t.locale)}`, `Field ${f} is missing its ${setting(missing, t.locale)}`), path);
      }
      if (e.keyword === 'unevaluatedProperties' || e.keyword === 'additionalProperties') {
        const extra = String(params.unevaluatedProperty ?? params.additionalProperty);
        const kind = t.kindOf(key);
        const kindZh = kind ? `（${fieldKindLabel(kind, 'zh-CN')}）` : '';
        const kindEn = kind ? ` (${fieldKindLabel(kind, 'en')})` : '';
        return at(
          m(`字段${f}${kindZh}不支持设置${q(extra)}`, `Field ${f}${kindEn} does not support the setting ${q(extra)}`),
          e.instancePath + pointer(extra),
        );
      }
    }

    if (kw === 'x-widget' && e.keyword === 'enum') {
      return at(m(`字段${f}的控件类型${q(String(data))}不受支持`, `Field ${f}: widget type ${q(String(data))} is not supported`));
    }
    if (kw === 'x-mask' && rest.length === 1 && e.keyword === 'enum') {
      return at(m(`字段${f}的脱敏规则${q(String(data))}不受支持`, `Field ${f}: mask rule ${q(String(data))} is not supported`));
    }
    if (kw === 'x-encrypted' && e.keyword === 'const') {
      return at(
        m(
          `负责人字段${f}不能加密存储：按“本人”“本部门”划分的数据范围要读取它`,
          `Owner field ${f} cannot be encrypted: row scopes such as “own” and “department” need to read it`,
        ),
      );
    }
    if ((kw === 'type' || kw === 'format') && rest.length === 1 && e.keyword === 'const') {
      const kind = t.kindOf(key);
      const expected = String(params.allowedValue);
      const kindName = kind ? q(fieldKindLabel(kind, t.locale)) : '';
      return kw === 'type'
        ? at(m(`字段${f}的数据类型应为 ${expected}（控件类型${kindName}）`, `Field ${f}: the data type must be ${expected} for the widget type ${kindName}`))
        : at(m(`字段${f}的格式应为 ${expected}（控件类型${kindName}）`, `Field ${f}: the format must be ${expected} for the widget type ${kindName}`));
    }
    if (kw === 'title' && rest.length === 1) {
      if (e.keyword === 'maxLength') {
        return at(m(`字段${f}的标题不能超过 ${params.limit} 个字符`, `Field ${f}: the title must be at most ${params.limit} characters`));
      }
      return at(m(`字段${q(key)}缺少标题`, `Field ${q(key)} has no title`));
    }
    const options = (kw === 'enum' && rest.length <= 2) || (kw === 'items' && rest[1] === 'enum' && rest.length <= 3);
    if (options) {
      const itemLevel = kw === 'enum' ? rest.length === 2 : rest.length === 3;
      if (!itemLevel && e.keyword === 'uniqueItems') {
        const list = data as unknown[];
        return at(duplicateOption(t, key, String(list[params.j as number])));
      }
      if (!itemLevel && e.keyword === 'minItems') return at(m(`字段${f}至少需要一个选项`, `Field ${f} needs at least one option`));
      if (!itemLevel && e.keyword === 'maxItems') {
        return at(m(`字段${f}最多只能有 ${params.limit} 个选项`, `Field ${f} can have at most ${params.limit} options`));
      }
      if (itemLevel && e.keyword === 'minLength') return at(m(`字段${f}的选项不能为空`, `Field ${f}: options must not be empty`));
      if (itemLevel && e.keyword === 'maxLength') {
        return at(m(`字段${f}的选项不能超过 ${params.limit} 个字符`, `Field ${f}: options must be at most ${params.limit} characters`));
      }
      if (itemLevel && e.keyword === 'type') return at(m(`字段${f}的选项必须是文本`, `Field ${f}: options must be text`));
    }
    if (kw === 'uniqueItems' && e.keyword === 'const') {
      return at(m(`多选字段${f}必须设置为不可重复选择（uniqueItems: true）`, `Multiple-choice field ${f} must have distinct choices (uniqueItems: true)`));
    }
    if (rest.length === 1 && LIMIT_KEYWORDS.has(kw)) {
      return at(m(`字段${f}的${SETTINGS[kw].zh}必须是不小于 0 的整数`, `Field ${f}: the ${SETTINGS[kw].en} must be a whole number of at least 0`));
    }
    if (rest.length === 1 && kw === 'multipleOf') {
      return at(m(`字段${f}的步长必须是大于 0 的数字`, `Field ${f}: the step must be a number greater than 0`));
    }
    if (rest.length === 1 && (kw === 'minimum' || kw === 'maximum')) {
      return at(m(`字段${f}的${SETTINGS[kw].zh}必须是数字`, `Field ${f}: the ${SETTINGS[kw].en} must be a number`));
    }
    if (rest.length === 1 && kw === 'pattern') {
      return at(
        m(`字段${f}的格式规则（正则表达式）须为 1 到 500 个字符的文本`, `Field ${f}: the pattern must be text of 1 to 500 characters`),
      );
    }
    if (rest.length === 1 && e.keyword === 'maxLength') {
      return at(
        m(`字段${f}的${setting(kw, t.locale)}不能超过 ${params.limit} 个字符`, `Field ${f}: the ${setting(kw, t.locale)} must be at most ${params.limit} characters`),
      );
    }
    return at(
      kw
        ? m(`字段${f}的设置${setting(kw, t.locale)}无效`, `Field ${f}: the ${setting(kw, t.locale)} setting is invalid`)
        : m(`字段${f}的定义无效`, `Field ${f} is not defined correctly`),
    );
  }

  // Form-level problems.
  const path = e.instancePath;
  if (segs.length === 0) {
    if (e.keyword === 'type') return { path, message: m('表单定义必须是一个 JSON 对象', 'The form definition must be a JSON object') };
    if (e.keyword === 'required') {
      const missing = String(params.missingProperty);
      return {
        path: pointer(missing),
        message: m(`表单定义缺少${setting(missing, t.locale)}`, `The form definition is missing its ${setting(missing, t.locale)}`),
      };
    }
    if (e.keyword === 'additionalProperties') {
      const extra = String(params.additionalProperty);
      return { path: pointer(extra), message: m(`表单定义不支持设置${q(extra)}`, `The form definition does not support the setting ${q(extra)}`) };
    }
  }
  const top = segs[0];
  if ((top === 'x-order' || top === 'required') && segs.length === 1 && e.keyword === 'uniqueItems') {
    const list = data as unknown[];
    const dup = String(list[params.j as number]);
    return top === 'x-order'
      ? { path, field: dup, message: m(`字段顺序（x-order）中${q(dup)}出现了不止一次`, `${q(dup)} appears more than once in the field order (x-order)`) }
      : { path, field: dup, message: m(`必填字段（required）中${q(dup)}出现了不止一次`, `${q(dup)} appears more than once in the required fields`) };
  }
  if ((top === 'x-order' || top === 'required') && segs.length === 2) {
    return {
      path,
      message: m(`${setting(top, t.locale)}中的${q(String(data))}不是有效的字段标识`, `${q(String(data))} in the ${setting(top, t.locale)} is not a valid field key`),
    };
  }
  if (top === 'properties' && e.keyword === 'maxProperties') {
    return { path, message: m(`一个表单最多只能有 ${params.limit} 个字段`, `A form can have at most ${params.limit} fields`) };
  }
  if (top === 'title' && e.keyword === 'maxLength') {
    return { path, message: m(`表单标题不能超过 ${params.limit} 个字符`, `The form title must be at most ${params.limit} characters`) };
  }
  if (top === 'additionalProperties') {
    return {
      path,
      message: m('表单不接受额外的键：additionalProperties 只能为 false', 'A form accepts no extra keys: additionalProperties can only be false'),
    };
  }
  if (top === '$schema') {
    return { path, message: m('只支持 JSON Schema 2020-12（$schema）', 'Only JSON Schema 2020-12 is supported ($schema)') };
  }
  return {
    path,
    message: m(`表单定义中的${setting(top ?? '', t.locale)}无效`, `The form definition's ${setting(top ?? '', t.locale)} is invalid`),
  };
}

function duplicateOption(t: Messages, key: string, option: string): string {
  const f = t.name(key);
  return t.m(`字段${f}的选项${t.q(option)}重复`, `Field ${f}: option ${t.q(option)} appears more than once`);
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
          message: m(`字段${t.name(key)}不在字段顺序（x-order）中`, `Field ${t.name(key)} is missing from the field order (x-order)`),
        });
      }
    }
    order.forEach((key, i) => {
      if (typeof key === 'string' && !hasOwn(props, key)) {
        errors.push({
          path: pointer('x-order', i),
          message: m(`字段顺序（x-order）中的${q(key)}不是本表单的字段`, `${q(key)} in the field order (x-order) is not a field of this form`),
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
          message: m(`必填字段${q(key)}不是本表单的字段`, `Required field ${q(key)} is not a field of this form`),
        });
      }
    });
  }

  // One owner field: it becomes the record's owner column, which row scopes ("own",
  // "department") and row-level security read; two would make ownership ambiguous.
  const owners = keys.filter((k) => isObject(props[k]) && props[k]['x-widget'] === 'owner');
  if (owners.length > 1) {
    const names = owners.map((k) => t.name(k)).join(t.locale === 'en' ? ', ' : '、');
    for (const key of owners.slice(1)) {
      errors.push({
        path: pointer('properties', key, 'x-widget'),
        field: key,
        message: m(
          `一个表单最多只能有一个负责人字段，现在有 ${owners.length} 个：${names}`,
          `A form can have at most one owner field; it has ${owners.length}: ${names}`,
        ),
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
            m(
              `字段${f}的格式规则使用了不支持的写法（反向引用如 \\1、\\k<名称>，或前后查找如 (?=…)、(?<=…)）：这类规则可能让校验耗时极长，请改用不含这些写法的规则`,
              `Field ${f}: the pattern uses unsupported syntax (backreferences such as \\1 or \\k<name>, or lookaround such as (?=…) or (?<=…)), which can make validation take extremely long; rewrite it without them`,
            ),
          );
        } else {
          at('pattern', m(`字段${f}的格式规则不是有效的正则表达式`, `Field ${f}: the pattern is not a valid regular expression`));
        }
      }
    }
    const greater = (lo: string, hi: string) =>
      typeof field[lo] === 'number' && typeof field[hi] === 'number' && (field[lo] as number) > (field[hi] as number);
    if (greater('minLength', 'maxLength')) {
      at('minLength', m(`字段${f}的最小长度大于最大长度`, `Field ${f}: minimum length is greater than maximum length`));
    }
    if (greater('minimum', 'maximum')) {
      at('minimum', m(`字段${f}的最小值大于最大值`, `Field ${f}: minimum is greater than maximum`));
    }
    if (greater('minItems', 'maxItems')) {
      at('minItems', m(`字段${f}的最少选择数大于最多选择数`, `Field ${f}: the minimum number of choices is greater than the maximum`));
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
          m(
            `字段${f}要求至少选择 ${field.minItems} 项，但只有 ${seen.size} 个选项`,
            `Field ${f} requires at least ${field.minItems} choices but has only ${seen.size} options`,
          ),
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
    return [{ path: '', message: t.m(`表单定义无法编译：${detail}`, `The form definition cannot be compiled: ${detail}`) }];
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
      message: t.m(`字段${f}的默认值不符合该字段自身的设置`, `Field ${f}: the default value does not satisfy the field's own settings`),
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
