/**
 * Checks for mainland-China identifiers used as ajv formats (cn-mobile, cn-id-card, bank-card).
 *
 * Pure and dependency-free: the same code runs in the browser (instant feedback) and on the
 * server (the check that counts), so both sides agree on what is valid. The checksums stop
 * typos from being stored as customer data; they are not proof that a number exists.
 */

const MOBILE = /^1[3-9]\d{9}$/;

/** An 11-digit mainland mobile number, without country code or separators. */
export function isValidCnMobile(s: string): boolean {
  return typeof s === 'string' && MOBILE.test(s);
}

// GB 11643-1999: weights 2^(17-i) mod 11 for positions 1..17, check map for sum mod 11.
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/**
 * The GB 11643-1999 check character ('0'-'9' or 'X') for the first 17 digits of a resident
 * identity card number. Throws a RangeError unless given exactly 17 ASCII digits.
 */
export function idCardCheckDigit(first17: string): string {
  if (typeof first17 !== 'string' || !/^\d{17}$/.test(first17)) {
    throw new RangeError('idCardCheckDigit needs exactly 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** Today's calendar date in China (UTC+8, no daylight saving), as YYYYMMDD, whatever the host's zone. */
function chinaToday(now: Date): string {
  const d = new Date(now.getTime() + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * An 18-character resident identity card number: 17 digits and a check character, the
 * GB 11643-1999 checksum right, and a real birth date from 1900 up to today (China time).
 * A lowercase x is accepted here; normalisation stores it uppercase.
 * `now` is for tests.
 */
export function isValidCnIdCard(s: string, now: Date = new Date()): boolean {
  if (typeof s !== 'string' || !/^\d{17}[\dXx]$/.test(s)) return false;
  const birth = s.slice(6, 14);
  const y = Number(birth.slice(0, 4));
  const m = Number(birth.slice(4, 6));
  const d = Number(birth.slice(6, 8));
  if (y < 1900 || !isCalendarDate(y, m, d) || birth > chinaToday(now)) return false;
  return idCardCheckDigit(s.slice(0, 17)) === s[17].toUpperCase();
}

/** The Luhn (mod 10) check digit to append to `payload` (ASCII digits only). */
export function luhnCheckDigit(payload: string): string {
  let sum = 0;
  // Walking from the right, the digit next to the future check digit is doubled first.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let n = payload.charCodeAt(i) - 48;
    if (double) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return String((10 - (sum % 10)) % 10);
}

/** True when `digits` (ASCII digits only) passes the Luhn check: its last digit is the check digit. */
function passesLuhn(digits: string): boolean {
  return luhnCheckDigit(digits.slice(0, -1)) === digits[digits.length - 1];
}

/** A bank card number: 12 to 19 digits (no separators) passing the Luhn check. */
export function isValidBankCard(s: string): boolean {
  return typeof s === 'string' && /^\d{12,19}$/.test(s) && passesLuhn(s);
}
