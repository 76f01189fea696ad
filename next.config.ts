import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';
import { env } from './lib/env';

// Parse and validate the configuration now: a bad deployment fails at start
// with a clear message instead of at the first request.
const config = env();

const withNextIntl = createNextIntlPlugin('./i18n/request.ts');

const securityHeaders = [
  // Clickjacking: no page of Formwarden may be framed (CSP frame-ancestors says it for newer browsers).
  { key: 'X-Frame-Options', value: 'DENY' },
  // MIME sniffing could turn an uploaded or exported file into script.
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Record ids in URLs must not travel to other sites in the Referer header.
  { key: 'Referrer-Policy', value: 'same-origin' },
  // A page of customer data has no use for the camera, microphone, location or payment APIs.
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
];

// The API answers JSON only: nothing in it may load or run anything, nor be framed.
const apiHeaders = [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }];

// HTTPS only once it is served over HTTPS: the app's own URL says so, or a trusted proxy does.
// (Sent over plain HTTP, browsers ignore it; sent wrongly, it locks users out of an http-only install.)
const hsts = [{ key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' }];
const servedOverHttps = new URL(config.appUrl).protocol === 'https:';
const hstsRules = servedOverHttps
  ? [{ source: '/:path*', headers: hsts }]
  : Boolean(config.trustProxy)
    ? [{ source: '/:path*', has: [{ type: 'header' as const, key: 'x-forwarded-proto', value: 'https' }], headers: hsts }]
    : [];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // PGlite finds its WASM and data files through `new URL(..., import.meta.url)`;
  // bundled by Turbopack that URL is not a file path, so Node loads it as is.
  serverExternalPackages: ['@electric-sql/pglite'],
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }, { source: '/api/:path*', headers: apiHeaders }, ...hstsRules];
  },
};

export default withNextIntl(nextConfig);
