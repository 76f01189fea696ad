'use client';
/** The three admin views of one form: design, permissions, recycle bin. */
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import styles from './forms-admin.module.css';
import { DeleteOutlined, EditOutlined, SafetyCertificateOutlined } from '../icons';

export type FormAdminTab = 'builder' | 'grants' | 'recycle-bin';

export function FormAdminTabs({ formId, active }: { formId: string; active: FormAdminTab }) {
  const t = useTranslations('builder.tabsNav');
  const tabs: { id: FormAdminTab; icon: React.ReactNode }[] = [
    { id: 'builder', icon: <EditOutlined /> },
    { id: 'grants', icon: <SafetyCertificateOutlined /> },
    { id: 'recycle-bin', icon: <DeleteOutlined /> },
  ];
  return (
    <nav className={styles.tabs} aria-label={t('label')}>
      {tabs.map((tab) => (
        <Link
          key={tab.id}
          href={`/admin/forms/${formId}/${tab.id}`}
          className={`${styles.tab} ${tab.id === active ? styles.tabActive : ''}`}
          aria-current={tab.id === active ? 'page' : undefined}
        >
          {tab.icon}
          <span>{t(tab.id)}</span>
        </Link>
      ))}
    </nav>
  );
}
