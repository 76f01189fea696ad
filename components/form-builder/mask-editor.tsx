'use client';
/**
 * The field's mask rule: a named rule or a custom one (keep N + M, mask character, optional
 * fixed length), with a live preview. The preview runs lib/masking's own rules in the browser,
 * the very functions record-view runs on the server, so what the admin sees here is what a
 * group with masked access will see. What the admin types into 试一试 stays in this page.
 */
import { useMemo, useState } from 'react';
import { Form, Input, InputNumber, Select } from 'antd';
import { useTranslations } from 'next-intl';
import type { FieldInfo } from '@/lib/forms/definition';
import {
  CUSTOM_MASK_LIMITS,
  effectiveMaskRule,
  graphemes,
  isCustomMask,
  MASK_CHAR_PATTERN,
  MASK_RULES,
  maskValue,
  type CustomMask,
  type MaskRule,
  type MaskSpec,
} from '@/lib/masking';
import { DEFAULT_CUSTOM_MASK, ruleSample, SAMPLE_KEYS, sampleValue, showValue, type Samples } from './mask-samples';
import styles from './form-builder.module.css';

const CUSTOM = 'custom' as const;

export interface MaskEditorProps {
  field: FieldInfo;
  onChange: (mask: MaskSpec | undefined) => void;
}

export function MaskEditor({ field, onChange }: MaskEditorProps) {
  const t = useTranslations('builder.props');
  const mask = field.schema['x-mask'];
  // An object here may still be incomplete (the JSON view, or an input being cleared).
  const custom: Partial<CustomMask> | undefined = typeof mask === 'object' && mask !== null ? mask : undefined;
  const samples = useMemo(() => Object.fromEntries(SAMPLE_KEYS.map((k) => [k, t(`maskSamples.${k}`)])) as unknown as Samples, [t]);
  const [trial, setTrial] = useState('');

  const selected = typeof mask === 'string' ? mask : custom ? CUSTOM : undefined;
  const choose = (v: string | undefined) => {
    if (v === undefined) onChange(undefined);
    else if (v === CUSTOM) onChange(isCustomMask(custom) ? custom : DEFAULT_CUSTOM_MASK);
    else onChange(v as MaskSpec);
  };
  const patchCustom = (patch: Partial<Record<keyof CustomMask, unknown>>) => {
    const next: Record<string, unknown> = { ...DEFAULT_CUSTOM_MASK, ...custom, ...patch };
    if (next.length === undefined) delete next.length;
    onChange(next as unknown as CustomMask);
  };

  const ruleName = (rule: MaskRule | typeof CUSTOM) => t(`masks.${rule}.label`);
  const example = (rule: MaskSpec) => maskValue(typeof rule === 'string' ? ruleSample(rule, samples) : samples.phone, rule);
  // The list shows each rule with what it does to a sample; the chosen one shows its name only.
  const option = (value: MaskRule | typeof CUSTOM, rule: MaskSpec) => ({ value, label: ruleName(value), example: example(rule) });
  const options = [...MASK_RULES.map((m) => option(m, m)), option(CUSTOM, isCustomMask(custom) ? custom : DEFAULT_CUSTOM_MASK)];

  const sample = sampleValue(field, typeof mask === 'string' ? mask : undefined, samples);
  const charOk = custom ? typeof custom.char === 'string' && MASK_CHAR_PATTERN.test(custom.char) : true;
  const { keep, length } = CUSTOM_MASK_LIMITS;
  const num = (v: number | string | null) => (v === null || v === '' ? undefined : Number(v));

  return (
    <>
      <Form.Item label={t('mask')} extra={t('maskHelp')} className={styles.propItem}>
        <Select
          allowClear
          value={selected}
          placeholder={t('maskNone')}
          onChange={choose}
          options={options}
          optionRender={(o) => (
            <span className={styles.maskOption}>
              <span>{o.data.label}</span>
              <span className={styles.maskExample}>{o.data.example}</span>
            </span>
          )}
          popupMatchSelectWidth={280}
          data-testid="prop-mask"
        />
      </Form.Item>

      {custom && (
        <div className={styles.maskCustom} data-testid="mask-custom">
          <div className={styles.rangeRow}>
            <Form.Item label={t('maskCustom.keepStart')} className={styles.propItem}>
              <InputNumber
                min={keep.min}
                max={keep.max}
                precision={0}
                style={{ width: '100%' }}
                value={custom.keepStart ?? null}
                onChange={(v) => patchCustom({ keepStart: num(v) ?? 0 })}
                data-testid="mask-keep-start"
              />
            </Form.Item>
            <Form.Item label={t('maskCustom.keepEnd')} className={styles.propItem}>
              <InputNumber
                min={keep.min}
                max={keep.max}
                precision={0}
                style={{ width: '100%' }}
                value={custom.keepEnd ?? null}
                onChange={(v) => patchCustom({ keepEnd: num(v) ?? 0 })}
                data-testid="mask-keep-end"
              />
            </Form.Item>
          </div>
          <div className={styles.rangeRow}>
            <Form.Item
              label={t('maskCustom.char')}
              validateStatus={charOk ? undefined : 'error'}
              help={charOk ? undefined : t('maskCustom.charInvalid')}
              className={styles.propItem}
            >
              <Input
                className={styles.monoInput}
                value={custom.char ?? ''}
                // Typing replaces: the mask is one character, the last one typed.
                onChange={(e) => patchCustom({ char: graphemes(e.target.value).at(-1) ?? '' })}
                data-testid="mask-char"
              />
            </Form.Item>
            <Form.Item label={t('maskCustom.length')} className={styles.propItem}>
              <InputNumber
                min={length.min}
                max={length.max}
                precision={0}
                style={{ width: '100%' }}
                placeholder={t('maskCustom.lengthFree')}
                value={custom.length ?? null}
                onChange={(v) => patchCustom({ length: num(v) })}
                data-testid="mask-length"
              />
            </Form.Item>
          </div>
          <div className={styles.maskHint}>{custom.length === undefined ? t('maskCustom.shrinkNote') : t('maskCustom.lengthNote', { n: custom.length })}</div>
        </div>
      )}

      <div className={styles.maskPreview} data-testid="mask-preview">
        <div className={styles.maskPreviewTitle}>{t('maskPreview.title')}</div>
        <div className={styles.maskPreviewRow}>
          <span className={styles.maskPreviewLabel}>{t('maskPreview.sample')}</span>
          <div>
            <div className={styles.maskPlain}>{showValue(sample)}</div>
            <div className={styles.maskResult}>
              <span className={styles.maskArrow} aria-hidden="true">
                →{' '}
              </span>
              <span data-testid="mask-preview-sample">{maskValue(sample, mask)}</span>
            </div>
          </div>
        </div>
        <div className={styles.maskPreviewRow}>
          <span className={styles.maskPreviewLabel}>{t('maskPreview.try')}</span>
          <div>
            <Input
              size="small"
              value={trial}
              allowClear
              placeholder={t('maskPreview.tryPlaceholder')}
              onChange={(e) => setTrial(e.target.value)}
              data-testid="mask-try-input"
            />
            {trial !== '' && (
              <div className={styles.maskResult}>
                <span className={styles.maskArrow} aria-hidden="true">
                  →{' '}
                </span>
                <span data-testid="mask-try-output">{maskValue(trial, mask) || t('maskPreview.empty')}</span>
              </div>
            )}
          </div>
        </div>
        {effectiveMaskRule(mask) === 'all' && mask !== 'all' && (
          <div className={styles.maskHint}>{custom ? t('maskPreview.invalidNote') : t('maskPreview.noneNote')}</div>
        )}
      </div>
    </>
  );
}
