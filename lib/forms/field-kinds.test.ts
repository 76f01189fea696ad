import { describe, it, expect } from 'vitest';
import metaSchema from '../../schemas/form.schema.json';
import { validateDefinition, type FieldSchema } from './definition';
import { FIELD_KIND_CATALOGUE, FIELD_KINDS, fieldKindLabel, isFieldKind, newField, newFieldKey } from './field-kinds';

const formOf = (fields: Record<string, FieldSchema>) => ({
  type: 'object' as const,
  'x-order': Object.keys(fields),
  properties: fields,
});

describe('field kind catalogue', () => {
  it('matches the x-widget enum of the meta-schema', () => {
    expect([...FIELD_KINDS].sort()).toEqual([...metaSchema.$defs.field.properties['x-widget'].enum].sort());
    expect(Object.keys(FIELD_KIND_CATALOGUE).sort()).toEqual([...FIELD_KINDS].sort());
  });

  it('labels every kind in both languages, distinctly', () => {
    const zh = FIELD_KINDS.map((k) => fieldKindLabel(k, 'zh-CN'));
    const en = FIELD_KINDS.map((k) => fieldKindLabel(k, 'en'));
    expect(new Set(zh).size).toBe(FIELD_KINDS.length);
    expect(new Set(en).size).toBe(FIELD_KINDS.length);
    expect(fieldKindLabel('id-card', 'zh-CN')).toBe('身份证号');
    expect(fieldKindLabel('id-card', 'en')).toBe('ID card number');
    for (const label of zh) expect(label).toMatch(/[\u4e00-\u9fff]/);
  });

  it('recognises kinds', () => {
    expect(isFieldKind('bank-card')).toBe(true);
    expect(isFieldKind('bank_card')).toBe(false);
    expect(isFieldKind(undefined)).toBe(false);
  });
});

describe('newField', () => {
  it('gives a field every kind that passes definition validation', () => {
    for (const kind of FIELD_KINDS) {
      const field = newField(kind, `新字段 ${kind}`);
      expect(field['x-widget']).toBe(kind);
      expect(field.title).toBe(`新字段 ${kind}`);
      const result = validateDefinition(formOf({ f: field }), 'zh-CN');
      expect(result, `${kind}: ${JSON.stringify(result)}`).toMatchObject({ ok: true });
    }
  });

  it('encrypts and masks personal identifiers by default', () => {
    expect(newField('phone', '手机号')).toMatchObject({ format: 'cn-mobile', 'x-encrypted': true, 'x-mask': 'phone' });
    expect(newField('id-card', '身份证号')).toMatchObject({ format: 'cn-id-card', 'x-encrypted': true, 'x-mask': 'id-card' });
    expect(newField('bank-card', '银行卡号')).toMatchObject({ format: 'bank-card', 'x-encrypted': true, 'x-mask': 'bank-card' });
    for (const kind of FIELD_KINDS) {
      expect(Boolean(newField(kind, 'x')['x-encrypted']), kind).toBe(FIELD_KIND_CATALOGUE[kind].sensitive);
    }
  });

  it('starts choices with two options', () => {
    expect(newField('select', '级别').enum).toEqual(['选项1', '选项2']);
    expect(newField('multiselect', '标签')).toMatchObject({ type: 'array', uniqueItems: true, items: { type: 'string', enum: ['选项1', '选项2'] } });
  });

  it('returns a fresh object each time', () => {
    const a = newField('select', 'A');
    a.enum!.push('选项3');
    expect(newField('select', 'A').enum).toEqual(['选项1', '选项2']);
  });
});

describe('newFieldKey', () => {
  it('numbers keys per kind, after the highest used', () => {
    expect(newFieldKey('text', [])).toBe('text_1');
    expect(newFieldKey('text', ['text_1', 'text_2', 'number_7'])).toBe('text_3');
    expect(newFieldKey('number', ['text_1', 'text_2', 'number_7'])).toBe('number_8');
    // A gap left by a deleted field is not reused: old records may still hold text_2 values.
    expect(newFieldKey('text', new Set(['text_1', 'text_3']))).toBe('text_4');
  });

  it('makes keys that pass the field key rule, also for kinds with a dash', () => {
    expect(newFieldKey('id-card', ['id_card_1'])).toBe('id_card_2');
    expect(newFieldKey('bank-card', [])).toBe('bank_card_1');
    for (const kind of FIELD_KINDS) expect(newFieldKey(kind, [])).toMatch(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/);
  });

  it('ignores keys that only look similar', () => {
    expect(newFieldKey('text', ['textarea_5', 'mytext_9', 'text_x'])).toBe('text_1');
  });
});
