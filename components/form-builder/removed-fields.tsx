'use client';
/**
 * Fields earlier versions had and the draft does not: records still hold
 * their values, so restoring one (same key, same settings) brings them back.
 */
import { Button, Collapse, Tag, Tooltip } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import type { FieldSchema } from '@/lib/forms/definition';
import { fieldKindLabel, isFieldKind } from '@/lib/forms/field-kinds';
import { toLocale } from '@/lib/i18n';
import { KindIcon } from './kind-icon';
import styles from './form-builder.module.css';
import { DeleteOutlined, UndoOutlined } from '../icons';

export interface RemovedFieldItem {
  key: string;
  schema: FieldSchema;
  /** The last published version that had it; null when it was only ever in the draft. */
  lastVersion: number | null;
}

export function RemovedFields({ items, onRestore }: { items: RemovedFieldItem[]; onRestore: (item: RemovedFieldItem) => void }) {
  const t = useTranslations('builder.removed');
  const locale = toLocale(useLocale());
  if (items.length === 0) return null;
  return (
    <Collapse
      className={styles.removed}
      size="small"
      items={[
        {
          key: 'removed',
          label: (
            <span className={styles.removedLabel}>
              <DeleteOutlined /> {t('title', { n: items.length })}
            </span>
          ),
          children: (
            <div>
              <div className={styles.panelHint}>{t('hint')}</div>
              {items.map((item) => (
                <div key={item.key} className={styles.removedRow} data-testid={`removed-${item.key}`}>
                  <span className={styles.removedIcon}>{isFieldKind(item.schema['x-widget']) && <KindIcon kind={item.schema['x-widget']} />}</span>
                  <span className={styles.removedTitle}>{item.schema.title || item.key}</span>
                  <code className={styles.cardKey}>{item.key}</code>
                  {isFieldKind(item.schema['x-widget']) && (
                    <Tag variant="filled" className={styles.metaTag}>
                      {fieldKindLabel(item.schema['x-widget'], locale)}
                    </Tag>
                  )}
                  {item.lastVersion ? (
                    <Tag color="blue" variant="outlined" className={styles.metaTag}>
                      {t('lastVersion', { v: item.lastVersion })}
                    </Tag>
                  ) : (
                    <Tag variant="outlined" className={styles.metaTag}>
                      {t('draftOnly')}
                    </Tag>
                  )}
                  <Tooltip title={item.lastVersion ? t('restoreHelp') : undefined}>
                    <Button size="small" icon={<UndoOutlined />} onClick={() => onRestore(item)} data-testid={`restore-${item.key}`}>
                      {t('restore')}
                    </Button>
                  </Tooltip>
                </div>
              ))}
            </div>
          ),
        },
      ]}
    />
  );
}
