/**
 * What the sign-in form says about a refusal. lib/auth/next-auth.ts throws
 * `locked:<seconds>` / `rate_limited:<seconds>`, which next-auth hands to the
 * form as `error`; anything else is "wrong email or password" (one message
 * for all, so the form does not reveal which accounts exist).
 */
export type SignInFailure = { kind: 'wrong' } | { kind: 'locked' | 'rateLimited'; minutes: number };

export function signInFailureOf(error: string | null | undefined): SignInFailure {
  const m = /^(locked|rate_limited):(\d{1,6})$/.exec(error ?? '');
  if (!m) return { kind: 'wrong' };
  return { kind: m[1] === 'locked' ? 'locked' : 'rateLimited', minutes: Math.max(1, Math.ceil(Number(m[2]) / 60)) };
}
