import { describe, it, expect } from 'vitest';
import template from '../../schemas/templates/customer-management.json';
import { generateCustomers } from '@/lib/examples/fake-customers';
import { validateDefinition, type FormDefinition } from './definition';
import { idCardCheckDigit } from './cn-formats';
import {
  RECORD_VALIDATOR_CACHE_SIZE,
  compileRecordValidator,
  getRecordValidator,
  normalizeValues,
  type RecordValidationResult,
} from './record-validator';

// Generated test identities, not real people's.
const ID17 = '33010619850716241';
const ID_CARD = ID17 + idCardCheckDigit(ID17);
const ID_X17 = (() => {
  // The first generated sequence number whose check character is X, so lowercase x can be tested.
  for (let seq = 0; seq < 1000; seq++) {
    const first17 = `44030519920311${String(seq).padStart(3, '0')}`;
    if (idCardCheckDigit(first17) === 'X') return first17;
  }
  throw new Error('no X check digit found');
})();
/** Appends the Luhn check digit (from the right, every second digit doubled). */
function luhnAppend(payload: string): string {
  let sum = 0;
  [...payload].reverse().forEach((ch, i) => {
    const d = Number(ch) * (i % 2 === 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return payload + String((10 - (sum % 10)) % 10);
}
const BANK_CARD = luhnAppend('622202123456789012'); // 19 digits
const BAD_CARD = BANK_CARD.slice(0, -1) + String((Number(BANK_CARD.slice(-1)) + 1) % 10);
const OWNER_ID = '6f1c2a0e-3b7d-4c59-9a1e-2d4b8c7f0a13';

const def: FormDefinition = {
  type: 'object',
  title: '客户',
  'x-order': ['name', 'phone', 'idNo', 'card', 'email', 'level', 'tags', 'amount', 'birthday', 'visitAt', 'vip', 'notes', 'owner'],
  required: ['name', 'phone', 'level'],
  properties: {
    name: { type: 'string', title: '客户名称', minLength: 2, maxLength: 100, 'x-widget': 'text' },
    phone: { type: 'string', title: '手机号', format: 'cn-mobile', 'x-widget': 'phone', 'x-encrypted': true, 'x-mask': 'phone' },
    idNo: { type: 'string', title: '身份证号', format: 'cn-id-card', 'x-widget': 'id-card', 'x-encrypted': true, 'x-mask': 'id-card' },
    card: { type: 'string', title: '银行卡号', format: 'bank-card', 'x-widget': 'bank-card', 'x-encrypted': true, 'x-mask': 'bank-card' },
    email: { type: 'string', title: '邮箱', format: 'email', 'x-widget': 'email' },
    level: { type: 'string', title: '级别', enum: ['VIP', 'A', 'B'], 'x-widget': 'select' },
    tags: { type: 'array', title: '标签', items: { type: 'string', enum: ['老客户', '转介绍', '展会'] }, uniqueItems: true, minItems: 1, maxItems: 2, 'x-widget': 'multiselect' },
    amount: { type: 'number', title: '金额', minimum: 0, maximum: 1000, multipleOf: 0.01, 'x-widget': 'number' },
    birthday: { type: 'string', title: '生日', format: 'date', 'x-widget': 'date' },
    visitAt: { type: 'string', title: '拜访时间', format: 'date-time', 'x-widget': 'datetime' },
    vip: { type: 'boolean', title: '重点客户', 'x-widget': 'checkbox' },
    notes: { type: 'string', title: '备注', pattern: '^[^<>]*$', maxLength: 20, 'x-widget': 'textarea' },
    owner: { type: 'string', title: '负责人', format: 'uuid', 'x-widget': 'owner' },
  },
};

const valid = {
  name: '杭州瑞丰科技有限公司',
  phone: '13912345678',
  idNo: ID_CARD,
  card: BANK_CARD,
  email: 'wang.li@example.com',
  level: 'VIP',
  tags: ['老客户'],
  amount: 12.5,
  birthday: '1985-07-16',
  visitAt: '2024-03-12T10:30:00+08:00',
  vip: true,
  notes: '电话回访',
  owner: OWNER_ID,
};

const validate = compileRecordValidator(def);

function errorsOf(result: RecordValidationResult): Record<string, string> {
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('test fixtures', () => {
  it('are themselves valid', () => {
    expect(validateDefinition(def, 'zh-CN')).toMatchObject({ ok: true });
    expect(idCardCheckDigit(ID_X17)).toBe('X');
  });
});

describe('normalizeValues', () => {
  it('keeps only fields, drops empties, trims strings', () => {
    expect(
      normalizeValues(def, {
        name: '  杭州瑞丰  ',
        notes: '   ',
        email: '',
        idNo: null,
        card: undefined,
        tags: [],
        vip: false,
        amount: 0,
        id: 'rec-1',
        __proto__x: 1,
      }),
    ).toEqual({ name: '杭州瑞丰', vip: false, amount: 0 });
  });

  it('strips separators from mobile and bank card numbers, and +86', () => {
    expect(normalizeValues(def, { phone: ' 139-1234 5678 ', card: `${BANK_CARD.slice(0, 4)} ${BANK_CARD.slice(4, 8)}-${BANK_CARD.slice(8)}` })).toEqual({ phone: '13912345678', card: BANK_CARD });
    expect(normalizeValues(def, { phone: '+86 139 1234 5678' }).phone).toBe('13912345678');
    expect(normalizeValues(def, { phone: '0086-13912345678' }).phone).toBe('13912345678');
    expect(normalizeValues(def, { phone: '8613912345678' }).phone).toBe('13912345678');
    // Not a mainland mobile after +86: left as typed, for the validator to refuse.
    expect(normalizeValues(def, { phone: '+86 21 1234 5678' }).phone).toBe('+862112345678');
  });

  it('uppercases a trailing x in ID card numbers only', () => {
    expect(normalizeValues(def, { idNo: ` ${ID_X17}x ` }).idNo).toBe(`${ID_X17}X`);
    expect(normalizeValues(def, { name: 'max' }).name).toBe('max');
  });

  it('turns number strings into numbers, and NaN into nothing', () => {
    expect(normalizeValues(def, { amount: ' 12.50 ' }).amount).toBe(12.5);
    expect(normalizeValues(def, { amount: '-3' }).amount).toBe(-3);
    expect(normalizeValues(def, { amount: '12元' }).amount).toBe('12元');
    expect(normalizeValues(def, { amount: Number.NaN })).toEqual({});
  });

  it('trims list items and drops empty ones', () => {
    expect(normalizeValues(def, { tags: [' 老客户 ', '', null] }).tags).toEqual(['老客户']);
    expect(normalizeValues(def, { tags: ['  '] })).toEqual({});
  });

  it('is idempotent and ignores non-objects', () => {
    const once = normalizeValues(def, { ...valid, phone: '139 1234 5678', name: ' x ' });
    expect(normalizeValues(def, once)).toEqual(once);
    expect(normalizeValues(def, null)).toEqual({});
    expect(normalizeValues(def, ['a'])).toEqual({});
  });
});

describe('compileRecordValidator', () => {
  it('accepts a valid record and returns normalised values', () => {
    expect(validate(valid, 'zh-CN')).toEqual({ ok: true, values: valid });
    const result = validate({ ...valid, phone: '139 1234 5678', idNo: ID_X17 + 'x', email: '' }, 'zh-CN');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.values.phone).toBe('13912345678');
      expect(result.values.idNo).toBe(ID_X17 + 'X');
      expect('email' in result.values).toBe(false);
    }
  });

  it('asks for required fields in Chinese and English', () => {
    expect(errorsOf(validate({ name: '  ', phone: '' }, 'zh-CN'))).toEqual({ name: '请填写此项', phone: '请填写此项', level: '请选择此项' });
    expect(errorsOf(validate({}, 'en'))).toEqual({ name: 'This field is required', phone: 'This field is required', level: 'Please make a choice' });
  });

  it('explains format errors', () => {
    const zh = errorsOf(validate({ ...valid, phone: '1391234567', idNo: ID17 + (ID_CARD.endsWith('0') ? '1' : '0'), card: BAD_CARD, email: 'wang@', birthday: '1985-02-30', visitAt: '2024-03-12 10:30', owner: 'sales1' }, 'zh-CN'));
    expect(zh).toEqual({
      phone: '请输入 11 位中国大陆手机号',
      idNo: '请输入有效的 18 位居民身份证号码',
      card: '请输入有效的银行卡号（12–19 位数字）',
      email: '请输入有效的电子邮箱地址',
      birthday: '请输入有效日期，如 2024-01-31',
      visitAt: '请输入有效的日期和时间',
      owner: '请选择有效的用户',
    });
    const en = errorsOf(validate({ ...valid, phone: '23912345678' }, 'en'));
    expect(en).toEqual({ phone: 'Enter an 11-digit mainland China mobile number' });
  });

  it('interpolates limits', () => {
    expect(errorsOf(validate({ ...valid, name: '杭'.repeat(101) }, 'zh-CN'))).toEqual({ name: '不能超过 100 个字符' });
    expect(errorsOf(validate({ ...valid, name: '杭'.repeat(101) }, 'en'))).toEqual({ name: 'At most 100 characters' });
    expect(errorsOf(validate({ ...valid, name: '杭' }, 'zh-CN'))).toEqual({ name: '至少需要 2 个字符' });
    expect(errorsOf(validate({ ...valid, name: '杭' }, 'en'))).toEqual({ name: 'At least 2 characters' });
    expect(errorsOf(validate({ ...valid, amount: -1 }, 'zh-CN'))).toEqual({ amount: '不能小于 0' });
    expect(errorsOf(validate({ ...valid, amount: 1000.5 }, 'en'))).toEqual({ amount: 'Must be at most 1000' });
    expect(errorsOf(validate({ ...valid, amount: 1.005 }, 'zh-CN'))).toEqual({ amount: '必须是 0.01 的整数倍' });
    expect(errorsOf(validate({ ...valid, tags: ['老客户', '转介绍', '展会'] }, 'zh-CN'))).toEqual({ tags: '最多选择 2 项' });
    expect(errorsOf(validate({ ...valid, tags: ['老客户', '老客户'] }, 'zh-CN'))).toEqual({ tags: '选项不能重复' });
  });

  it('refuses values outside the options, wrong types and patterns', () => {
    expect(errorsOf(validate({ ...valid, level: 'C', tags: ['竞品'] }, 'zh-CN'))).toEqual({ level: '请从给定选项中选择', tags: '请从给定选项中选择' });
    expect(errorsOf(validate({ ...valid, amount: '12元', vip: 'yes', tags: '老客户', name: 42 }, 'zh-CN'))).toEqual({
      amount: '请输入数字',
      vip: '请选择是或否',
      tags: '请选择一项或多项',
      name: '请输入文本',
    });
    expect(errorsOf(validate({ ...valid, notes: '<script>' }, 'en'))).toEqual({ notes: 'Invalid format' });
  });

  it('refuses keys that are not fields, even empty ones', () => {
    expect(errorsOf(validate({ ...valid, ownerId: OWNER_ID, extra: '' }, 'zh-CN'))).toEqual({ ownerId: '未知字段', extra: '未知字段' });
    expect(errorsOf(validate({ ...valid, ownerId: OWNER_ID }, 'en'))).toEqual({ ownerId: 'Unknown field' });
    const proto = JSON.parse(`{"__proto__": {"admin": true}, "name": "杭州瑞丰"}`);
    const errors = errorsOf(validate(proto, 'zh-CN'));
    expect(Object.keys(errors)).toContain('__proto__');
    expect(errors.__proto__).toBe('未知字段');
  });

  it('refuses names of Object.prototype as unknown fields, by name', () => {
    const input = JSON.parse(`{"constructor": "x", "toString": "y", "hasOwnProperty": 1, "name": "杭州瑞丰"}`);
    expect(errorsOf(validate({ ...valid, ...input }, 'zh-CN'))).toEqual({ constructor: '未知字段', toString: '未知字段', hasOwnProperty: '未知字段' });
  });

  it('refuses an owner value that is no UUID, even when the definition states no format', () => {
    const noFormat = {
      ...def,
      properties: { ...def.properties, owner: { type: 'string', title: '负责人', 'x-widget': 'owner' } },
    } as FormDefinition;
    const check = compileRecordValidator(noFormat);
    expect(check(valid, 'zh-CN').ok).toBe(true);
    for (const owner of ['not-a-uuid', `urn:uuid:${OWNER_ID}`, "' or 1=1 --"]) {
      expect(errorsOf(check({ ...valid, owner }, 'zh-CN'))).toEqual({ owner: '请选择有效的用户' });
    }
  });

  it('refuses every record of a published definition that no longer compiles, with a reason', () => {
    const legacy = { ...def, properties: { ...def.properties, notes: { ...def.properties.notes, pattern: '^(a)\\1$' } } } as FormDefinition;
    expect(compileRecordValidator(legacy)(valid, 'zh-CN')).toEqual({ ok: false, errors: { _: '表单定义中有无法使用的校验规则，请联系管理员修改后重新发布' } });
  });

  it('reports malformed input on the form', () => {
    expect(validate('name=x', 'zh-CN')).toEqual({ ok: false, errors: { _: '表单数据格式不正确' } });
    expect(validate(null, 'en')).toEqual({ ok: false, errors: { _: 'The form data is malformed' } });
  });

  it('closes the record even if the definition says additionalProperties true', () => {
    const loose = { ...def, additionalProperties: true } as unknown as FormDefinition;
    expect(errorsOf(compileRecordValidator(loose)({ ...valid, x: 1 }, 'zh-CN'))).toEqual({ x: '未知字段' });
  });

  it('compiles definitions that carry $id, more than once', () => {
    const withId = { ...def, $id: 'https://formwarden.dev/forms/1', $schema: 'https://json-schema.org/draft/2020-12/schema' } as FormDefinition;
    const a = compileRecordValidator(withId);
    const b = compileRecordValidator(withId);
    expect(a(valid, 'zh-CN').ok).toBe(true);
    expect(b({}, 'zh-CN').ok).toBe(false);
  });
});

describe('the 客户管理 template', () => {
  it('accepts generated customers and refuses them one character off', () => {
    const form = template.forms[0].schema as unknown as FormDefinition;
    const check = compileRecordValidator(form);
    for (const customer of generateCustomers(300, 7)) {
      const result = check({ ...customer, owner: OWNER_ID }, 'zh-CN');
      expect(result.ok ? [] : result.errors, JSON.stringify(customer)).toEqual([]);
      const broken = check({ ...customer, phone: customer.phone.slice(1), idNo: customer.idNo.slice(0, 17) }, 'zh-CN');
      expect(broken.ok ? {} : broken.errors).toEqual({ phone: '请输入 11 位中国大陆手机号', idNo: '请输入有效的 18 位居民身份证号码' });
    }
  });
});

describe('getRecordValidator', () => {
  it('reuses the compiled validator for the same key and definition', () => {
    const a = getRecordValidator('form-a:1', def);
    expect(getRecordValidator('form-a:1', structuredClone(def))).toBe(a);
  });

  it('recompiles when the definition under a key changed', () => {
    const a = getRecordValidator('form-b:draft', def);
    const changed = structuredClone(def);
    changed.properties.name.maxLength = 3;
    const b = getRecordValidator('form-b:draft', changed);
    expect(b).not.toBe(a);
    expect(errorsOf(b(valid, 'zh-CN'))).toEqual({ name: '不能超过 3 个字符' });
  });

  it('keeps a bounded number of validators, evicting the least recently used', () => {
    const small: FormDefinition = { type: 'object', 'x-order': ['a'], properties: { a: { type: 'string', title: 'A', 'x-widget': 'text' } } };
    const first = getRecordValidator('lru:first', small);
    const second = getRecordValidator('lru:second', small);
    for (let i = 0; i < RECORD_VALIDATOR_CACHE_SIZE - 2; i++) getRecordValidator(`lru:${i}`, small);
    // Touch `first`, so `second` is now the oldest; one more entry pushes it out.
    expect(getRecordValidator('lru:first', small)).toBe(first);
    getRecordValidator('lru:one-more', small);
    expect(getRecordValidator('lru:first', small)).toBe(first);
    expect(getRecordValidator('lru:second', small)).not.toBe(second);
  });
});
