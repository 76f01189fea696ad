/** Builds the Caller of an operation from a Next.js request (pages and server actions). */
import 'server-only';
import { cookies, headers } from 'next/headers';
import { getServerSession } from 'next-auth/next';
import { authOptions } from '@/lib/auth/next-auth';
import { clientIp } from '@/lib/auth/client-ip';
import type { Caller } from '@/lib/auth/principal';
import { LOCALE_COOKIE, toLocale, type Locale } from '@/lib/i18n';

export async function getLocale(): Promise<Locale> {
  const c = await cookies();
  return toLocale(c.get(LOCALE_COOKIE)?.value);
}

export async function getCaller(): Promise<Caller> {
  const [h, session, locale] = await Promise.all([headers(), getServerSession(authOptions()), getLocale()]);
  return {
    credential: session?.sid ? { type: 'session', sessionId: session.sid } : { type: 'anonymous' },
    ip: clientIp(h),
    userAgent: h.get('user-agent') ?? undefined,
    locale,
  };
}
