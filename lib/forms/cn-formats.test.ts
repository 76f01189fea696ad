import { describe, it, expect } from 'vitest';
import { idCardCheckDigit, isValidBankCard, isValidCnIdCard, isValidCnMobile } from './cn-formats';

// Test data is generated here, never taken from real people. The check digits come from
// implementations written differently from the ones under test (ISO 7064 MOD 11-2 as an
// iteration instead of the weight table; Luhn by doubling from the left of a padded string),
// so a shared mistake cannot vouch for itself.

function mod112(first17: string): string {
  let p = 0;
  for (const ch of first17) p = ((p + Number(ch)) * 2) % 11;
  const check = (12 - (p % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

function luhnAppend(payload: string): string {
  // Pad to an odd length so the digit before the check digit sits at an even index from the left.
  const padded = payload.length % 2 === 0 ? '0' + payload : payload;
  let sum = 0;
  for (let i = 0; i < padded.length; i++) {
    let d = Number(padded[i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return payload + String((10 - (sum % 10)) % 10);
}

/** Small deterministic PRNG (LCG) for reproducible generated numbers. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const REGIONS = ['110101', '310104', '330106', '440305', '510107', '610113'];
const NOW = new Date('2025-06-15T12:00:00Z');

function generatedIds(count: number, seed = 1): string[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => {
    const year = 1940 + r(80);
    const month = 1 + r(12);
    const day = 1 + r(28);
    const first17 = `${REGIONS[r(REGIONS.length)]}${year}${pad(month, 2)}${pad(day, 2)}${pad(r(1000), 3)}`;
    return first17 + mod112(first17);
  });
}

/** The same string with one character changed to another digit. */
function oneDigitOff(s: string, index: number): string {
  const c = s[index];
  const replacement = c === 'X' ? '0' : String((Number(c) + 1) % 10);
  return s.slice(0, index) + replacement + s.slice(index + 1);
}

describe('isValidCnMobile', () => {
  it('accepts 11-digit numbers in the 13x-19x blocks', () => {
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const phone = `1${3 + r(7)}${pad(r(1e9), 9)}`;
      expect(isValidCnMobile(phone), phone).toBe(true);
    }
  });

  it('refuses wrong prefixes, lengths and characters', () => {
    for (const bad of ['12000000000', '10000000000', '1380013800', '138001380000', '+8613800138000', '138 0013 8000', '1380013800a', '', ' 13800138000']) {
      expect(isValidCnMobile(bad), bad).toBe(false);
    }
    expect(isValidCnMobile(13800138000 as unknown as string)).toBe(false);
  });
});

describe('idCardCheckDigit', () => {
  it('agrees with ISO 7064 MOD 11-2 on generated numbers, including X', () => {
    const r = rng(3);
    let sawX = false;
    for (let i = 0; i < 2000; i++) {
      const first17 = pad(r(1e9), 9) + pad(r(1e8), 8);
      const digit = idCardCheckDigit(first17);
      expect(digit, first17).toBe(mod112(first17));
      sawX ||= digit === 'X';
    }
    expect(sawX).toBe(true);
  });

  it('refuses anything but 17 digits', () => {
    for (const bad of ['', '1234567890123456', '123456789012345678', '1234567890123456X', '１２３４５６７８９０１２３４５６７']) {
      expect(() => idCardCheckDigit(bad), bad).toThrow(RangeError);
    }
  });
});

describe('isValidCnIdCard', () => {
  const ids = generatedIds(500);

  it('accepts generated numbers with a correct check digit, x in either case', () => {
    for (const id of ids) expect(isValidCnIdCard(id, NOW), id).toBe(true);
    const withX = ids.filter((id) => id.endsWith('X'));
    expect(withX.length).toBeGreaterThan(0);
    for (const id of withX) expect(isValidCnIdCard(id.slice(0, 17) + 'x', NOW), id).toBe(true);
  });

  it('refuses a number with any one digit changed', () => {
    for (const id of ids.slice(0, 50)) {
      for (let i = 0; i < 18; i++) expect(isValidCnIdCard(oneDigitOff(id, i), NOW), `${id} @${i}`).toBe(false);
    }
  });

  it('refuses impossible or future birth dates even with a right check digit', () => {
    const withCheck = (first17: string) => first17 + mod112(first17);
    expect(isValidCnIdCard(withCheck('11010119900230123'), NOW)).toBe(false); // 30 February
    expect(isValidCnIdCard(withCheck('11010119901301123'), NOW)).toBe(false); // month 13
    expect(isValidCnIdCard(withCheck('11010118991231123'), NOW)).toBe(false); // before 1900
    expect(isValidCnIdCard(withCheck('11010120000229123'), NOW)).toBe(true); // leap day
    expect(isValidCnIdCard(withCheck('11010119000229123'), NOW)).toBe(false); // 1900 was no leap year
    // The birth date is compared with today in China (UTC+8): 2025-06-15 08:00 there.
    const chinaMorning = new Date('2025-06-15T00:00:00Z');
    expect(isValidCnIdCard(withCheck('11010120250615123'), chinaMorning)).toBe(true);
    expect(isValidCnIdCard(withCheck('11010120250616123'), chinaMorning)).toBe(false);
  });

  it('refuses wrong lengths and characters', () => {
    const id = ids[0];
    for (const bad of [id.slice(0, 17), id + '1', ' ' + id.slice(1), id.slice(0, 16) + 'X' + id[17], '']) {
      expect(isValidCnIdCard(bad, NOW), bad).toBe(false);
    }
  });
});

describe('isValidBankCard', () => {
  const r = rng(11);
  const cards = Array.from({ length: 300 }, (_, i) => {
    const length = 12 + (i % 8); // 12..19
    return luhnAppend(`62${pad(r(1e9), 9)}${pad(r(1e9), 9)}`.slice(0, length - 1));
  });

  it('accepts generated 12-19 digit numbers passing Luhn, and the classic test number', () => {
    for (const card of cards) expect(isValidBankCard(card), card).toBe(true);
    expect(new Set(cards.map((c) => c.length))).toEqual(new Set([12, 13, 14, 15, 16, 17, 18, 19]));
    expect(isValidBankCard('4111111111111111')).toBe(true);
  });

  it('refuses a number with any one digit changed', () => {
    for (const card of cards.slice(0, 40)) {
      for (let i = 0; i < card.length; i++) expect(isValidBankCard(oneDigitOff(card, i)), `${card} @${i}`).toBe(false);
    }
  });

  it('refuses wrong lengths and separators', () => {
    expect(isValidBankCard(luhnAppend('6222020'))).toBe(false); // 8 digits
    expect(isValidBankCard(luhnAppend('62220200000000000000'))).toBe(false); // 21 digits
    expect(isValidBankCard('4111 1111 1111 1111')).toBe(false);
    expect(isValidBankCard('4111-1111-1111-1111')).toBe(false);
  });
});
