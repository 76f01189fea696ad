/**
 * Runs before every page: a Content-Security-Policy with a fresh nonce per
 * request. Next reads the nonce from the request's CSP header and puts it on
 * its own scripts; the root layout reads `x-nonce` for antd's CSS-in-JS
 * styles. An injected <script> or <style> without the nonce does not run, so
 * a stored value that slips past escaping still cannot execute (XSS), and
 * `frame-ancestors 'none'` stops the pages being framed (clickjacking).
 * Static headers (and /api, which this proxy does not see so that request
 * bodies reach the route handlers unread) are in next.config.ts.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';

export function contentSecurityPolicy(nonce: string, options: { https: boolean }): string {
  return [
    "default-src 'self'",
    // strict-dynamic: scripts Next's nonced bootstrap loads may run; nothing inline without the nonce.
    // 'unsafe-eval': ajv compiles the record validators into functions in the browser (the same
    // rules as the server). It lets code that already runs build code; it admits no injected
    // script. Shipping precompiled (standalone) validators would let it go.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'unsafe-eval'`,
    `style-src 'self' 'nonce-${nonce}'`,
    // React renders style props as attributes in server HTML; attributes cannot carry a nonce and run no code.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const config = env();
  const https = new URL(config.appUrl).protocol === 'https:';
  const csp = contentSecurityPolicy(nonce, { https });
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      // Not /api (its bodies must reach the handlers unbuffered), not static files, not prefetches.
      source: '/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
