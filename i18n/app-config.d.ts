import type { Locale } from '@/lib/i18n';

// useLocale() / getLocale() return our Locale union instead of string.
declare module 'next-intl' {
  interface AppConfig {
    Locale: Locale;
  }
}
