/**
 * Readable random passwords for accounts nobody has chosen a password for
 * yet (the example users): 3 × 4 characters from an alphabet without look-alikes
 * (no 0/O, 1/l/I), about 68 bits, always with letters and digits so they pass
 * the password rules.
 */
import 'server-only';
import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function randomReadablePassword(): string {
  for (;;) {
    const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]);
    const password = [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((c) => c.join('')).join('-');
    if (/[A-Za-z]/.test(password) && /\d/.test(password)) return password;
  }
}
