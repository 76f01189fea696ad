'use client';
/** The field kinds, grouped: click one to append it, or drag it onto the canvas. */
import { useDraggable } from '@dnd-kit/core';
import { Tooltip } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import { FIELD_KIND_CATALOGUE, fieldKindLabel, type FieldKind } from '@/lib/forms/field-kinds';
import { toLocale } from '@/lib/i18n';
import { KindIcon } from './kind-icon';
import styles from './form-builder.module.css';
import { LockOutlined } from '../icons';

export const PALETTE_GROUPS: { id: 'basic' | 'personal' | 'system'; kinds: FieldKind[] }[] = [
  { id: 'basic', kinds: ['text', 'textarea', 'number', 'date', 'datetime', 'select', 'multiselect', 'checkbox'] },
  { id: 'personal', kinds: ['phone', 'email', 'id-card', 'bank-card', 'address'] },
  { id: 'system', kinds: ['owner'] },
];

export const paletteId = (kind: FieldKind) => `new:${kind}`;

function PaletteItem({ kind, disabled, onAdd }: { kind: FieldKind; disabled?: boolean; onAdd: (kind: FieldKind) => void }) {
  const locale = toLocale(useLocale());
  const t = useTranslations('builder.palette');
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: paletteId(kind), data: { kind }, disabled });
  const item = (
    <button
      type="button"
      ref={setNodeRef}
      className={`${styles.paletteItem} ${isDragging ? styles.paletteItemDragging : ''}`}
      onClick={() => !disabled && onAdd(kind)}
      disabled={disabled}
      data-testid={`palette-${kind}`}
      {...attributes}
      {...listeners}
    >
      <span className={styles.paletteIcon}>
        <KindIcon kind={kind} />
      </span>
      <span className={styles.paletteLabel}>{fieldKindLabel(kind, locale)}</span>
      {FIELD_KIND_CATALOGUE[kind].sensitive && <LockOutlined className={styles.paletteLock} />}
    </button>
  );
  if (disabled) return <Tooltip title={t('ownerOnce')}>{item}</Tooltip>;
  if (FIELD_KIND_CATALOGUE[kind].sensitive) return <Tooltip title={t('sensitive')} placement="right">{item}</Tooltip>;
  return item;
}

export function Palette({ onAdd, hasOwner }: { onAdd: (kind: FieldKind) => void; hasOwner: boolean }) {
  const t = useTranslations('builder.palette');
  return (
    <div className={styles.palette}>
      <div className={styles.panelTitle}>{t('title')}</div>
      <div className={styles.panelHint}>{t('hint')}</div>
      {PALETTE_GROUPS.map((g) => (
        <div key={g.id} className={styles.paletteGroup}>
          <div className={styles.paletteGroupTitle}>{t(`groups.${g.id}`)}</div>
          <div className={styles.paletteGrid}>
            {g.kinds.map((k) => (
              <PaletteItem key={k} kind={k} onAdd={onAdd} disabled={k === 'owner' && hasOwner} />
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
