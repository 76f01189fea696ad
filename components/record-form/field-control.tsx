'use client';
/**
 * The input of one field, chosen by its kind (`x-widget`). Used by the record
 * form and by the builder (default value editor). Values stay what the record
 * stores: dates as `YYYY-MM-DD`, date-times as ISO 8601 with offset, the owner
 * as a user id.
 */
import type { Ref } from 'react';
import dayjs, { type Dayjs } from 'dayjs';
import { DatePicker, Input, InputNumber, Select, Switch } from 'antd';
import { useTranslations } from 'next-intl';
import type { FieldInfo } from '@/lib/forms/definition';
import { optionsOf } from './record-values';
import type { UserOption } from './types';
import styles from './record-form.module.css';
import { CreditCardOutlined, IdcardOutlined, MailOutlined, PhoneOutlined } from '../icons';

export interface FieldControlProps {
  field: FieldInfo;
  value: unknown;
  onChange: (value: unknown) => void;
  onBlur?: () => void;
  disabled?: boolean;
  userOptions?: UserOption[];
  status?: 'error' | 'warning';
  id?: string;
  inputRef?: Ref<unknown>;
}

export const DATE_FORMAT = 'YYYY-MM-DD';
export const DATETIME_FORMAT = 'YYYY-MM-DD HH:mm';

function toDayjs(value: unknown): Dayjs | null {
  if (typeof value !== 'string' || !value) return null;
  const d = dayjs(value);
  return d.isValid() ? d : null;
}

/** Inputs for numbers people type by hand: limits sized to allow spaces and dashes, which normalisation strips. */
const NUMBER_LIKE = {
  phone: { icon: PhoneOutlined, inputMode: 'tel', maxLength: 13, placeholder: 'phonePlaceholder', transform: undefined },
  // The check character is an uppercase X; lowercase is the usual typo.
  'id-card': { icon: IdcardOutlined, inputMode: undefined, maxLength: 18, placeholder: 'idCardPlaceholder', transform: (v: string) => v.toUpperCase() },
  'bank-card': { icon: CreditCardOutlined, inputMode: 'numeric', maxLength: 23, placeholder: 'bankCardPlaceholder', transform: undefined },
} as const;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export function FieldControl({ field, value, onChange, onBlur, disabled, userOptions = [], status, id, inputRef }: FieldControlProps) {
  const t = useTranslations('records.form');
  const { schema } = field;
  const placeholder = schema['x-placeholder'] || undefined;
  // antd's inputs expose focus() on their refs, which is all react-hook-form uses.
  const ref = inputRef as never;
  const common = { id, disabled, status, onBlur };

  switch (field.kind) {
    case 'text':
      return (
        <Input
          {...common}
          ref={ref}
          value={str(value)}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          maxLength={schema.maxLength}
          allowClear
        />
      );
    case 'textarea':
      return (
        <Input.TextArea
          {...common}
          ref={ref}
          value={str(value)}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          maxLength={schema.maxLength}
          showCount={schema.maxLength !== undefined}
          autoSize={{ minRows: 3, maxRows: 10 }}
        />
      );
    case 'address':
      return (
        <Input.TextArea
          {...common}
          ref={ref}
          value={str(value)}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder ?? t('addressPlaceholder')}
          maxLength={schema.maxLength}
          autoSize={{ minRows: 2, maxRows: 4 }}
        />
      );
    case 'number':
      return (
        <InputNumber
          {...common}
          ref={ref}
          style={{ width: '100%' }}
          value={typeof value === 'number' ? value : value === undefined || value === null || value === '' ? null : Number(value)}
          onChange={(v) => onChange(v === null ? undefined : v)}
          placeholder={placeholder}
          min={schema.minimum}
          max={schema.maximum}
          step={schema.multipleOf ?? 1}
        />
      );
    case 'date':
      return (
        <DatePicker
          {...common}
          ref={ref}
          style={{ width: '100%' }}
          value={toDayjs(value)}
          format={DATE_FORMAT}
          onChange={(d) => onChange(d ? (d as Dayjs).format(DATE_FORMAT) : undefined)}
          placeholder={placeholder ?? t('datePlaceholder')}
        />
      );
    case 'datetime':
      return (
        <DatePicker
          {...common}
          ref={ref}
          style={{ width: '100%' }}
          showTime={{ format: 'HH:mm' }}
          format={DATETIME_FORMAT}
          value={toDayjs(value)}
          onChange={(d) => onChange(d ? (d as Dayjs).second(0).millisecond(0).format() : undefined)}
          placeholder={placeholder ?? t('datetimePlaceholder')}
        />
      );
    case 'select':
      return (
        <Select
          {...common}
          ref={ref}
          style={{ width: '100%' }}
          value={typeof value === 'string' ? value : undefined}
          onChange={(v) => onChange(v ?? undefined)}
          placeholder={placeholder ?? t('selectPlaceholder')}
          allowClear
          options={optionsOf(field).map((o) => ({ value: o, label: o }))}
        />
      );
    case 'multiselect':
      return (
        <Select
          {...common}
          ref={ref}
          mode="multiple"
          style={{ width: '100%' }}
          value={Array.isArray(value) ? (value as string[]) : []}
          onChange={(v) => onChange(v)}
          placeholder={placeholder ?? t('multiselectPlaceholder')}
          allowClear
          maxCount={schema.maxItems}
          options={optionsOf(field).map((o) => ({ value: o, label: o }))}
        />
      );
    case 'checkbox':
      return (
        <Switch
          id={id}
          disabled={disabled}
          checked={value === true}
          onChange={(checked) => {
            onChange(checked);
            onBlur?.();
          }}
          checkedChildren={t('yes')}
          unCheckedChildren={t('no')}
        />
      );
    case 'email':
      return (
        <Input
          {...common}
          ref={ref}
          type="email"
          inputMode="email"
          value={str(value)}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder ?? 'name@example.com'}
          maxLength={schema.maxLength ?? 254}
          prefix={<MailOutlined className={styles.prefix} />}
          allowClear
        />
      );
    case 'phone':
    case 'id-card':
    case 'bank-card': {
      const spec = NUMBER_LIKE[field.kind];
      return (
        <Input
          {...common}
          ref={ref}
          value={str(value)}
          onChange={(e) => onChange(spec.transform ? spec.transform(e.target.value) : e.target.value)}
          placeholder={placeholder ?? t(spec.placeholder)}
          inputMode={spec.inputMode}
          autoComplete="off"
          maxLength={spec.maxLength}
          prefix={<spec.icon className={styles.prefix} />}
          allowClear
        />
      );
    }
    case 'owner':
      return (
        <Select
          {...common}
          ref={ref}
          style={{ width: '100%' }}
          value={typeof value === 'string' && value ? value : undefined}
          onChange={(v) => onChange(v ?? undefined)}
          placeholder={placeholder ?? t('ownerPlaceholder')}
          allowClear
          showSearch={{ optionFilterProp: 'search' }}
          options={userOptions.map((u) => ({
            value: u.id,
            label: u.name,
            search: `${u.name} ${u.departmentName ?? ''}`,
            dept: u.departmentName,
          }))}
          optionRender={(option) => (
            <span className={styles.ownerOption}>
              <span>{option.data.label}</span>
              {option.data.dept && <span className={styles.ownerDept}>{option.data.dept}</span>}
            </span>
          )}
        />
      );
    default:
      return <Input {...common} value={str(value)} onChange={(e) => onChange(e.target.value)} />;
  }
}
