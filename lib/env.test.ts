import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnvForTest } from './env';

describe('configuration', () => {
  it('defaults to the embedded database in ./.data on port 3000', () => {
    const e = parseEnvForTest({ NODE_ENV: 'production' });
    expect(e.databaseUrl).toBeUndefined();
    expect(e.dataDir).toMatch(/\.data$/);
    expect(e.appUrl).toBe('http://localhost:3000');
    expect(e.trustProxy).toBe(0);
  });

  it('reads FW_TRUST_PROXY as a hop count (true/false still mean 1/0)', () => {
    const hops = (v: string) => parseEnvForTest({ NODE_ENV: 'production', FW_TRUST_PROXY: v }).trustProxy;
    expect([hops('0'), hops('false'), hops('true'), hops('1'), hops('2')]).toEqual([0, 0, 1, 1, 2]);
    for (const bad of ['-1', '1.5', 'yes', '99']) expect(() => hops(bad)).toThrow(/FW_TRUST_PROXY/);
  });

  it('takes a PostgreSQL URL and the port', () => {
    const e = parseEnvForTest({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@db:5432/fw', PORT: '8080' });
    expect(e.databaseUrl).toBe('postgres://u@db:5432/fw');
    expect(e.appUrl).toBe('http://localhost:8080');
  });

  it('refuses a bad deployment at once, naming every problem', () => {
    const bad = { NODE_ENV: 'production', DATABASE_URL: 'mysql://x', FW_TRUST_PROXY: 'maybe', NEXTAUTH_SECRET: 'short', FW_MASTER_KEY: 'c2hvcnQ=' } as const;
    expect(() => parseEnvForTest(bad)).toThrow(ConfigError);
    try {
      parseEnvForTest(bad);
    } catch (e) {
      const message = (e as Error).message;
      for (const name of ['DATABASE_URL', 'FW_TRUST_PROXY', 'NEXTAUTH_SECRET', 'FW_MASTER_KEY']) expect(message).toContain(name);
    }
  });
});
