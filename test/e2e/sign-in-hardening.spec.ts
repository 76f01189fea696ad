/**
 * Sign-in hardening over real HTTP against the production server (server.ts,
 * FW_TRUST_PROXY unset): a client cannot choose its IP to dodge the sign-in
 * limit, next-auth hands `rate_limited` to the form, and next-auth's own
 * redirects stay on our origin. Needs no account (works before setup).
 */
import { expect, test, type APIRequestContext } from '@playwright/test';

const spoofed = (i: number) => ({ 'x-forwarded-for': `10.66.${i}.1`, 'x-real-ip': `10.67.${i}.1`, 'x-formwarden-client-ip': `10.68.${i}.1` });

async function credentials(request: APIRequestContext, email: string, password: string, headers: Record<string, string>) {
  const { csrfToken } = await (await request.get('/api/auth/csrf')).json();
  const res = await request.post('/api/auth/callback/credentials', {
    form: { csrfToken, email, password, callbackUrl: '/apps', json: 'true' },
    headers,
  });
  const { url } = await res.json();
  return new URL(url).searchParams.get('error');
}

test('rotating spoofed forwarding headers does not dodge the per-IP sign-in limit', async ({ request }) => {
  const email = `ghost-${Date.now()}@example.com`;
  // If any header chose the IP, each attempt would be a fresh (account, IP) pair and never be held back.
  for (let i = 0; i < 5; i++) expect(await credentials(request, email, 'wrong-password', spoofed(i))).toBe('CredentialsSignin');
  const error = await credentials(request, email, 'wrong-password', spoofed(99));
  expect(error).toMatch(/^rate_limited:\d+$/);
});

test('next-auth redirects only to our own origin', async ({ request, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  for (const callbackUrl of ['/\t/evil.example', '//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
    const { csrfToken } = await (await request.get('/api/auth/csrf')).json();
    const res = await request.post('/api/auth/signout', { form: { csrfToken, callbackUrl, json: 'true' } });
    const { url } = await res.json();
    expect(new URL(url, origin).origin, callbackUrl).toBe(origin);
  }
});
