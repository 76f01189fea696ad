import type { ReactNode } from 'react';
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { getLocale, getMessages, getTimeZone, getTranslations } from 'next-intl/server';
import { Providers } from '@/components/providers';
import './globals.css';

// Every page reads the session and the database at request time; nothing is
// prerendered at build time (the build must not open the data folder).
export const dynamic = 'force-dynamic';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('common.product');
  return {
    title: { default: t('fullName'), template: `%s · ${t('name')}` },
    description: t('tagline'),
    robots: { index: false, follow: false },
  };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [locale, messages, timeZone, requestHeaders] = await Promise.all([getLocale(), getMessages(), getTimeZone(), headers()]);
  // The per-request nonce of the Content-Security-Policy (proxy.ts): antd's style tags must carry it.
  const nonce = requestHeaders.get('x-nonce') ?? undefined;
  return (
    <html lang={locale}>
      <body>
        <Providers locale={locale} messages={messages} timeZone={timeZone} nonce={nonce}>
          {children}
        </Providers>
      </body>
    </html>
  );
}
