import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptValue, encryptValue, isCipherToken, openWith, sealWith, tokenSuite, tokenVersion, unwrapKey, wrapKey } from './field-cipher';

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

describe('the 国密 suite (SM4-CTR + HMAC-SM3)', () => {
  const key = randomBytes(32);
  const ctx = { formId: 'f1', recordId: 'r1', field: 'phone' };
  it('round-trips as an fw2 token, with a fresh IV per value, and opens through the same entry as AES-GCM', () => {
    const a = sealWith('sm4', key, 3, '13812345678', ctx);
    const b = sealWith('sm4', key, 3, '13812345678', ctx);
    expect(a).toMatch(/^fw2\.3\./);
    expect(a).not.toBe(b);
    expect(tokenVersion(a)).toBe(3);
    expect(tokenSuite(a)).toBe('sm4');
    expect(openWith(key, a, ctx)).toBe('13812345678');
    expect(openWith(key, sealWith('aes-256-gcm', key, 3, { x: 1 }, ctx), ctx)).toEqual({ x: 1 });
    expect(a).not.toContain('13812345678');
  });
  it('fails closed on a changed byte, another record or field, and another key', () => {
    const t = sealWith('sm4', key, 1, '13812345678', ctx);
    const i = t.length - 50;
    const flipped = `${t.slice(0, i)}${t[i] === 'A' ? 'B' : 'A'}${t.slice(i + 1)}`;
    expect(() => openWith(key, flipped, ctx)).toThrow();
    expect(() => openWith(key, t, { ...ctx, recordId: 'r2' })).toThrow();
    expect(() => openWith(key, t, { ...ctx, field: 'idNo' })).toThrow();
    expect(() => openWith(randomBytes(32), t, ctx)).toThrow();
    expect(() => openWith(key, 'fw2.1.AAAA', ctx)).toThrow();
  });
});
