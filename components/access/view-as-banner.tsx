'use client';
/** The banner over every view-as page: whose eyes these are, that nothing here writes, that it is audited. */
import Link from 'next/link';
import { Alert, Button } from 'antd';
import { useTranslations } from 'next-intl';
import type { SubjectSummary } from '@/lib/access/operations';
import { ArrowLeftOutlined, UserSwitchOutlined } from '../icons';
import styles from './access.module.css';

export function ViewAsBanner({ subject }: { subject: SubjectSummary }) {
  const t = useTranslations('access.viewAsPage');
  return (
    <Alert
      type="warning"
      showIcon
      icon={<UserSwitchOutlined />}
      className={styles.banner}
      title={t('banner', { user: subject.name })}
      description={
        <>
          {t('bannerHelp', { user: subject.name })}
          {subject.status !== 'active' && <div>{t('disabledUser')}</div>}
        </>
      }
      action={
        <Link href={`/admin/access?tab=user&userId=${subject.id}`}>
          <Button icon={<ArrowLeftOutlined />}>{t('back')}</Button>
        </Link>
      }
      data-testid="view-as-banner"
    />
  );
}
