import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptValue, encryptValue, isCipherToken, tokenVersion, unwrapKey, wrapKey } from './field-cipher';

const key = randomBytes(32);
const ctx = { formId: 'f1', recordId: 'r1', field: 'phone' };

describe('field cipher', () => {
  it('round-trips any JSON value and names its key version', () => {
    for (const v of ['13912345678', 42, ['a', 'b'], true]) {
      const token = encryptValue(key, 3, v, ctx);
      expect(isCipherToken(token)).toBe(true);
      expect(tokenVersion(token)).toBe(3);
      expect(token).not.toContain(String(v));
      expect(decryptValue(key, token, ctx)).toEqual(v);
    }
  });

  it('uses a fresh nonce for every value', () => {
    expect(encryptValue(key, 1, 'same', ctx)).not.toBe(encryptValue(key, 1, 'same', ctx));
  });

  it('refuses a ciphertext moved to another record, field or form', () => {
    const token = encryptValue(key, 1, '13912345678', ctx);
    expect(() => decryptValue(key, token, { ...ctx, recordId: 'r2' })).toThrow();
    expect(() => decryptValue(key, token, { ...ctx, field: 'idNo' })).toThrow();
    expect(() => decryptValue(key, token, { ...ctx, formId: 'f2' })).toThrow();
  });

  it('refuses a tampered ciphertext or the wrong key', () => {
    const token = encryptValue(key, 1, '13912345678', ctx);
    const i = token.length - 5;
    const tampered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    expect(() => decryptValue(key, tampered, ctx)).toThrow();
    expect(() => decryptValue(randomBytes(32), token, ctx)).toThrow();
  });

  it('wraps data keys under the master key, bound to their version', () => {
    const master = randomBytes(32);
    const dataKey = randomBytes(32);
    const wrapped = wrapKey(master, '2', dataKey);
    expect(unwrapKey(master, '2', wrapped).equals(dataKey)).toBe(true);
    expect(() => unwrapKey(master, '3', wrapped)).toThrow();
  });
});
