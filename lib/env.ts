/**
 * Configuration, parsed and validated once. Nothing else reads `process.env`:
 * a bad deployment fails at start (next.config.ts imports this) with a clear
 * message instead of at the first request.
 */
import path from 'node:path';

export interface Env {
  /** PostgreSQL server URL; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database and generated secrets. */
  dataDir: string;
  /** Public base URL of the app (sign-in callbacks). */
  appUrl: string;
  nodeEnv: 'development' | 'production' | 'test';
  /** The port server.ts listens on when `-p` is not given (PORT, default 3000). */
  port: number;
  /**
   * How many reverse proxies in front of the app append to X-Forwarded-For
   * (0: none, the client IP is the TCP peer's address). See lib/auth/client-ip.ts.
   */
  trustProxy: number;
  /** Session lifetime in seconds. */
  sessionMaxAge: number;
  /** How many masked values one user may reveal per hour (FW_REVEAL_PER_HOUR, default 30). */
  revealPerHour: number;
  /** How many exact searches on encrypted fields one user may run per hour (FW_LOOKUP_PER_HOUR, default 300). */
  lookupPerHour: number;
  /** FW_MASTER_KEY: the master key itself (base64), when the environment holds it. */
  masterKey: string | undefined;
  /** FW_MASTER_KEY_FILE: a file holding the master key (base64). */
  masterKeyFile: string | undefined;
  /** FW_FIELD_CIPHER: the suite new encrypted values are sealed with (`aes-256-gcm`, or `sm4`: SM4-CTR + HMAC-SM3). */
  fieldCipher: 'aes-256-gcm' | 'sm4';
  /** FW_JOBS: whether this instance runs background jobs (`off` for a web-only instance). */
  runJobs: boolean;
  /** FW_AUDIT_CHECKPOINT_DIR: where signed checkpoints of the audit chain are written, outside the database. */
  auditCheckpointDir: string;
  /** FW_AUDIT_SIGNING_KEY_FILE: the Ed25519 private key (PEM) that signs them, generated when missing. */
  auditSigningKeyFile: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(`Formwarden configuration error: ${message}`);
    this.name = 'ConfigError';
  }
}

function parseEnv(source: NodeJS.ProcessEnv): Env {
  const problems: string[] = [];
  const databaseUrl = source.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql:// (got "${databaseUrl.split('://')[0]}://…")`);
  }
  const dataDir = path.resolve(/*turbopackIgnore: true*/ source.FW_DATA_DIR?.trim() || '.data');
  const appUrl = source.NEXTAUTH_URL?.trim() || source.APP_URL?.trim() || `http://localhost:${source.PORT || 3000}`;
  try {
    new URL(appUrl);
  } catch {
    problems.push(`NEXTAUTH_URL/APP_URL is not a URL: "${appUrl}"`);
  }
  const port = Number(source.PORT || 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`PORT must be a port number (got "${source.PORT}")`);
  const nodeEnvRaw = source.NODE_ENV ?? 'development';
  const nodeEnv = (['development', 'production', 'test'] as const).find((v) => v === nodeEnvRaw) ?? 'development';
  // A hop count; `true`/`false` stay accepted as 1/0 for older deployments.
  const trustProxyRaw = (source.FW_TRUST_PROXY?.trim() || '0').toLowerCase();
  const trustProxy = trustProxyRaw === 'true' ? 1 : trustProxyRaw === 'false' ? 0 : /^\d{1,2}$/.test(trustProxyRaw) ? Number(trustProxyRaw) : NaN;
  if (!(trustProxy >= 0 && trustProxy <= 10)) {
    problems.push(`FW_TRUST_PROXY must be the number of trusted reverse proxies, 0 to 10 (got "${trustProxyRaw}")`);
  }
  const sessionMaxAge = Number(source.FW_SESSION_MAX_AGE ?? 8 * 3600);
  if (!Number.isInteger(sessionMaxAge) || sessionMaxAge < 60) problems.push('FW_SESSION_MAX_AGE must be a whole number of seconds ≥ 60');
  if (source.FW_MASTER_KEY?.trim() && Buffer.from(source.FW_MASTER_KEY.trim(), 'base64').length !== 32) {
    problems.push('FW_MASTER_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)');
  }
  const masterKeyFile = source.FW_MASTER_KEY_FILE?.trim() ? path.resolve(/*turbopackIgnore: true*/ source.FW_MASTER_KEY_FILE.trim()) : undefined;
  if (source.FW_MASTER_KEY?.trim() && masterKeyFile) problems.push('set either FW_MASTER_KEY or FW_MASTER_KEY_FILE, not both');
  const fieldCipherRaw = (source.FW_FIELD_CIPHER?.trim() || 'aes-256-gcm').toLowerCase();
  const fieldCipher = fieldCipherRaw === 'aes-256-gcm' || fieldCipherRaw === 'sm4' ? fieldCipherRaw : undefined;
  if (!fieldCipher) problems.push(`FW_FIELD_CIPHER must be aes-256-gcm or sm4 (got "${fieldCipherRaw}")`);
  const jobsRaw = (source.FW_JOBS?.trim() || 'on').toLowerCase();
  if (jobsRaw !== 'on' && jobsRaw !== 'off') problems.push(`FW_JOBS must be on or off (got "${jobsRaw}")`);
  if (source.NEXTAUTH_SECRET !== undefined && source.NEXTAUTH_SECRET.length < 32) {
    problems.push('NEXTAUTH_SECRET must be at least 32 characters');
  }
  const revealRaw = source.FW_REVEAL_PER_HOUR?.trim() || '30';
  const revealPerHour = /^\d{1,5}$/.test(revealRaw) ? Number(revealRaw) : NaN;
  if (!(revealPerHour >= 1)) problems.push(`FW_REVEAL_PER_HOUR must be a whole number of reveals per user and hour, at least 1 (got "${revealRaw}")`);
  const lookupRaw = source.FW_LOOKUP_PER_HOUR?.trim() || '300';
  const lookupPerHour = /^\d{1,6}$/.test(lookupRaw) ? Number(lookupRaw) : NaN;
  if (!(lookupPerHour >= 1)) problems.push(`FW_LOOKUP_PER_HOUR must be a whole number of exact searches on encrypted fields per user and hour, at least 1 (got "${lookupRaw}")`);
  if (problems.length) throw new ConfigError(problems.join('; '));
  return {
    revealPerHour,
    lookupPerHour,
    masterKey: source.FW_MASTER_KEY?.trim() || undefined,
    masterKeyFile,
    runJobs: jobsRaw !== 'off',
    auditCheckpointDir: path.resolve(/*turbopackIgnore: true*/ source.FW_AUDIT_CHECKPOINT_DIR?.trim() || path.join(dataDir, 'audit-checkpoints')),
    auditSigningKeyFile: path.resolve(/*turbopackIgnore: true*/ source.FW_AUDIT_SIGNING_KEY_FILE?.trim() || path.join(dataDir, 'audit-signing-key.pem')),
    fieldCipher: fieldCipher!,
    databaseUrl,
    dataDir,
    appUrl,
    nodeEnv,
    port,
    trustProxy,
    sessionMaxAge,
  };
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests of the parser itself. */
export const parseEnvForTest = parseEnv;

/** For tests that run the app under another configuration (the next env() parses process.env again). */
export function reloadEnvForTest(): void {
  cached = undefined;
}
