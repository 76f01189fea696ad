/**
 * The field kinds the form builder offers: names (messages validation.kinds.*) and a valid
 * starting schema for each. Pure, usable in the browser.
 *
 * The list must stay in step with the `x-widget` enum of schemas/form.schema.json
 * (field-kinds.test.ts checks it).
 */
import { msg, type Locale } from '@/lib/i18n';
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
  /** Personal data that new fields of this kind encrypt and mask by default. */
  sensitive: boolean;
}

export const FIELD_KIND_CATALOGUE: Readonly<Record<FieldKind, FieldKindInfo>> = {
  text: { kind: 'text', sensitive: false },
  textarea: { kind: 'textarea', sensitive: false },
  number: { kind: 'number', sensitive: false },
  date: { kind: 'date', sensitive: false },
  datetime: { kind: 'datetime', sensitive: false },
  select: { kind: 'select', sensitive: false },
  multiselect: { kind: 'multiselect', sensitive: false },
  checkbox: { kind: 'checkbox', sensitive: false },
  phone: { kind: 'phone', sensitive: true },
  email: { kind: 'email', sensitive: false },
  'id-card': { kind: 'id-card', sensitive: true },
  'bank-card': { kind: 'bank-card', sensitive: true },
  address: { kind: 'address', sensitive: false },
  owner: { kind: 'owner', sensitive: false },
};

export function isFieldKind(value: unknown): value is FieldKind {
  return typeof value === 'string' && (FIELD_KINDS as readonly string[]).includes(value);
}

/** The kind's name in the UI language, e.g. 单行文本 / Text. */
export function fieldKindLabel(kind: FieldKind, locale: Locale): string {
  return msg(locale, `validation.kinds.${kind}`);
}

/**
 * A new field of `kind`, valid as it stands. Identifiers that identify a person (mobile,
 * ID card, bank card) start encrypted and masked: protection is the default an admin has to
 * turn off, not a step an admin has to remember.
 */
export function newField(kind: FieldKind, title: string, locale: Locale = 'zh-CN'): FieldSchema {
  const base = { title, 'x-widget': kind } as const;
  const options = () => [msg(locale, 'builder.options.newOption', { n: 1 }), msg(locale, 'builder.options.newOption', { n: 2 })];
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
      return { type: 'string', ...base, enum: options() };
    case 'multiselect':
      return { type: 'array', ...base, items: { type: 'string', enum: options() }, uniqueItems: true };
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
