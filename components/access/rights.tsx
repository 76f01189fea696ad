'use client';
/**
 * How one user's rights on one form are shown in the overview tables: each allowed action
 * with its scopes and the groups that give them, and the fields by mode. Everything shown is
 * read off the operations' answer (lib/access), worded by lib/access/wording.
 */
import Link from 'next/link';
import { Space, Tag, Tooltip, Typography } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import { scopeText, type Wording } from '@/lib/access/wording';
import type { FieldMode, RecordAction } from '@/lib/policy';
import type { FormRights, FormSummary } from '@/lib/access/operations';
import styles from './access.module.css';

export const MODE_COLORS: Record<FieldMode, string> = {
  hidden: 'default',
  masked: 'orange',
  read: 'blue',
  'write-on-create': 'cyan',
  write: 'green',
};

export function useWording(form: FormSummary, userName: string, names?: Record<string, string>): Wording {
  return { locale: useLocale(), userName, fields: form.fields, onRecord: false, names };
}

/** One action's scopes, "全部 · 客服；本人 · 销售", or nothing when the action is not allowed; reveal also names its fields. */
export function ActionScopes({ rights, action, wording }: { rights: FormRights; action: RecordAction; wording: Wording }) {
  const t = useTranslations('access');
  const a = rights.actions.find((x) => x.action === action);
  if (!a) return <Typography.Text type="secondary">—</Typography.Text>;
  const titles = (keys: string[]) => keys.map((k) => wording.fields.find((f) => f.key === k)?.title ?? k).join(t('condition.list'));
  return (
    <div className={styles.scopes}>
      {action === 'reveal' && rights.revealFields.length > 0 && <span className={styles.revealFields}>{titles(rights.revealFields)}</span>}
      {a.because.map((b) => (
        <div key={b.group.groupId} data-testid={`scope-${action}`}>
          {b.scope !== null && <span className={styles.scope}>{scopeText(wording, b.scope)}</span>}
          <Tag variant="filled" className={styles.groupTag}>
            {b.group.groupName}
          </Tag>
        </div>
      ))}
    </div>
  );
}

/** Every allowed action with its scopes and groups; `compact`: one tag each, the groups in a tooltip. */
export function ActionList({ rights, wording, only, compact }: { rights: FormRights; wording: Wording; only?: readonly RecordAction[]; compact?: boolean }) {
  const t = useTranslations('access');
  const actions = rights.actions.filter((a) => !only || only.includes(a.action));
  if (!actions.length) return <Typography.Text type="secondary">—</Typography.Text>;
  if (compact) {
    return (
      <Space size={[4, 6]} wrap>
        {actions.map((a) => {
          const scopes = [...new Set(a.because.flatMap((b) => (b.scope === null ? [] : [scopeText(wording, b.scope)])))];
          return (
            <Tooltip key={a.action} title={a.because.map((b) => b.group.groupName).join(t('condition.list'))}>
              <Tag color="blue" variant="filled" className={styles.groupTag}>
                {t(`actionLabels.${a.action}`)}
                {scopes.length > 0 && ` · ${scopes.join(t('because.join'))}`}
              </Tag>
            </Tooltip>
          );
        })}
      </Space>
    );
  }
  return (
    <div className={styles.actionList}>
      {actions.map((a) => (
        <div key={a.action} className={styles.actionLine}>
          <Tag color="blue" variant="filled" className={styles.actionTag}>
            {t(`actionLabels.${a.action}`)}
          </Tag>
          <span className={styles.because}>
            {a.because.map((b, i) => (
              <span key={b.group.groupId}>
                {i > 0 && t('because.join')}
                {b.scope !== null ? `${scopeText(wording, b.scope)} · ` : ''}
                {b.group.groupName}
              </span>
            ))}
          </span>
        </div>
      ))}
    </div>
  );
}

/** The fields by mode on existing records: 脱敏 手机号、身份证号 … (hidden last); `compact`: a count per mode, the names in a tooltip. */
export function FieldModes({ rights, form, compact }: { rights: FormRights; form: FormSummary; compact?: boolean }) {
  const t = useTranslations('access');
  const title = (key: string) => form.fields.find((f) => f.key === key)?.title ?? key;
  const order: FieldMode[] = ['write', 'read', 'masked', 'hidden'];
  if (compact) {
    return (
      <Space size={[4, 6]} wrap>
        {order
          .filter((m) => rights.modes[m].length > 0)
          .map((m) => (
            <Tooltip key={m} title={rights.modes[m].map(title).join(t('condition.list'))}>
              <Tag color={MODE_COLORS[m]} variant="filled" className={styles.groupTag} data-testid={`modes-${m}`}>
                {t(`modes.${m}`)} {rights.modes[m].length}
              </Tag>
            </Tooltip>
          ))}
      </Space>
    );
  }
  return (
    <div className={styles.fieldModes}>
      {order
        .filter((m) => rights.modes[m].length > 0)
        .map((m) => (
          <div key={m} className={styles.modeLine}>
            <Tag color={MODE_COLORS[m]} variant="filled" className={styles.modeTag}>
              {t(`modes.${m}`)}
            </Tag>
            <span className={m === 'hidden' ? styles.hiddenFields : undefined}>{rights.modes[m].map(title).join(t('condition.list'))}</span>
          </div>
        ))}
      {rights.revealFields.length > 0 && (
        <div className={styles.modeLine}>
          <Tooltip title={t('columns.revealFields')}>
            <Tag color="gold" variant="filled" className={styles.modeTag}>
              {t('actionLabels.reveal')}
            </Tag>
          </Tooltip>
          <span>{rights.revealFields.map(title).join(t('condition.list'))}</span>
        </div>
      )}
    </div>
  );
}

/** 解释 and 以此身份查看 for one user on one form. */
export function RowLinks({ userId, formId, canView }: { userId: string; formId: string; canView: boolean }) {
  const t = useTranslations('access');
  return (
    <Space size={12} wrap>
      <Link href={`/admin/access?tab=explain&userId=${userId}&formId=${formId}`}>{t('explainLink')}</Link>
      {canView && (
        <Link href={`/admin/access/view-as/${userId}/${formId}`} data-testid="view-as-link">
          {t('viewAs')}
        </Link>
      )}
    </Space>
  );
}
