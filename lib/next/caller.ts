/** Builds the Caller of an operation from a Next.js request (pages and server actions). */
import 'server-only';
import { cookies, headers } from 'next/headers';
import { getToken } from 'next-auth/jwt';
import { authOptions } from '@/lib/auth/next-auth';
import { clientIp } from '@/lib/auth/client-ip';
import type { Caller } from '@/lib/auth/principal';
import { LOCALE_COOKIE, toLocale, type Locale } from '@/lib/i18n';

export async function getLocale(): Promise<Locale> {
  const c = await cookies();
  return toLocale(c.get(LOCALE_COOKIE)?.value);
}

/**
 * The session secret from next-auth's signed, encrypted JWT cookie (same
 * secret and cookie name as next-auth: getToken derives the name from
 * NEXTAUTH_URL, which authOptions sets). The session callback no longer puts
 * the sid into the session object browser JavaScript reads, so the server
 * reads it here; the operation checks it against the database on every call.
 */
async function sessionId(): Promise<string | undefined> {
  const { secret } = authOptions();
  // Cookies only: no `authorization` header, so a Bearer value cannot stand in for the cookie.
  const token = await getToken({ req: { cookies: await cookies(), headers: {} } as never, secret });
  return typeof token?.sid === 'string' ? token.sid : undefined;
}

export async function getCaller(): Promise<Caller> {
  const [h, sid, locale] = await Promise.all([headers(), sessionId(), getLocale()]);
  return {
    credential: sid ? { type: 'session', sessionId: sid } : { type: 'anonymous' },
    ip: clientIp(h),
    userAgent: h.get('user-agent') ?? undefined,
    locale,
  };
}
