/**
 * The keys: the master key that wraps the field-encryption data keys, and
 * the sign-in secret. Apart from lib/env.ts (which next.config.ts and the
 * browser-facing build load) and marked server-only, so no client bundle and
 * no page can reach them; only lib/crypto and lib/auth import this module.
 */
import 'server-only';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError, env } from '@/lib/env';

/**
 * The master key that wraps the field-encryption data keys: FW_MASTER_KEY
 * (32 bytes, base64) when set, otherwise one generated once into the data
 * folder (with a warning: keep it apart from database backups in production).
 */
export function masterKey(): Buffer {
  const fromEnv = process.env.FW_MASTER_KEY;
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new ConfigError('FW_MASTER_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)');
    return key;
  }
  const file = path.join(env().dataDir, 'master-key');
  if (!existsSync(file)) {
    mkdirSync(env().dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      console.warn(`[formwarden] FW_MASTER_KEY is not set: generated a master key into ${file}. Keep it out of database backups; set FW_MASTER_KEY in production.`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`${file} does not hold a 32-byte base64 key`);
  return key;
}

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
