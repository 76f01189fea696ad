'use client';
import { useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Dropdown } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import { LOCALE_COOKIE, locales, type Locale } from '@/lib/i18n';
import { GlobalOutlined } from './icons';

const ONE_YEAR = 365 * 24 * 3600;

/** Sets the NEXT_LOCALE cookie (read by i18n/request.ts and the operations) and re-renders the page. */
export function LanguageSwitch({ tone = 'light' }: { tone?: 'light' | 'dark' }) {
  const locale = useLocale();
  const t = useTranslations('common.language');
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  const change = (next: Locale) => {
    if (next === locale) return;
    document.cookie = `${LOCALE_COOKIE}=${next}; path=/; max-age=${ONE_YEAR}; samesite=lax`;
    startTransition(() => router.refresh());
  };

  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [locale],
        items: locales.map((l) => ({ key: l, label: t(l) })),
        onClick: ({ key }) => change(key as Locale),
      }}
    >
      <Button
        type="text"
        icon={<GlobalOutlined />}
        loading={pending}
        title={t('label')}
        style={tone === 'dark' ? { color: 'rgba(255,255,255,0.85)' } : undefined}
      >
        {t(locale)}
      </Button>
    </Dropdown>
  );
}
