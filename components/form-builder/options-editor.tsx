'use client';
/** The options of a single or multiple choice field: edit, reorder, add, remove, or paste a list. */
import { useState } from 'react';
import { Button, Input, Space, Tooltip } from 'antd';
import { useTranslations } from 'next-intl';
import styles from './form-builder.module.css';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined, UnorderedListOutlined } from '../icons';

export function OptionsEditor({ value, onChange }: { value: string[]; onChange: (options: string[]) => void }) {
  const t = useTranslations('builder.options');
  const [bulk, setBulk] = useState<string | null>(null);

  if (bulk !== null) {
    return (
      <div className={styles.optionsBulk}>
        <Input.TextArea
          autoSize={{ minRows: 5, maxRows: 14 }}
          value={bulk}
          onChange={(e) => setBulk(e.target.value)}
          placeholder={t('bulkPlaceholder')}
          autoFocus
        />
        <Space className={styles.optionsBulkActions}>
          <Button size="small" onClick={() => setBulk(null)}>
            {t('cancel')}
          </Button>
          <Button
            size="small"
            type="primary"
            onClick={() => {
              const seen = new Set<string>();
              const list = bulk
                .split('\n')
                .map((s) => s.trim())
                .filter((s) => s && !seen.has(s) && seen.add(s));
              onChange(list);
              setBulk(null);
            }}
          >
            {t('apply')}
          </Button>
        </Space>
      </div>
    );
  }

  const set = (i: number, v: string) => onChange(value.map((o, j) => (j === i ? v : o)));
  const move = (i: number, d: -1 | 1) => {
    const next = [...value];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    onChange(next);
  };
  const add = () => {
    let n = value.length + 1;
    while (value.includes(t('newOption', { n }))) n++;
    onChange([...value, t('newOption', { n })]);
  };

  return (
    <div className={styles.options}>
      {value.map((o, i) => (
        <div key={i} className={styles.optionRow}>
          <span className={styles.optionIndex}>{i + 1}</span>
          <Input
            size="small"
            value={o}
            maxLength={100}
            status={!o.trim() || value.indexOf(o) !== i ? 'error' : undefined}
            onChange={(e) => set(i, e.target.value)}
            aria-label={t('option', { n: i + 1 })}
          />
          <Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('up')} />
          <Button
            type="text"
            size="small"
            icon={<ArrowDownOutlined />}
            disabled={i === value.length - 1}
            onClick={() => move(i, 1)}
            aria-label={t('down')}
          />
          <Tooltip title={value.length <= 1 ? t('atLeastOne') : undefined}>
            <Button
              type="text"
              size="small"
              danger
              icon={<DeleteOutlined />}
              disabled={value.length <= 1}
              onClick={() => onChange(value.filter((_, j) => j !== i))}
              aria-label={t('remove')}
            />
          </Tooltip>
        </div>
      ))}
      <Space size={4} className={styles.optionsActions}>
        <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={add}>
          {t('add')}
        </Button>
        <Button size="small" type="text" icon={<UnorderedListOutlined />} onClick={() => setBulk(value.join('\n'))}>
          {t('bulk')}
        </Button>
      </Space>
    </div>
  );
}
