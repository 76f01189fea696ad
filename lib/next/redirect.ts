/** Where the sign-in page sends a user afterwards: a same-origin path only (lib/auth/redirect.ts). */
import 'server-only';
import { env } from '@/lib/env';
import { DEFAULT_AFTER_SIGN_IN, sameOriginPath } from '@/lib/auth/redirect';

/** The sign-in page's callbackUrl, checked against the configured app URL (never back to sign-in: that would loop). */
export function callbackPath(value: unknown): string {
  const path = sameOriginPath(Array.isArray(value) ? value[0] : value, env().appUrl);
  return /^\/sign-in(?:[/?#]|$)/.test(path) ? DEFAULT_AFTER_SIGN_IN : path;
}
