import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';
import { env } from './lib/env';

// Parse and validate the configuration now: a bad deployment fails at start
// with a clear message instead of at the first request.
env();

const withNextIntl = createNextIntlPlugin('./i18n/request.ts');

const securityHeaders = [
  // Clickjacking: no page of Formwarden may be framed.
  { key: 'X-Frame-Options', value: 'DENY' },
  // MIME sniffing could turn an uploaded or exported file into script.
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Record ids in URLs must not travel to other sites in the Referer header.
  { key: 'Referrer-Policy', value: 'same-origin' },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // PGlite finds its WASM and data files through `new URL(..., import.meta.url)`;
  // bundled by Turbopack that URL is not a file path, so Node loads it as is.
  serverExternalPackages: ['@electric-sql/pglite'],
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default withNextIntl(nextConfig);
