import { describe, expect, it } from 'vitest';
import type { FormDefinition } from '@/lib/forms/definition';
import { changedValues, initialFormValues } from './record-values';

const def: FormDefinition = {
  type: 'object',
  'x-order': ['name', 'phone', 'level', 'tags', 'owner'],
  required: ['name'],
  properties: {
    name: { type: 'string', title: '名称', 'x-widget': 'text' },
    phone: { type: 'string', title: '手机号', format: 'cn-mobile', 'x-widget': 'phone', 'x-encrypted': true },
    level: { type: 'string', title: '等级', enum: ['A', 'B'], default: 'B', 'x-widget': 'select' },
    tags: { type: 'array', title: '标签', items: { type: 'string', enum: ['x', 'y'] }, uniqueItems: true, 'x-widget': 'multiselect' },
    owner: { type: 'string', title: '负责人', format: 'uuid', 'x-widget': 'owner' },
  },
};

describe('record form values', () => {
  it('starts a new record from defaults and the current user as owner', () => {
    expect(initialFormValues(def, undefined, 'create', 'u1')).toEqual({ name: '', phone: '', level: 'B', tags: [], owner: 'u1' });
  });

  it('does not put defaults into an existing record', () => {
    expect(initialFormValues(def, { name: '甲' }, 'edit', 'u1')).toEqual({ name: '甲', phone: '', level: undefined, tags: [], owner: undefined });
  });

  it('sends only changed fields, a cleared one as null, and leaves untouched (maybe masked) values alone', () => {
    const before = { name: '甲', phone: '138****0000', level: 'A', tags: ['x'] };
    const after = { name: '乙 ', phone: '138****0000', level: undefined, tags: ['x'] };
    expect(changedValues(def, before, after)).toEqual({ name: '乙', level: null });
  });

  it('sees no change where normalisation makes the values equal', () => {
    expect(changedValues(def, { phone: '13800000000' }, { phone: '138 0000 0000' })).toEqual({});
  });
});
