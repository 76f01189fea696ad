'use client';
/**
 * Breadcrumbs above a page header: where this page sits, each step a link
 * but the last.
 */
import Link from 'next/link';
import { Breadcrumb } from 'antd';
import type { ReactNode } from 'react';
import { useTranslations } from 'next-intl';
import styles from './records.module.css';
import { HomeOutlined } from '../icons';

export interface Crumb {
  title: ReactNode;
  href?: string;
}

export function PageCrumbs({ items }: { items: Crumb[] }) {
  const t = useTranslations('records.crumbs');
  return (
    <Breadcrumb
      className={styles.crumbs}
      items={[
        { title: <Link href="/apps" aria-label={t('home')}><HomeOutlined /></Link> },
        ...items.map((c, i) => ({
          title: c.href && i < items.length - 1 ? <Link href={c.href}>{c.title}</Link> : c.title,
        })),
      ]}
    />
  );
}
