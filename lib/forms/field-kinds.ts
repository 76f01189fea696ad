/**
 * The field kinds the form builder offers: names in both languages and a valid starting
 * schema for each. Pure, usable in the browser.
 *
 * The list must stay in step with the `x-widget` enum of schemas/form.schema.json
 * (field-kinds.test.ts checks it).
 */
import type { Bilingual, Locale } from '@/lib/i18n';
import type { FieldSchema } from './definition';

export const FIELD_KINDS = [
  'text',
  'textarea',
  'number',
  'date',
  'datetime',
  'select',
  'multiselect',
  'checkbox',
  'phone',
  'email',
  'id-card',
  'bank-card',
  'address',
  'owner',
] as const;

export type FieldKind = (typeof FIELD_KINDS)[number];

export interface FieldKindInfo {
  kind: FieldKind;
  label: Bilingual;
  /** Personal data that new fields of this kind encrypt and mask by default. */
  sensitive: boolean;
}

export const FIELD_KIND_CATALOGUE: Readonly<Record<FieldKind, FieldKindInfo>> = {
  text: { kind: 'text', label: { zh: '单行文本', en: 'Text' }, sensitive: false },
  textarea: { kind: 'textarea', label: { zh: '多行文本', en: 'Long text' }, sensitive: false },
  number: { kind: 'number', label: { zh: '数字', en: 'Number' }, sensitive: false },
  date: { kind: 'date', label: { zh: '日期', en: 'Date' }, sensitive: false },
  datetime: { kind: 'datetime', label: { zh: '日期时间', en: 'Date and time' }, sensitive: false },
  select: { kind: 'select', label: { zh: '单选', en: 'Single choice' }, sensitive: false },
  multiselect: { kind: 'multiselect', label: { zh: '多选', en: 'Multiple choice' }, sensitive: false },
  checkbox: { kind: 'checkbox', label: { zh: '勾选框', en: 'Checkbox' }, sensitive: false },
  phone: { kind: 'phone', label: { zh: '手机号', en: 'Mobile number' }, sensitive: true },
  email: { kind: 'email', label: { zh: '电子邮箱', en: 'Email' }, sensitive: false },
  'id-card': { kind: 'id-card', label: { zh: '身份证号', en: 'ID card number' }, sensitive: true },
  'bank-card': { kind: 'bank-card', label: { zh: '银行卡号', en: 'Bank card number' }, sensitive: true },
  address: { kind: 'address', label: { zh: '地址', en: 'Address' }, sensitive: false },
  owner: { kind: 'owner', label: { zh: '负责人', en: 'Owner' }, sensitive: false },
};

export function isFieldKind(value: unknown): value is FieldKind {
  return typeof value === 'string' && (FIELD_KINDS as readonly string[]).includes(value);
}

/** The kind's name in the UI language, e.g. 单行文本 / Text. */
export function fieldKindLabel(kind: FieldKind, locale: Locale): string {
  const label = FIELD_KIND_CATALOGUE[kind].label;
  return locale === 'en' ? label.en : label.zh;
}

/**
 * A new field of `kind`, valid as it stands. Identifiers that identify a person (mobile,
 * ID card, bank card) start encrypted and masked: protection is the default an admin has to
 * turn off, not a step an admin has to remember.
 */
export function newField(kind: FieldKind, title: string): FieldSchema {
  const base = { title, 'x-widget': kind } as const;
  switch (kind) {
    case 'text':
      return { type: 'string', ...base, maxLength: 100 };
    case 'textarea':
      return { type: 'string', ...base, maxLength: 2000 };
    case 'number':
      return { type: 'number', ...base };
    case 'date':
      return { type: 'string', ...base, format: 'date' };
    case 'datetime':
      return { type: 'string', ...base, format: 'date-time' };
    case 'select':
      return { type: 'string', ...base, enum: ['选项1', '选项2'] };
    case 'multiselect':
      return { type: 'array', ...base, items: { type: 'string', enum: ['选项1', '选项2'] }, uniqueItems: true };
    case 'checkbox':
      return { type: 'boolean', ...base };
    case 'phone':
      return { type: 'string', ...base, format: 'cn-mobile', 'x-encrypted': true, 'x-mask': 'phone' };
    case 'email':
      return { type: 'string', ...base, format: 'email' };
    case 'id-card':
      return { type: 'string', ...base, format: 'cn-id-card', 'x-encrypted': true, 'x-mask': 'id-card' };
    case 'bank-card':
      return { type: 'string', ...base, format: 'bank-card', 'x-encrypted': true, 'x-mask': 'bank-card' };
    case 'address':
      return { type: 'string', ...base, maxLength: 200 };
    case 'owner':
      return { type: 'string', ...base, format: 'uuid' };
    default: {
      const never: never = kind;
      throw new RangeError(`unknown field kind: ${String(never)}`);
    }
  }
}

/**
 * A key for a new field of `kind` that is not in `existingKeys`: `text_3`, `id_card_1`.
 * The number is one more than the highest already used for that kind, never a gap: a key
 * freed by deleting a field is not handed out again, because records keep the values of
 * removed fields and a new field under the old key would show them under a new meaning.
 * Pass the keys of earlier versions of the form too, for the same reason.
 */
export function newFieldKey(kind: FieldKind, existingKeys: Iterable<string>): string {
  const base = kind.replace(/-/g, '_');
  const taken = new Set(existingKeys);
  const numbered = new RegExp(`^${base}_(\\d+)$`);
  let max = 0;
  for (const key of taken) {
    const m = numbered.exec(key);
    if (m) max = Math.max(max, Number(m[1]));
  }
  let n = max + 1;
  while (taken.has(`${base}_${n}`)) n++;
  return `${base}_${n}`;
}
