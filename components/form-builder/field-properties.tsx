'use client';
/** The right panel: every setting of the selected field, by kind. */
import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Divider, Form, Input, InputNumber, Select, Space, Switch, Tag, Tooltip } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import { FIELD_KEY_PATTERN, isSafeFieldKey, type FieldInfo, type FieldSchema } from '@/lib/forms/definition';
import { fieldKindLabel } from '@/lib/forms/field-kinds';
import { toLocale } from '@/lib/i18n';
import { FieldControl } from '../record-form/field-control';
import type { UserOption } from '../record-form/types';
import { OptionsEditor } from './options-editor';
import { fieldOptions, withOptions } from './draft-ops';
import { KindIcon } from './kind-icon';
import { MaskEditor } from './mask-editor';
import styles from './form-builder.module.css';
import { InfoCircleOutlined, LockOutlined } from '../icons';

type Patch = Partial<Record<keyof FieldSchema, unknown>>;

const PATTERN_PRESETS = [
  { id: 'digits', pattern: '^\\d+$' },
  { id: 'alnum', pattern: '^[A-Za-z0-9]+$' },
  { id: 'postcode', pattern: '^\\d{6}$' },
  { id: 'uscc', pattern: '^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$' },
  { id: 'landline', pattern: '^0\\d{2,3}-?\\d{7,8}$' },
] as const;

const TEXT_KINDS = new Set(['text', 'textarea']);
const NO_PLACEHOLDER = new Set(['checkbox']);
const NO_DEFAULT = new Set(['owner']);

const isBlank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function Section({ title, children, extra }: { title: ReactNode; children: ReactNode; extra?: ReactNode }) {
  return (
    <div className={styles.propSection}>
      <div className={styles.propSectionTitle}>
        <span>{title}</span>
        {extra}
      </div>
      {children}
    </div>
  );
}

export interface FieldPropertiesProps {
  field: FieldInfo;
  /** The key can change only while no published version has the field (records store values by key). */
  keyEditable: boolean;
  /** Keys in use by other fields, removed fields and earlier versions. */
  takenKeys: ReadonlySet<string>;
  errors: string[];
  userOptions: UserOption[];
  onPatch: (patch: Patch) => void;
  onRequired: (required: boolean) => void;
  onRename: (to: string) => void;
}

export function FieldProperties({ field, keyEditable, takenKeys, errors, userOptions, onPatch, onRequired, onRename }: FieldPropertiesProps) {
  const t = useTranslations('builder.props');
  const locale = toLocale(useLocale());
  const s = field.schema;
  const [keyDraft, setKeyDraft] = useState(field.key);
  useEffect(() => setKeyDraft(field.key), [field.key]);

  const keyError =
    keyDraft === field.key
      ? undefined
      : !FIELD_KEY_PATTERN.test(keyDraft)
        ? t('keyInvalid')
        : !isSafeFieldKey(keyDraft)
          ? t('keyReserved')
          : takenKeys.has(keyDraft)
          ? t('keyTaken')
          : undefined;
  const commitKey = () => {
    if (keyDraft !== field.key && !keyError) onRename(keyDraft);
  };

  const num = (v: number | string | null) => (v === null || v === '' ? undefined : Number(v));

  return (
    <div className={styles.props} data-testid="field-properties">
      <div className={styles.propsHead}>
        <span className={styles.propsKind}>
          <KindIcon kind={field.kind} />
        </span>
        <div>
          <div className={styles.panelTitle}>{t('title')}</div>
          <div className={styles.propsKindName}>{fieldKindLabel(field.kind, locale)}</div>
        </div>
      </div>

      {errors.length > 0 && (
        <Alert
          type="error"
          showIcon
          className={styles.propsErrors}
          title={errors.length === 1 ? errors[0] : t('errors', { n: errors.length })}
          description={
            errors.length > 1 ? (
              <ul className={styles.problemList}>
                {errors.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}

      <Form layout="vertical" component={false} size="middle">
        <Section title={t('basic')}>
          <Form.Item label={t('label')} required className={styles.propItem}>
            <Input value={s.title} maxLength={100} onChange={(e) => onPatch({ title: e.target.value })} data-testid="prop-title" />
          </Form.Item>
          <Form.Item
            label={
              <Space size={4}>
                {t('key')}
                <Tooltip title={keyEditable ? t('keyHelp') : t('keyLocked')}>
                  <InfoCircleOutlined className={styles.hintIcon} />
                </Tooltip>
              </Space>
            }
            validateStatus={keyError ? 'error' : undefined}
            help={keyError}
            className={styles.propItem}
          >
            <Input
              value={keyDraft}
              disabled={!keyEditable}
              className={styles.monoInput}
              // A prefix that is always there: antd's Input loses focus when one appears or disappears.
              prefix={keyEditable ? <span /> : <LockOutlined className={styles.hintIcon} />}
              onChange={(e) => setKeyDraft(e.target.value.trim())}
              onBlur={commitKey}
              onPressEnter={commitKey}
              maxLength={63}
              data-testid="prop-key"
            />
          </Form.Item>
          <Form.Item label={t('description')} className={styles.propItem}>
            <Input.TextArea
              value={s.description ?? ''}
              autoSize={{ minRows: 2, maxRows: 5 }}
              maxLength={2000}
              placeholder={t('descriptionPlaceholder')}
              onChange={(e) => onPatch({ description: e.target.value || undefined })}
            />
          </Form.Item>
          {!NO_PLACEHOLDER.has(field.kind) && (
            <Form.Item label={t('placeholder')} className={styles.propItem}>
              <Input
                value={s['x-placeholder'] ?? ''}
                maxLength={200}
                onChange={(e) => onPatch({ 'x-placeholder': e.target.value || undefined })}
              />
            </Form.Item>
          )}
          <div className={styles.switchRow}>
            <span>{t('required')}</span>
            <Switch checked={field.required} onChange={onRequired} data-testid="prop-required" />
          </div>
        </Section>

        {(field.kind === 'select' || field.kind === 'multiselect') && (
          <Section title={t('options')}>
            <OptionsEditor value={fieldOptions(s)} onChange={(options) => onPatch(withOptions(s, options))} />
          </Section>
        )}

        {!NO_DEFAULT.has(field.kind) && (
          <Section title={t('default')}>
            <FieldControl
              field={field}
              value={s.default}
              userOptions={userOptions}
              onChange={(v) => onPatch({ default: isBlank(v) ? undefined : v })}
            />
            {field.kind === 'checkbox' && s.default !== undefined && (
              <a className={styles.clearLink} onClick={() => onPatch({ default: undefined })}>
                {t('clearDefault')}
              </a>
            )}
          </Section>
        )}
        {field.kind === 'owner' && (
          <Section title={t('default')}>
            <div className={styles.muted}>{t('ownerDefault')}</div>
          </Section>
        )}

        {(TEXT_KINDS.has(field.kind) || field.kind === 'address' || field.kind === 'number' || field.kind === 'multiselect') && (
          <Section title={t('rules')}>
            {(TEXT_KINDS.has(field.kind) || field.kind === 'address') && (
              <div className={styles.rangeRow}>
                {field.kind !== 'address' && (
                  <Form.Item label={t('minLength')} className={styles.propItem}>
                    <InputNumber min={0} precision={0} style={{ width: '100%' }} value={s.minLength ?? null} onChange={(v) => onPatch({ minLength: num(v) })} />
                  </Form.Item>
                )}
                <Form.Item label={t('maxLength')} className={styles.propItem}>
                  <InputNumber min={0} precision={0} style={{ width: '100%' }} value={s.maxLength ?? null} onChange={(v) => onPatch({ maxLength: num(v) })} />
                </Form.Item>
              </div>
            )}
            {TEXT_KINDS.has(field.kind) && (
              <Form.Item label={t('pattern')} extra={t('patternHelp')} className={styles.propItem}>
                <Space.Compact block>
                  <Input
                    className={styles.monoInput}
                    value={s.pattern ?? ''}
                    maxLength={500}
                    placeholder="^\d{6}$"
                    onChange={(e) => onPatch({ pattern: e.target.value || undefined })}
                  />
                  <Select
                    style={{ width: 120 }}
                    placeholder={t('presets')}
                    value={null}
                    popupMatchSelectWidth={220}
                    onChange={(v: string) => onPatch({ pattern: v })}
                    options={PATTERN_PRESETS.map((p) => ({ value: p.pattern, label: t(`preset.${p.id}`) }))}
                  />
                </Space.Compact>
              </Form.Item>
            )}
            {field.kind === 'number' && (
              <>
                <div className={styles.rangeRow}>
                  <Form.Item label={t('minimum')} className={styles.propItem}>
                    <InputNumber style={{ width: '100%' }} value={s.minimum ?? null} onChange={(v) => onPatch({ minimum: num(v) })} />
                  </Form.Item>
                  <Form.Item label={t('maximum')} className={styles.propItem}>
                    <InputNumber style={{ width: '100%' }} value={s.maximum ?? null} onChange={(v) => onPatch({ maximum: num(v) })} />
                  </Form.Item>
                </div>
                <Form.Item label={t('multipleOf')} extra={t('multipleOfHelp')} className={styles.propItem}>
                  <InputNumber
                    style={{ width: '100%' }}
                    min={0}
                    value={s.multipleOf ?? null}
                    onChange={(v) => onPatch({ multipleOf: num(v) || undefined })}
                  />
                </Form.Item>
              </>
            )}
            {field.kind === 'multiselect' && (
              <div className={styles.rangeRow}>
                <Form.Item label={t('minItems')} className={styles.propItem}>
                  <InputNumber min={0} precision={0} style={{ width: '100%' }} value={s.minItems ?? null} onChange={(v) => onPatch({ minItems: num(v) })} />
                </Form.Item>
                <Form.Item label={t('maxItems')} className={styles.propItem}>
                  <InputNumber min={0} precision={0} style={{ width: '100%' }} value={s.maxItems ?? null} onChange={(v) => onPatch({ maxItems: num(v) })} />
                </Form.Item>
              </div>
            )}
          </Section>
        )}

        <Section
          title={t('protection')}
          extra={
            s['x-encrypted'] ? (
              <Tag color="green" variant="filled" icon={<LockOutlined />}>
                {t('protected')}
              </Tag>
            ) : undefined
          }
        >
          <div className={styles.switchRow}>
            <span>
              {t('encrypted')}
              <Tooltip title={field.kind === 'owner' ? t('ownerNoEncrypt') : t('encryptedHelp')}>
                <InfoCircleOutlined className={styles.hintIcon} style={{ marginLeft: 6 }} />
              </Tooltip>
            </span>
            <Switch
              checked={s['x-encrypted'] === true}
              disabled={field.kind === 'owner'}
              onChange={(on) => onPatch({ 'x-encrypted': on ? true : undefined })}
              data-testid="prop-encrypted"
            />
          </div>
          {s['x-encrypted'] && <div className={styles.propNote}>{t('encryptedNote')}</div>}
          <Divider className={styles.propDivider} />
          <MaskEditor key={field.key} field={field} onChange={(mask) => onPatch({ 'x-mask': mask })} />
        </Section>
      </Form>
    </div>
  );
}
