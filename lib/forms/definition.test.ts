import { describe, it, expect } from 'vitest';
import template from '../../schemas/templates/customer-management.json';
import metaSchema from '../../schemas/form.schema.json';
import { CUSTOM_MASK_LIMITS, isCustomMask, MASK_CHAR_PATTERN } from '@/lib/masking';
import { fieldsOf, isSafeFieldKey, MASK_RULES, recordSchemaOf, RESERVED_FIELD_KEYS, validateDefinition, type DefinitionError, type FormDefinition } from './definition';

/** The brief's example form, fresh for each test so mutations do not leak. */
const customer = (): Record<string, any> => ({
  type: 'object',
  title: '客户',
  'x-order': ['name', 'phone', 'idNo'],
  required: ['name', 'phone'],
  properties: {
    name: { type: 'string', title: '客户名称', maxLength: 100, 'x-widget': 'text', description: 'help text shown under the field' },
    phone: { type: 'string', title: '手机号', format: 'cn-mobile', 'x-widget': 'phone', 'x-encrypted': true, 'x-mask': 'phone' },
    idNo: { type: 'string', title: '身份证号', format: 'cn-id-card', 'x-widget': 'id-card', 'x-encrypted': true, 'x-mask': 'id-card' },
  },
});

/** Adds a field, listing it in x-order. */
function withField(key: string, field: Record<string, unknown>, def = customer()) {
  def.properties[key] = field;
  def['x-order'].push(key);
  return def;
}

function errorsOf(def: unknown, locale: 'zh-CN' | 'en' = 'zh-CN'): DefinitionError[] {
  const result = validateDefinition(def, locale);
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.errors;
}

const messages = (def: unknown, locale: 'zh-CN' | 'en' = 'zh-CN') => errorsOf(def, locale).map((e) => e.message);

describe('validateDefinition: valid definitions', () => {
  it('accepts the example form and returns it', () => {
    const def = customer();
    const result = validateDefinition(def, 'zh-CN');
    expect(result).toEqual({ ok: true, definition: def });
  });

  it('accepts every kind with its optional settings', () => {
    const def = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://formwarden.dev/forms/demo',
      type: 'object',
      title: '全部类型',
      description: '演示',
      additionalProperties: false,
      'x-order': ['t', 'ta', 'n', 'd', 'dt', 's', 'ms', 'cb', 'ph', 'em', 'id', 'bc', 'ad', 'ow'],
      required: ['t'],
      properties: {
        t: { type: 'string', title: '文本', minLength: 1, maxLength: 10, pattern: '^[A-Z]', 'x-widget': 'text', 'x-placeholder': '大写开头', default: 'Abc' },
        ta: { type: 'string', title: '备注', maxLength: 2000, 'x-widget': 'textarea', 'x-mask': 'all' },
        n: { type: 'number', title: '金额', minimum: 0, maximum: 1e6, multipleOf: 0.01, 'x-widget': 'number', default: 9.99 },
        d: { type: 'string', title: '日期', format: 'date', 'x-widget': 'date', default: '2024-01-31' },
        dt: { type: 'string', title: '时间', format: 'date-time', 'x-widget': 'datetime' },
        s: { type: 'string', title: '级别', enum: ['VIP', 'A', 'B'], 'x-widget': 'select', default: 'A' },
        ms: { type: 'array', title: '标签', items: { type: 'string', enum: ['x', 'y', 'z'] }, uniqueItems: true, minItems: 1, maxItems: 2, 'x-widget': 'multiselect', default: ['x'] },
        cb: { type: 'boolean', title: '同意', 'x-widget': 'checkbox', default: false },
        ph: { type: 'string', title: '手机', format: 'cn-mobile', 'x-widget': 'phone', 'x-encrypted': true, 'x-mask': 'phone' },
        em: { type: 'string', title: '邮箱', format: 'email', maxLength: 100, 'x-widget': 'email', 'x-mask': 'email' },
        id: { type: 'string', title: '证件', format: 'cn-id-card', 'x-widget': 'id-card', 'x-encrypted': true },
        bc: { type: 'string', title: '卡号', format: 'bank-card', 'x-widget': 'bank-card', 'x-mask': 'bank-card' },
        ad: { type: 'string', title: '地址', maxLength: 200, 'x-widget': 'address', 'x-mask': 'address' },
        ow: { type: 'string', title: '负责人', format: 'uuid', 'x-widget': 'owner' },
      },
    };
    const result = validateDefinition(def, 'zh-CN');
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('accepts the forms of the shipped templates', () => {
    for (const form of template.forms) {
      const result = validateDefinition(form.schema, 'zh-CN');
      expect(result.ok ? [] : result.errors, form.name).toEqual([]);
    }
  });

  it('accepts an empty form (the builder starts from one)', () => {
    expect(validateDefinition({ type: 'object', 'x-order': [], properties: {} }, 'en').ok).toBe(true);
  });
});

describe('validateDefinition: what the meta-schema refuses', () => {
  it('refuses non-objects and a missing x-order', () => {
    expect(messages(null)).toEqual(['表单定义必须是一个 JSON 对象']);
    expect(messages([], 'en')).toEqual(['The form definition must be a JSON object']);
    const def = customer();
    delete def['x-order'];
    expect(errorsOf(def)).toEqual([{ path: '/x-order', message: '表单定义缺少字段顺序（x-order）' }]);
  });

  it('refuses unknown keywords in a field, naming the field by its title', () => {
    const def = customer();
    def.properties.name.minimum = 1;
    expect(errorsOf(def)).toEqual([
      { path: '/properties/name/minimum', field: 'name', message: '字段「客户名称」（单行文本）不支持设置「minimum」' },
    ]);
    expect(messages(def, 'en')).toEqual(['Field “客户名称” (Text) does not support the setting “minimum”']);
    const typo = customer();
    typo.properties.phone['x-encrpyted'] = true;
    expect(messages(typo)).toEqual(['字段「手机号」（手机号）不支持设置「x-encrpyted」']);
  });

  it('refuses an unknown x-widget and a missing one', () => {
    const def = customer();
    def.properties.name['x-widget'] = 'rich-text';
    expect(errorsOf(def)).toEqual([
      { path: '/properties/name/x-widget', field: 'name', message: '字段「客户名称」的控件类型「rich-text」不受支持' },
    ]);
    const missing = customer();
    delete missing.properties.name['x-widget'];
    expect(messages(missing, 'en')).toEqual(['Field “客户名称” is missing its widget type (x-widget)']);
  });

  it('refuses a type or format that does not fit the widget', () => {
    const def = customer();
    def.properties.name.type = 'number';
    def.properties.phone.format = 'email';
    expect(messages(def)).toEqual([
      '字段「客户名称」的数据类型应为 string（控件类型「单行文本」）',
      '字段「手机号」的格式应为 cn-mobile（控件类型「手机号」）',
    ]);
    const noFormat = customer();
    delete noFormat.properties.idNo.format;
    expect(errorsOf(noFormat)[0]).toMatchObject({ path: '/properties/idNo/format', field: 'idNo' });
  });

  it('refuses missing, empty and blank titles, naming the field by its key', () => {
    for (const title of [undefined, '', '   ']) {
      const def = customer();
      if (title === undefined) delete def.properties.name.title;
      else def.properties.name.title = title;
      expect(messages(def)).toEqual(['字段「name」缺少标题']);
    }
    const long = customer();
    long.properties.name.title = '长'.repeat(101);
    expect(messages(long)[0]).toMatch(/标题不能超过 100 个字符/);
  });

  it('refuses invalid field keys', () => {
    for (const key of ['1abc', 'a-b', '_x', 'a'.repeat(64), '名称']) {
      const def = withField(key, { type: 'string', title: '坏字段', 'x-widget': 'text' });
      const errors = errorsOf(def);
      expect(errors.some((e) => e.path === `/properties/${key}` && e.message.startsWith(`字段标识「${key}」无效`)), key).toBe(true);
    }
    expect(validateDefinition(withField('a'.repeat(63), { type: 'string', title: '长标识', 'x-widget': 'text' }), 'zh-CN').ok).toBe(true);
  });

  it('refuses extra root settings and additionalProperties other than false', () => {
    const def = customer();
    def.owner = 'me';
    def.additionalProperties = true;
    expect(errorsOf(def)).toEqual([
      { path: '/owner', message: '表单定义不支持设置「owner」' },
      { path: '/additionalProperties', message: '表单不接受额外的键：additionalProperties 只能为 false' },
    ]);
  });

  it('refuses choices without options, and empty or duplicate options', () => {
    expect(messages(withField('level', { type: 'string', title: '级别', 'x-widget': 'select' }))).toEqual(['字段「级别」至少需要一个选项']);
    expect(messages(withField('level', { type: 'string', title: '级别', enum: [], 'x-widget': 'select' }))).toEqual(['字段「级别」至少需要一个选项']);
    expect(messages(withField('level', { type: 'string', title: '级别', enum: ['A', ''], 'x-widget': 'select' }))).toEqual(['字段「级别」的选项不能为空']);
    expect(messages(withField('level', { type: 'string', title: '级别', enum: ['A', 'B', 'A'], 'x-widget': 'select' }))).toEqual(['字段「级别」的选项「A」重复']);
    expect(
      messages(withField('tags', { type: 'array', title: '标签', items: { type: 'string', enum: ['x', 'x'] }, uniqueItems: true, 'x-widget': 'multiselect' }), 'en'),
    ).toEqual(['Field “标签”: option “x” appears more than once']);
    expect(
      messages(withField('tags', { type: 'array', title: '标签', items: { type: 'string', enum: ['x'] }, uniqueItems: false, 'x-widget': 'multiselect' })),
    ).toEqual(['多选字段「标签」必须设置为不可重复选择（uniqueItems: true）']);
  });

  it('refuses bad limits and an unknown mask rule', () => {
    const def = customer();
    def.properties.name.maxLength = -1;
    def.properties.phone['x-mask'] = 'half';
    expect(messages(def)).toEqual(['字段「客户名称」的最大长度必须是不小于 0 的整数', '字段「手机号」的脱敏规则「half」不受支持']);
    const step = withField('amount', { type: 'number', title: '金额', multipleOf: 0, 'x-widget': 'number' });
    expect(messages(step, 'en')).toEqual(['Field “金额”: the step must be a number greater than 0']);
  });

  it('refuses an encrypted owner field: row scopes must read it', () => {
    const def = withField('owner', { type: 'string', title: '负责人', 'x-widget': 'owner', 'x-encrypted': true });
    expect(errorsOf(def)).toEqual([
      { path: '/properties/owner/x-encrypted', field: 'owner', message: '负责人字段「负责人」不能加密存储：按“本人”“本部门”划分的数据范围要读取它' },
    ]);
  });
});

describe('validateDefinition: rules beyond the meta-schema', () => {
  it('wants x-order to list exactly the property keys', () => {
    const def = customer();
    def['x-order'] = ['name', 'phone', 'ghost'];
    expect(errorsOf(def)).toEqual([
      { path: '/x-order', field: 'idNo', message: '字段「身份证号」不在字段顺序（x-order）中' },
      { path: '/x-order/2', message: '字段顺序（x-order）中的「ghost」不是本表单的字段' },
    ]);
    expect(messages(def, 'en')).toEqual([
      'Field “身份证号” is missing from the field order (x-order)',
      '“ghost” in the field order (x-order) is not a field of this form',
    ]);
    const dup = customer();
    dup['x-order'].push('name');
    expect(messages(dup)).toEqual(['字段顺序（x-order）中「name」出现了不止一次']);
  });

  it('wants required keys to be fields', () => {
    const def = customer();
    def.required = ['name', 'mobile'];
    expect(errorsOf(def)).toEqual([{ path: '/required/1', message: '必填字段「mobile」不是本表单的字段' }]);
  });

  it('wants patterns that compile as unicode JavaScript regular expressions', () => {
    const def = customer();
    def.properties.name.pattern = '([a-z]';
    expect(errorsOf(def)).toEqual([
      { path: '/properties/name/pattern', field: 'name', message: '字段「客户名称」的格式规则不是有效的正则表达式' },
    ]);
    // Valid without the u flag, invalid with it (ajv compiles with u).
    def.properties.name.pattern = '^a\\-b$';
    expect(messages(def, 'en')).toEqual(['Field “客户名称”: the pattern is not a valid regular expression']);
    def.properties.name.pattern = '^\\p{Script=Han}+$';
    expect(validateDefinition(def, 'zh-CN').ok).toBe(true);
  });

  it('wants minimums not above maximums', () => {
    const def = customer();
    def.properties.name.minLength = 101;
    expect(messages(def)).toEqual(['字段「客户名称」的最小长度大于最大长度']);
    expect(messages(def, 'en')).toEqual(['Field “客户名称”: minimum length is greater than maximum length']);
    def.properties.name.minLength = 100; // equal is fine
    expect(validateDefinition(def, 'zh-CN').ok).toBe(true);

    const num = withField('age', { type: 'number', title: '年龄', minimum: 18, maximum: 17, 'x-widget': 'number' });
    expect(errorsOf(num)).toEqual([{ path: '/properties/age/minimum', field: 'age', message: '字段「年龄」的最小值大于最大值' }]);
    expect(messages(num, 'en')).toEqual(['Field “年龄”: minimum is greater than maximum']);

    const multi = withField('tags', {
      type: 'array', title: '标签', items: { type: 'string', enum: ['a', 'b', 'c'] }, uniqueItems: true, minItems: 3, maxItems: 2, 'x-widget': 'multiselect',
    });
    expect(messages(multi)).toEqual(['字段「标签」的最少选择数大于最多选择数']);
    multi.properties.tags.maxItems = 5;
    multi.properties.tags.minItems = 4;
    expect(messages(multi)).toEqual(['字段「标签」要求至少选择 4 项，但只有 3 个选项']);
  });

  it('wants defaults that satisfy their own field', () => {
    const cases: [Record<string, unknown>, boolean][] = [
      [{ type: 'string', title: '级别', enum: ['A', 'B'], 'x-widget': 'select', default: 'C' }, false],
      [{ type: 'string', title: '级别', enum: ['A', 'B'], 'x-widget': 'select', default: 'B' }, true],
      [{ type: 'string', title: '电话', format: 'cn-mobile', 'x-widget': 'phone', default: '12345' }, false],
      [{ type: 'string', title: '简称', maxLength: 2, 'x-widget': 'text', default: '太长了' }, false],
      [{ type: 'number', title: '数量', 'x-widget': 'number', default: '5' }, false],
      [{ type: 'number', title: '数量', 'x-widget': 'number', default: 5 }, true],
      [{ type: 'array', title: '标签', items: { type: 'string', enum: ['x'] }, uniqueItems: true, 'x-widget': 'multiselect', default: ['x', 'x'] }, false],
    ];
    for (const [field, ok] of cases) {
      const result = validateDefinition(withField('extra', field), 'zh-CN');
      expect(result.ok, JSON.stringify(field)).toBe(ok);
      if (!result.ok) {
        expect(result.errors).toEqual([
          { path: '/properties/extra/default', field: 'extra', message: `字段「${field.title}」的默认值不符合该字段自身的设置` },
        ]);
      }
    }
  });

  it('allows at most one owner field', () => {
    const def = withField('owner', { type: 'string', title: '负责人', 'x-widget': 'owner' });
    expect(validateDefinition(def, 'zh-CN').ok).toBe(true);
    withField('helper', { type: 'string', title: '协办人', 'x-widget': 'owner' }, def);
    expect(errorsOf(def)).toEqual([
      { path: '/properties/helper/x-widget', field: 'helper', message: '一个表单最多只能有一个负责人字段，现在有 2 个：「负责人」、「协办人」' },
    ]);
    expect(messages(def, 'en')).toEqual(['A form can have at most one owner field; it has 2: “负责人”, “协办人”']);
  });

  it('reports all problems at once', () => {
    const def = customer();
    def.properties.name.minLength = 200;
    def.required.push('ghost');
    def.properties.phone.foo = 1;
    expect(errorsOf(def).map((e) => e.path).sort()).toEqual(['/properties/name/minLength', '/properties/phone/foo', '/required/2']);
  });
});

describe('fieldsOf', () => {
  it('follows x-order, not property order, with kinds and required flags', () => {
    const def = customer() as FormDefinition;
    def['x-order'] = ['idNo', 'name', 'phone'];
    expect(fieldsOf(def).map((f) => [f.key, f.kind, f.required])).toEqual([
      ['idNo', 'id-card', false],
      ['name', 'text', true],
      ['phone', 'phone', true],
    ]);
    expect(fieldsOf(def)[0].schema).toBe(def.properties.idNo);
  });

  it('tolerates an unvalidated definition', () => {
    const def = customer() as FormDefinition;
    def['x-order'] = ['phone', 'ghost', 'phone'];
    expect(fieldsOf(def).map((f) => f.key)).toEqual(['phone', 'name', 'idNo']);
    expect(fieldsOf({} as FormDefinition)).toEqual([]);
  });
});

describe('recordSchemaOf', () => {
  it('keeps only fields and existing required keys, and closes the object', () => {
    const def = customer() as FormDefinition;
    def.$id = 'https://formwarden.dev/forms/x';
    def.required = ['name', 'ghost'];
    const schema = recordSchemaOf(def);
    expect(schema).toEqual({
      type: 'object',
      properties: def.properties,
      required: ['name'],
      additionalProperties: false,
    });
  });
});

describe('validateDefinition: patterns must run in linear time', () => {
  it('refuses backreferences and lookaround with a clear reason, in both languages', () => {
    for (const pattern of ['^(\\d)\\1$', '^(?<d>\\d)\\k<d>$', '^(?=1)\\d+$', '^(?<!0)\\d$']) {
      const def = customer();
      def.properties.name.pattern = pattern;
      const [error, ...rest] = errorsOf(def);
      expect(rest).toEqual([]);
      expect(error.path).toBe('/properties/name/pattern');
      expect(error.field).toBe('name');
      expect(error.message).toMatch(/^字段「客户名称」的格式规则使用了不支持的写法（反向引用/);
      expect(messages(def, 'en')[0]).toMatch(/^Field “客户名称”: the pattern uses unsupported syntax \(backreferences/);
    }
  });

  it('accepts the catastrophic-backtracking ^(a+)+$: RE2 runs it in linear time', () => {
    const def = customer();
    def.properties.name.pattern = '^(a+)+$';
    expect(validateDefinition(def, 'zh-CN').ok).toBe(true);
  });
});

describe('validateDefinition: field keys are safe identifiers', () => {
  it('refuses names of Object.prototype and the record columns, naming the key', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'then', 'createdAt']) {
      const def = withField(key, { type: 'string', title: '字段', 'x-widget': 'text' });
      const errors = errorsOf(def);
      expect(errors).toContainEqual({ path: `/properties/${key}`, field: key, message: `字段标识「${key}」是保留名称，请换一个` });
      expect(messages(def, 'en')).toContain(`Field key “${key}” is a reserved name; choose another`);
    }
    // Built as JSON would deliver it: "__proto__" as an own key.
    const def = customer();
    def.properties = JSON.parse('{"__proto__": {"type": "string", "title": "x", "x-widget": "text"}}');
    def['x-order'] = ['__proto__'];
    def.required = [];
    expect(validateDefinition(def, 'zh-CN').ok).toBe(false);
  });

  it('keeps the meta-schema and the code on one list', () => {
    const fieldKey = (metaSchema as unknown as { $defs: { fieldKey: { not: { enum: string[] } } } }).$defs.fieldKey;
    expect([...fieldKey.not.enum].sort()).toEqual([...RESERVED_FIELD_KEYS].sort());
    expect(isSafeFieldKey('customerName')).toBe(true);
    expect(isSafeFieldKey('constructor')).toBe(false);
    expect(isSafeFieldKey('_x')).toBe(false);
  });
});

describe('validateDefinition: custom mask rules', () => {
  const withMask = (mask: unknown) => {
    const def = customer();
    def.properties.phone['x-mask'] = mask;
    return def;
  };

  it('accepts a custom rule within its bounds, with and without a fixed length', () => {
    for (const mask of [
      { keepStart: 3, keepEnd: 4, char: '*' },
      { keepStart: 0, keepEnd: 0, char: '●' },
      { keepStart: 20, keepEnd: 20, char: '#', length: 32 },
      { keepStart: 1, keepEnd: 1, char: '×', length: 1 },
    ]) {
      expect(validateDefinition(withMask(mask), 'zh-CN').ok, JSON.stringify(mask)).toBe(true);
    }
  });

  it('names what is wrong with a custom rule, in the admin language', () => {
    expect(errorsOf(withMask({ keepStart: 21, keepEnd: 4, char: '*' }))).toEqual([
      { path: '/properties/phone/x-mask/keepStart', field: 'phone', message: '字段「手机号」的自定义脱敏规则中，保留开头字符数（keepStart）须为 0 到 20 的整数' },
    ]);
    expect(messages(withMask({ keepStart: 1.5, keepEnd: -1, char: '*' }), 'en')).toEqual([
      'Field “手机号”: in the custom mask rule, characters kept at the start (keepStart) must be a whole number from 0 to 20',
      'Field “手机号”: in the custom mask rule, characters kept at the end (keepEnd) must be a whole number from 0 to 20',
    ]);
    expect(messages(withMask({ keepStart: 1, keepEnd: 1, char: '*', length: 0 }))).toEqual([
      '字段「手机号」的自定义脱敏规则中，固定遮盖长度（length）须为 1 到 32 的整数',
    ]);
    expect(messages(withMask({ keepStart: 1, keepEnd: 1, char: '*', length: 33 }))).toEqual([
      '字段「手机号」的自定义脱敏规则中，固定遮盖长度（length）须为 1 到 32 的整数',
    ]);
    expect(messages(withMask({ keepStart: 1, keepEnd: 1 }))).toEqual(['字段「手机号」的自定义脱敏规则缺少设置：遮盖字符（char）']);
    expect(messages(withMask({ keepStart: 1, keepEnd: 1, char: '*', reveal: true }))).toEqual(['字段「手机号」的自定义脱敏规则不支持设置「reveal」']);
    expect(messages(withMask(5))).toEqual(['字段「手机号」的脱敏规则「5」不受支持']);
    expect(messages(withMask(['phone']))).toEqual(['字段「手机号」的脱敏规则「["phone"]」不受支持']);
  });

  it('wants the mask character to be one symbol: not a letter, digit, space or two characters', () => {
    for (const char of ['a', '张', '7', ' ', '', '**', '😀😀', '\u0000']) {
      expect(messages(withMask({ keepStart: 1, keepEnd: 1, char })), JSON.stringify(char)).toEqual([
        '字段「手机号」的自定义脱敏规则中，遮盖字符（char）须为一个符号（如 * 或 ●），不能是字母、数字或空格',
      ]);
    }
    // One code point outside the BMP is one character, as in the code (RE2 in the meta-schema).
    for (const char of ['*', '#', '●', '•', '×', '-', '😀', '■']) {
      expect(validateDefinition(withMask({ keepStart: 1, keepEnd: 1, char }), 'zh-CN').ok, char).toBe(true);
    }
  });

  it('keeps the meta-schema and lib/masking on one vocabulary', () => {
    const field = metaSchema.$defs.commonField.properties['x-mask'];
    expect(field.then.enum).toEqual([...MASK_RULES]);
    const custom = metaSchema.$defs.customMask;
    expect(custom.properties.keepStart).toMatchObject({ minimum: CUSTOM_MASK_LIMITS.keep.min, maximum: CUSTOM_MASK_LIMITS.keep.max });
    expect(custom.properties.keepEnd).toMatchObject({ minimum: CUSTOM_MASK_LIMITS.keep.min, maximum: CUSTOM_MASK_LIMITS.keep.max });
    expect(custom.properties.length).toMatchObject({ minimum: CUSTOM_MASK_LIMITS.length.min, maximum: CUSTOM_MASK_LIMITS.length.max });
    expect(custom.properties.char.pattern).toBe(MASK_CHAR_PATTERN.source);
  });

  it('agrees with isCustomMask, which maskValue trusts', () => {
    const candidates: unknown[] = [
      { keepStart: 3, keepEnd: 4, char: '*' },
      { keepStart: 3, keepEnd: 4, char: '*', length: 6 },
      { keepStart: 3, keepEnd: 4, char: 'x' },
      { keepStart: 3, keepEnd: 4, char: '😀' },
      { keepStart: 3, keepEnd: 4, char: '**' },
      { keepStart: 3, keepEnd: 21, char: '*' },
      { keepStart: 3, keepEnd: 4, char: '*', length: 0 },
      { keepStart: 3, keepEnd: 4, char: '*', extra: 1 },
      { keepStart: 3, char: '*' },
      { keepStart: '3', keepEnd: 4, char: '*' },
    ];
    for (const mask of candidates) {
      expect(validateDefinition(withMask(mask), 'zh-CN').ok, JSON.stringify(mask)).toBe(isCustomMask(mask));
    }
  });
});

describe('recordSchemaOf: owner values are UUIDs', () => {
  it('adds the uuid format to an owner field that does not state it', () => {
    const def = withField('owner', { type: 'string', title: '负责人', 'x-widget': 'owner' });
    expect(validateDefinition(def, 'zh-CN').ok).toBe(true);
    expect((recordSchemaOf(def as FormDefinition).properties as Record<string, { format?: string }>).owner.format).toBe('uuid');
  });
});
