import { describe, expect, it } from 'vitest';
import { fieldsOf, type FieldSchema } from '@/lib/forms/definition';
import { newField } from '@/lib/forms/field-kinds';
import { MASK_RULES, maskValue } from '@/lib/masking';
import { messagesFor } from '@/messages';
import { DEFAULT_CUSTOM_MASK, ruleSample, SAMPLE_KEYS, sampleValue, showValue, type Samples } from './mask-samples';

const zh = messagesFor('zh-CN').builder.props.maskSamples as Samples;
const en = messagesFor('en').builder.props.maskSamples as Samples;

const field = (schema: FieldSchema) => fieldsOf({ type: 'object', 'x-order': ['f'], properties: { f: schema } })[0];

describe('the mask preview', () => {
  it('masks a value of the field kind, whatever the rule', () => {
    expect(maskValue(sampleValue(field(newField('phone', 'P')), 'phone', zh), 'phone')).toBe('138****5678');
    expect(maskValue(sampleValue(field(newField('id-card', 'I')), 'id-card', zh), 'id-card')).toBe('110105********1234');
    expect(maskValue(sampleValue(field(newField('bank-card', 'B')), 'bank-card', zh), 'bank-card')).toBe('622202*********0123');
    expect(maskValue(sampleValue(field(newField('email', 'E')), 'email', zh), 'email')).toBe('z***@example.com');
    expect(maskValue(sampleValue(field(newField('address', 'A')), 'address', zh), 'address')).toBe('广东省深圳市******');
    // The kind wins over the rule: a phone field under the name rule shows what that does to a phone.
    expect(sampleValue(field(newField('phone', 'P')), 'name', zh)).toBe(zh.phone);
    expect(maskValue(sampleValue(field(newField('phone', 'P')), DEFAULT_CUSTOM_MASK, zh), DEFAULT_CUSTOM_MASK)).toBe('138****5678');
  });

  it('on free text, masks a value of the rule shape, else a plain sentence', () => {
    const text = field(newField('text', 'T'));
    expect(maskValue(sampleValue(text, 'name', zh), 'name')).toBe('欧阳**');
    expect(sampleValue(text, 'email', zh)).toBe(zh.email);
    expect(sampleValue(text, 'all', zh)).toBe(zh.text);
    expect(sampleValue(text, DEFAULT_CUSTOM_MASK, zh)).toBe(zh.text);
    expect(sampleValue(text, undefined, zh)).toBe(zh.text);
  });

  it('uses the options of a choice field', () => {
    const select = field(newField('select', 'S', 'zh-CN'));
    expect(sampleValue(select, 'all', zh)).toBe(select.schema.enum![0]);
    const multi = field(newField('multiselect', 'M', 'zh-CN'));
    expect(showValue(sampleValue(multi, 'all', zh))).toBe(multi.schema.items!.enum.slice(0, 2).join(', '));
    expect(maskValue(sampleValue(multi, DEFAULT_CUSTOM_MASK, zh), { keepStart: 1, keepEnd: 0, char: '*' })).toMatch(/^.\*+, .\*+$/u);
  });

  it('has samples in both languages that every rule masks', () => {
    for (const samples of [zh, en]) {
      expect(Object.keys(samples).sort()).toEqual([...SAMPLE_KEYS].sort());
      for (const rule of MASK_RULES) {
        const sample = ruleSample(rule, samples);
        const masked = maskValue(sample, rule);
        expect(masked, `${rule}: ${sample}`).not.toBe('');
        expect(masked.includes(sample), `${rule}: ${sample}`).toBe(false);
      }
    }
  });
});
