/**
 * Where the master key lives. The master key never encrypts a record value: it wraps the data
 * keys (and the blind-index keys) stored in the database, so the database alone opens nothing.
 * Callers only ask a provider to wrap and unwrap; an external KMS (whose master key never
 * leaves it) implements the same two calls without any caller changing.
 *
 * Built in: FW_MASTER_KEY (base64, from the environment), FW_MASTER_KEY_FILE (a file holding
 * that), or for the embedded quick start a key generated once into the data folder.
 */
import 'server-only';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError, env } from '@/lib/env';
import { unwrapKey, wrapKey } from './field-cipher';

export interface KeyProvider {
  /** Where the master key comes from, for status pages and warnings; never the key. */
  readonly source: 'environment' | 'file' | 'generated';
  /** The file holding it, for the file sources. */
  readonly file?: string;
  /** Seals a data key for storage under `label` (the key's purpose and version). */
  wrap(label: string, dataKey: Buffer): Promise<string>;
  /** Throws when `wrapped` was not made by this master key for `label`. */
  unwrap(label: string, wrapped: string): Promise<Buffer>;
}

/** A provider over a 32-byte master key held in this process. */
export function localKeyProvider(master: Buffer, source: KeyProvider['source'], file?: string): KeyProvider {
  if (master.length !== 32) throw new ConfigError('the master key must be 32 bytes, base64-encoded (openssl rand -base64 32)');
  return {
    source,
    file,
    wrap: async (label, dataKey) => wrapKey(master, label, dataKey),
    unwrap: async (label, wrapped) => unwrapKey(master, label, wrapped),
  };
}

function readKeyFile(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`the master key file ${file} cannot be read`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`${file} does not hold a 32-byte base64 master key`);
  return key;
}

function generatedKeyFile(): string {
  const { dataDir } = env();
  const file = path.join(dataDir, 'master-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      console.warn(`[formwarden] no master key configured: generated one into ${file}. Set FW_MASTER_KEY or FW_MASTER_KEY_FILE in production.`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return file;
}

let configured: KeyProvider | undefined;

/** The deployment's provider, chosen from the configuration once. */
export function keyProvider(): KeyProvider {
  if (configured) return configured;
  const e = env();
  if (e.masterKey) configured = localKeyProvider(Buffer.from(e.masterKey, 'base64'), 'environment');
  else if (e.masterKeyFile) configured = localKeyProvider(readKeyFile(e.masterKeyFile), 'file', e.masterKeyFile);
  else {
    const file = generatedKeyFile();
    configured = localKeyProvider(readKeyFile(file), 'generated', file);
  }
  return configured;
}

/** Tests and the master-key rotation use another provider for a while. */
export function useKeyProvider(provider: KeyProvider | undefined): void {
  configured = provider;
}

/** A provider over the key in `file`, for `fw keys rotate-master --new-key-file`. */
export const keyProviderFromFile = (file: string): KeyProvider => localKeyProvider(readKeyFile(file), 'file', file);

const inside = (folder: string, file: string) => {
  const rel = path.relative(path.resolve(folder), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/** Why the master key's place is unsafe: what pages show (in the reader's language) and the log says. */
export type KeyPlacementProblem = { problem: 'beside-database'; file: string; dataDir: string } | { problem: 'generated'; file: string };

/**
 * Threat: a copy of the data folder (a backup, a stolen disk image) that holds the key next to
 * the embedded database opens every encrypted value; so does a server deployment running on a
 * key nobody chose.
 */
export function masterKeyPlacement(provider: KeyProvider = keyProvider()): KeyPlacementProblem | undefined {
  const e = env();
  if (!provider.file) return undefined;
  if (!e.databaseUrl && inside(e.dataDir, provider.file)) return { problem: 'beside-database', file: provider.file, dataDir: e.dataDir };
  if (provider.source === 'generated') return { problem: 'generated', file: provider.file };
  return undefined;
}

/** The same, as a log line. */
export function masterKeyPlacementWarning(provider: KeyProvider = keyProvider()): string | undefined {
  const p = masterKeyPlacement(provider);
  if (!p) return undefined;
  return p.problem === 'beside-database'
    ? `The master key (${p.file}) sits in the same folder as the embedded database (${p.dataDir}): a copy of that folder opens every encrypted value. Keep the key elsewhere (FW_MASTER_KEY or FW_MASTER_KEY_FILE) and out of backups.`
    : `The master key was generated into ${p.file} because none is configured: set FW_MASTER_KEY or FW_MASTER_KEY_FILE for this deployment and keep it out of backups.`;
}
