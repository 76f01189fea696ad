/** The UI languages. 简体中文 first. Pure: usable on server and client. */
export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'zh-CN';
export const LOCALE_COOKIE = 'NEXT_LOCALE';

export function toLocale(value: string | null | undefined): Locale {
  if (!value) return defaultLocale;
  if (value === 'en' || value.toLowerCase().startsWith('en')) return 'en';
  return 'zh-CN';
}

/** A message in both languages, for domain errors raised outside React. */
export type Bilingual = { zh: string; en: string };
export const say = (locale: Locale, m: Bilingual): string => (locale === 'en' ? m.en : m.zh);
