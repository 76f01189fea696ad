/**
 * next-intl request configuration, without locale routing: the language is
 * the NEXT_LOCALE cookie set by the language switcher (default 简体中文).
 * lib/next/caller.ts reads the same cookie, so error messages of operations
 * come back in the language of the page.
 */
import { cookies } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { LOCALE_COOKIE, toLocale } from '@/lib/i18n';
import { messagesFor } from '@/messages';

/** Dates and times are shown in China Standard Time, on the server and in the browser alike. */
export const TIME_ZONE = 'Asia/Shanghai';

export default getRequestConfig(async () => {
  const locale = toLocale((await cookies()).get(LOCALE_COOKIE)?.value);
  return { locale, messages: messagesFor(locale), timeZone: TIME_ZONE };
});
