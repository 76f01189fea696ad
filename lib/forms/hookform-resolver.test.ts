import { describe, it, expect } from 'vitest';
import type { FieldValues, ResolverOptions } from 'react-hook-form';
import type { FormDefinition } from './definition';
import { formResolver } from './hookform-resolver';
import { compileRecordValidator } from './record-validator';

const def: FormDefinition = {
  type: 'object',
  'x-order': ['name', 'phone', 'tags'],
  required: ['name', 'phone'],
  properties: {
    name: { type: 'string', title: '客户名称', maxLength: 5, 'x-widget': 'text' },
    phone: { type: 'string', title: '手机号', format: 'cn-mobile', 'x-widget': 'phone', 'x-encrypted': true, 'x-mask': 'phone' },
    tags: { type: 'array', title: '标签', items: { type: 'string', enum: ['a', 'b'] }, uniqueItems: true, 'x-widget': 'multiselect' },
  },
};

const options: ResolverOptions<FieldValues> = { fields: {}, shouldUseNativeValidation: false, criteriaMode: 'firstError' };

describe('formResolver', () => {
  it('returns normalised values on success, dropping keys the form does not know', async () => {
    const resolver = formResolver(def, 'zh-CN');
    const result = await resolver({ name: ' 瑞丰 ', phone: '139 1234 5678', tags: [], id: 'rec-1', version: 3 }, undefined, options);
    expect(result).toEqual({ values: { name: '瑞丰', phone: '13912345678' }, errors: {} });
  });

  it('gives the messages the server gives, per field', async () => {
    const raw = { name: '杭州瑞丰科技', phone: '1391234567', tags: ['c'] };
    for (const locale of ['zh-CN', 'en'] as const) {
      const result = await formResolver(def, locale)(raw, undefined, options);
      const server = compileRecordValidator(def)(raw, locale);
      expect(server.ok).toBe(false);
      if (server.ok) return;
      expect(result.values).toEqual({});
      expect(Object.keys(result.errors).sort()).toEqual(Object.keys(server.errors).sort());
      for (const [key, message] of Object.entries(server.errors)) {
        expect(result.errors[key]).toMatchObject({ type: 'validate', message });
      }
    }
    const zh = await formResolver(def, 'zh-CN')(raw, undefined, options);
    expect(zh.errors.phone?.message).toBe('请输入 11 位中国大陆手机号');
    expect(zh.errors.name?.message).toBe('不能超过 5 个字符');
  });

  it('asks for required fields emptied to blanks', async () => {
    const result = await formResolver(def, 'en')({ name: '   ', phone: '' }, undefined, options);
    expect(result.errors.name?.message).toBe('This field is required');
    expect(result.errors.phone?.message).toBe('This field is required');
  });

  it('shares compiled validators through a cache key', async () => {
    const resolver = formResolver(def, 'zh-CN', { cacheKey: 'resolver-test:1' });
    expect((await resolver({ name: 'a', phone: '13912345678' }, undefined, options)).errors).toEqual({});
    expect((await resolver({ name: 'a' }, undefined, options)).errors.phone?.message).toBe('请填写此项');
  });
});
