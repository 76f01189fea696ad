'use client';
/**
 * The middle of the builder: the fields in order, each drawn as it will look,
 * to select, drag into a new order, or delete.
 */
import { useDroppable } from '@dnd-kit/core';
import { SortableContext, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { Button, Empty, Tag, Tooltip } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import type { FieldInfo } from '@/lib/forms/definition';
import { fieldKindLabel } from '@/lib/forms/field-kinds';
import { toLocale } from '@/lib/i18n';
import { FieldControl } from '../record-form/field-control';
import type { UserOption } from '../record-form/types';
import { KindIcon } from './kind-icon';
import styles from './form-builder.module.css';
import { CopyOutlined, DeleteOutlined, EyeInvisibleOutlined, HolderOutlined, LockOutlined } from '../icons';

export const CANVAS_ID = 'canvas';

interface CardProps {
  field: FieldInfo;
  selected: boolean;
  errors: string[];
  /** A palette item is being dragged over this card: it will be inserted here. */
  dropBefore: boolean;
  userOptions: UserOption[];
  onSelect: (key: string) => void;
  onDelete: (key: string) => void;
  onDuplicate: (key: string) => void;
}

function FieldCard({ field, selected, errors, dropBefore, userOptions, onSelect, onDelete, onDuplicate }: CardProps) {
  const t = useTranslations('builder.canvas');
  const locale = toLocale(useLocale());
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: field.key });
  const s = field.schema;
  const cls = [
    styles.card,
    selected ? styles.cardSelected : '',
    errors.length ? styles.cardError : '',
    isDragging ? styles.cardDragging : '',
    dropBefore ? styles.cardDropBefore : '',
  ].join(' ');
  return (
    <div
      ref={setNodeRef}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      className={cls}
      onClick={() => onSelect(field.key)}
      data-testid={`canvas-field-${field.key}`}
      role="button"
      tabIndex={0}
      onKeyDown={(e) => {
        if (e.target === e.currentTarget && (e.key === 'Enter' || e.key === ' ')) {
          e.preventDefault();
          onSelect(field.key);
        }
      }}
    >
      <button
        type="button"
        ref={setActivatorNodeRef}
        className={styles.dragHandle}
        aria-label={t('dragHandle')}
        onClick={(e) => e.stopPropagation()}
        {...attributes}
        {...listeners}
      >
        <HolderOutlined />
      </button>
      <div className={styles.cardBody}>
        <div className={styles.cardHead}>
          <span className={styles.cardTitle}>
            {field.required && <span className={styles.requiredMark}>*</span>}
            {s.title || <span className={styles.untitled}>{t('untitled')}</span>}
          </span>
          <span className={styles.cardMeta}>
            {s['x-encrypted'] && (
              <Tooltip title={t('encrypted')}>
                <Tag color="green" variant="filled" icon={<LockOutlined />} className={styles.metaTag}>
                  {t('encryptedShort')}
                </Tag>
              </Tooltip>
            )}
            {s['x-mask'] && s['x-mask'] !== 'none' && (
              <Tooltip title={t('masked')}>
                <Tag color="purple" variant="filled" icon={<EyeInvisibleOutlined />} className={styles.metaTag}>
                  {t('maskedShort')}
                </Tag>
              </Tooltip>
            )}
            <Tag variant="filled" className={styles.metaTag} icon={<KindIcon kind={field.kind} />}>
              {fieldKindLabel(field.kind, locale)}
            </Tag>
            <code className={styles.cardKey}>{field.key}</code>
          </span>
        </div>
        <div className={styles.cardPreview} aria-hidden="true">
          <FieldControl field={field} value={s.default} onChange={() => undefined} disabled userOptions={userOptions} />
        </div>
        {s.description && <div className={styles.cardHelp}>{s.description}</div>}
        {errors.length > 0 && (
          <div className={styles.cardErrors}>
            {errors.map((e) => (
              <div key={e}>{e}</div>
            ))}
          </div>
        )}
      </div>
      <div className={styles.cardActions}>
        <Tooltip title={t('duplicate')}>
          <Button
            type="text"
            size="small"
            icon={<CopyOutlined />}
            aria-label={t('duplicate')}
            disabled={field.kind === 'owner'}
            onClick={(e) => {
              e.stopPropagation();
              onDuplicate(field.key);
            }}
          />
        </Tooltip>
        <Tooltip title={t('delete')}>
          <Button
            type="text"
            size="small"
            danger
            icon={<DeleteOutlined />}
            aria-label={t('delete')}
            data-testid={`delete-field-${field.key}`}
            onClick={(e) => {
              e.stopPropagation();
              onDelete(field.key);
            }}
          />
        </Tooltip>
      </div>
    </div>
  );
}

export function Canvas({
  fields,
  selectedKey,
  errorsByField,
  overKey,
  draggingNew,
  userOptions,
  onSelect,
  onDelete,
  onDuplicate,
}: {
  fields: FieldInfo[];
  selectedKey: string | null;
  errorsByField: Map<string, string[]>;
  overKey: string | null;
  draggingNew: boolean;
  userOptions: UserOption[];
  onSelect: (key: string) => void;
  onDelete: (key: string) => void;
  onDuplicate: (key: string) => void;
}) {
  const t = useTranslations('builder.canvas');
  const { setNodeRef, isOver } = useDroppable({ id: CANVAS_ID });
  return (
    <div ref={setNodeRef} className={`${styles.canvasList} ${isOver && draggingNew ? styles.canvasListOver : ''}`} data-testid="canvas">
      <SortableContext items={fields.map((f) => f.key)} strategy={verticalListSortingStrategy}>
        {fields.map((f) => (
          <FieldCard
            key={f.key}
            field={f}
            selected={selectedKey === f.key}
            errors={errorsByField.get(f.key) ?? []}
            dropBefore={draggingNew && overKey === f.key}
            userOptions={userOptions}
            onSelect={onSelect}
            onDelete={onDelete}
            onDuplicate={onDuplicate}
          />
        ))}
      </SortableContext>
      {fields.length === 0 ? (
        <div className={styles.canvasEmpty}>
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty')} />
        </div>
      ) : (
        <div className={`${styles.dropTail} ${draggingNew ? styles.dropTailActive : ''}`}>{t('dropHere')}</div>
      )}
    </div>
  );
}
