import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lookupDigest, normaliseForLookup } from './blind-index';
import { luhnCheckDigit } from '@/lib/forms/cn-formats';

describe('normaliseForLookup', () => {
  it('phones: digits only, a +86 / 0086 country code dropped, too short or with letters is no whole value', () => {
    expect(normaliseForLookup('phone', ' 138 1234 5678 ')).toBe('13812345678');
    expect(normaliseForLookup('phone', '+86 138-1234-5678')).toBe('13812345678');
    expect(normaliseForLookup('phone', '008613812345678')).toBe('13812345678');
    expect(normaliseForLookup('phone', '(020) 8888 1234')).toBe('02088881234');
    expect(normaliseForLookup('phone', '+44 20 7946 0958')).toBe('442079460958');
    expect(normaliseForLookup('phone', '138')).toBeUndefined();
    expect(normaliseForLookup('phone', '138abc45678')).toBeUndefined();
    expect(normaliseForLookup('phone', '')).toBeUndefined();
    expect(normaliseForLookup('phone', 13812345678)).toBeUndefined();
    // A mobile field takes mobile numbers only: its first digits are no value of it.
    expect(normaliseForLookup('phone', '1380000', 'cn-mobile')).toBeUndefined();
    expect(normaliseForLookup('phone', '+86 138 1234 5678', 'cn-mobile')).toBe('13812345678');
  });
  it('e-mail lower-cased; 身份证号 with an upper-case X; bank cards by their digits', () => {
    expect(normaliseForLookup('email', ' Zhang.San@Example.COM ')).toBe('zhang.san@example.com');
    expect(normaliseForLookup('email', 'zhang@')).toBeUndefined();
    expect(normaliseForLookup('id-card', '11010519491231002x')).toBe('11010519491231002X');
    expect(normaliseForLookup('id-card', '110105194912')).toBeUndefined();
    expect(normaliseForLookup('bank-card', '6222 0212 3456 7890 128')).toBe('6222021234567890128');
    expect(normaliseForLookup('bank-card', '6222')).toBeUndefined();
    const payload = '622202123456789012';
    const card = payload + luhnCheckDigit(payload);
    const wrong = payload + String((Number(luhnCheckDigit(payload)) + 1) % 10);
    expect(normaliseForLookup('bank-card', card, 'bank-card')).toBe(card);
    expect(normaliseForLookup('bank-card', wrong, 'bank-card')).toBeUndefined();
    expect(normaliseForLookup('text', 'anything')).toBeUndefined();
  });
});

describe('lookupDigest', () => {
  const key = randomBytes(32);
  const form = '00000000-0000-4000-8000-000000000001';
  it('is stable for one form and field, and differs across forms, fields and keys', () => {
    const d = lookupDigest(key, 1, form, 'phone', '13812345678');
    expect(d).toMatch(/^1\.[\w-]{22}$/);
    expect(lookupDigest(key, 1, form, 'phone', '13812345678')).toBe(d);
    expect(lookupDigest(key, 1, '00000000-0000-4000-8000-000000000002', 'phone', '13812345678')).not.toBe(d);
    expect(lookupDigest(key, 1, form, 'mobile', '13812345678')).not.toBe(d);
    expect(lookupDigest(randomBytes(32), 1, form, 'phone', '13812345678')).not.toBe(d);
    expect(lookupDigest(key, 1, form, 'phone', '13812345679')).not.toBe(d);
  });
});
