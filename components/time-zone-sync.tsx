'use client';
/**
 * Tells the server the browser's time zone (a cookie read by i18n/request.ts)
 * and re-renders once when it differs from the one the page was rendered in.
 */
import { useEffect } from 'react';
import { useRouter } from 'next/navigation';
import { useTimeZone } from 'next-intl';
import { TIME_ZONE_COOKIE } from '@/lib/time-zone';

export function TimeZoneSync() {
  const rendered = useTimeZone();
  const router = useRouter();
  useEffect(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!browser || browser === rendered) return;
    // Already told (the server may spell the zone differently): refreshing again would loop.
    const told = document.cookie.split('; ').some((c) => c === `${TIME_ZONE_COOKIE}=${encodeURIComponent(browser)}`);
    if (told) return;
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(browser)}; path=/; max-age=31536000; samesite=lax`;
    router.refresh();
  }, [rendered, router]);
  return null;
}
