/**
 * next-intl request configuration, without locale routing: the language is
 * the NEXT_LOCALE cookie set by the language switcher (default 简体中文).
 * lib/next/caller.ts reads the same cookie, so error messages of operations
 * come back in the language of the page.
 */
import { cookies } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { LOCALE_COOKIE, toLocale } from '@/lib/i18n';
import { TIME_ZONE_COOKIE, toTimeZone } from '@/lib/time-zone';
import { messagesFor } from '@/messages';

export default getRequestConfig(async () => {
  const jar = await cookies();
  const locale = toLocale(jar.get(LOCALE_COOKIE)?.value);
  // The browser's own zone (components/time-zone-sync.tsx), so times are the user's wall clock.
  const timeZone = toTimeZone(jar.get(TIME_ZONE_COOKIE)?.value);
  return { locale, messages: messagesFor(locale), timeZone };
});
