/**
 * Which sample value the builder's mask preview masks: pure, so it is unit-tested. The sample
 * strings themselves are messages (builder.props.maskSamples), in the admin's language.
 */
import type { FieldInfo } from '@/lib/forms/definition';
import type { CustomMask, MaskSpec } from '@/lib/masking';

export const SAMPLE_KEYS = ['phone', 'id-card', 'bank-card', 'email', 'name', 'address', 'text'] as const;
export type SampleKey = (typeof SAMPLE_KEYS)[number];
export type Samples = Readonly<Record<SampleKey, string>>;

/** Kinds whose values have a shape of their own: the sample is one of those, whatever the rule. */
const KIND_SAMPLES: Partial<Record<FieldInfo['kind'], SampleKey>> = {
  phone: 'phone',
  'id-card': 'id-card',
  'bank-card': 'bank-card',
  email: 'email',
  address: 'address',
};

/** Named rules made for one shape: on a free-text field, the sample has that shape. */
const RULE_SAMPLES: Partial<Record<string, SampleKey>> = {
  phone: 'phone',
  'id-card': 'id-card',
  'bank-card': 'bank-card',
  email: 'email',
  name: 'name',
  address: 'address',
};

/** The sample a rule is shown on in the rule list (its own shape; free text for the others). */
export function ruleSample(rule: string, samples: Samples): string {
  return samples[RULE_SAMPLES[rule] ?? 'name'];
}

/** The value the preview masks for `field` under `rule`: a value of the field's kind. */
export function sampleValue(field: FieldInfo, rule: MaskSpec | undefined, samples: Samples): unknown {
  const byKind = KIND_SAMPLES[field.kind];
  if (byKind) return samples[byKind];
  const byRule = typeof rule === 'string' ? RULE_SAMPLES[rule] : undefined;
  if (byRule) return samples[byRule];
  const s = field.schema;
  switch (field.kind) {
    case 'number':
      return 1234567.89;
    case 'date':
      return '1990-03-07';
    case 'datetime':
      return '2024-05-01T09:30:00+08:00';
    case 'select':
      return s.enum?.[0] ?? samples.text;
    case 'multiselect':
      return s.items?.enum?.slice(0, 2) ?? [samples.text];
    case 'checkbox':
      return true;
    case 'owner':
      return samples.name;
    default:
      return samples.text;
  }
}

/** What a value looks like in the preview: lists joined as record-view joins them. */
export const showValue = (v: unknown): string => (Array.isArray(v) ? v.map(String).join(', ') : String(v));

/** The custom rule an admin starts from: the phone convention (3 + 4). */
export const DEFAULT_CUSTOM_MASK: CustomMask = { keepStart: 3, keepEnd: 4, char: '*' };
