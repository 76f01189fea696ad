'use client';
/** The right panel when no field is selected: the form's own name and description. */
import { Form, Input, Statistic } from 'antd';
import { useTranslations } from 'next-intl';
import type { FieldInfo } from '@/lib/forms/definition';
import styles from './form-builder.module.css';
import { SettingOutlined } from '../icons';

export function FormSettings({
  name,
  description,
  fields,
  onChange,
}: {
  name: string;
  description: string;
  fields: FieldInfo[];
  onChange: (patch: { name?: string; description?: string }) => void;
}) {
  const t = useTranslations('builder.settings');
  const encrypted = fields.filter((f) => f.schema['x-encrypted']).length;
  const masked = fields.filter((f) => f.schema['x-mask'] && f.schema['x-mask'] !== 'none').length;
  return (
    <div className={styles.props} data-testid="form-settings">
      <div className={styles.propsHead}>
        <span className={styles.propsKind}>
          <SettingOutlined />
        </span>
        <div>
          <div className={styles.panelTitle}>{t('title')}</div>
          <div className={styles.propsKindName}>{t('subtitle')}</div>
        </div>
      </div>
      <Form layout="vertical" component={false}>
        <div className={styles.propSection}>
          <Form.Item label={t('name')} required validateStatus={name.trim() ? undefined : 'error'} help={name.trim() ? undefined : t('nameRequired')} className={styles.propItem}>
            <Input value={name} maxLength={100} onChange={(e) => onChange({ name: e.target.value })} data-testid="form-name" />
          </Form.Item>
          <Form.Item label={t('description')} className={styles.propItem}>
            <Input.TextArea
              value={description}
              maxLength={500}
              showCount
              autoSize={{ minRows: 3, maxRows: 8 }}
              onChange={(e) => onChange({ description: e.target.value })}
            />
          </Form.Item>
        </div>
      </Form>
      <div className={styles.propSection}>
        <div className={styles.propSectionTitle}>{t('overview')}</div>
        <div className={styles.stats}>
          <Statistic title={t('fields')} value={fields.length} />
          <Statistic title={t('required')} value={fields.filter((f) => f.required).length} />
          <Statistic title={t('encrypted')} value={encrypted} />
          <Statistic title={t('masked')} value={masked} />
        </div>
      </div>
      <div className={styles.propNote}>{t('tip')}</div>
    </div>
  );
}
