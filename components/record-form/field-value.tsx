'use client';
/**
 * One stored value shown read-only, as its kind reads best: choices as tags,
 * dates formatted, yes/no, the owner's name. Masked values (from a group that
 * may only see them masked) arrive already masked and are shown as they are.
 */
import dayjs from 'dayjs';
import { Tag, Tooltip, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import type { FieldInfo } from '@/lib/forms/definition';
import { optionColor } from './record-values';
import { DATE_FORMAT } from './field-control';
import { DateTime } from '../date-time';
import styles from './record-form.module.css';
import { CheckOutlined, LockOutlined } from '../icons';

export interface FieldValueProps {
  field: FieldInfo;
  value: unknown;
  /** User id -> name, for owner fields. */
  userNames?: ReadonlyMap<string, string>;
  /** In a table cell: one line, ellipsis. */
  compact?: boolean;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const MONO_KINDS = new Set(['phone', 'id-card', 'bank-card']);

export function FieldValue({ field, value, userNames, compact }: FieldValueProps) {
  const t = useTranslations('records.form');
  if (isEmpty(value)) return <span className={styles.empty}>—</span>;

  switch (field.kind) {
    case 'select':
      return (
        <Tag color={optionColor(field, String(value))} variant="filled" className={styles.tag}>
          {String(value)}
        </Tag>
      );
    case 'multiselect': {
      const list = Array.isArray(value) ? value.map(String) : [String(value)];
      return (
        <span className={styles.tags}>
          {list.map((v) => (
            <Tag key={v} color={optionColor(field, v)} variant="filled" className={styles.tag}>
              {v}
            </Tag>
          ))}
        </span>
      );
    }
    case 'date': {
      // A calendar date has no time zone: shown as stored, never shifted.
      const d = dayjs(String(value));
      return <span>{d.isValid() ? d.format(DATE_FORMAT) : String(value)}</span>;
    }
    case 'datetime':
      // A point in time (stored with its offset): in the user's zone, like every other time.
      return <DateTime value={String(value)} />;
    case 'checkbox':
      return value === true ? (
        <span className={styles.yes}>
          <CheckOutlined /> {t('yes')}
        </span>
      ) : (
        <span className={styles.no}>{t('no')}</span>
      );
    case 'number':
      return <span className={styles.number}>{typeof value === 'number' ? value.toLocaleString() : String(value)}</span>;
    case 'owner': {
      const name = userNames?.get(String(value));
      return <span>{name ?? <span className={styles.empty}>{t('unknownUser')}</span>}</span>;
    }
    case 'email':
      return compact ? <span>{String(value)}</span> : <a href={`mailto:${String(value)}`}>{String(value)}</a>;
    default: {
      const text = String(value);
      const masked = MONO_KINDS.has(field.kind) && text.includes('*');
      const content = (
        <span className={MONO_KINDS.has(field.kind) ? styles.mono : undefined}>
          {text}
          {masked && (
            <Tooltip title={t('maskedHint')}>
              <LockOutlined className={styles.maskIcon} />
            </Tooltip>
          )}
        </span>
      );
      if (compact) return <Typography.Text ellipsis={{ tooltip: text }} style={{ maxWidth: 260 }}>{content}</Typography.Text>;
      if (field.kind === 'textarea' || field.kind === 'address') return <span className={styles.multiline}>{text}</span>;
      return content;
    }
  }
}
