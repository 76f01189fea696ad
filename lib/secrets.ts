/**
 * The sign-in secret. Apart from lib/env.ts (which next.config.ts and the browser-facing build
 * load) and marked server-only, so no client bundle and no page can reach it; only lib/auth
 * imports this module. The master key has its own provider (lib/crypto/key-provider.ts), also
 * server-only.
 */
import 'server-only';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { env } from '@/lib/env';

/**
 * The sign-in secret: NEXTAUTH_SECRET when set, otherwise one generated once
 * into the data folder, so the quick start needs no setup and sessions survive
 * restarts. Without any secret next-auth answers 500 on every page.
 */
export function authSecret(): string {
  const fromEnv = process.env.NEXTAUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(env().dataDir, 'auth-secret');
  if (!existsSync(file)) {
    mkdirSync(env().dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    console.warn(`[formwarden] NEXTAUTH_SECRET is not set: generated one into ${file}. Set it in production.`);
  }
  return readFileSync(file, 'utf8').trim();
}
