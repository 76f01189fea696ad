import 'server-only';
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { AppError } from '@/lib/errors';
import { msg, type Locale } from '@/lib/i18n';

// argon2id (the library's default algorithm) with OWASP's minimum profile:
// 19 MiB, 2 passes, 1 lane.
const options = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * At most ARGON2_CONCURRENCY argon2 computations at once, and at most ARGON2_QUEUE waiting.
 * Threat: a flood of sign-ins (each ~19 MiB and tens of ms of CPU on the
 * libuv pool) starving every other request of CPU, memory and pool threads.
 * Beyond the queue a caller is refused at once with `rate_limited` instead
 * of waiting (a queue that long means a flood, not a user).
 */
// Half the cores (1 on a 2-core machine): the main thread (Next, and PGlite,
// which runs there) keeps a core of its own however many sign-ins arrive.
export const ARGON2_CONCURRENCY = Math.max(1, Math.floor(availableParallelism() / 2));
export const ARGON2_QUEUE = 8;
let running = 0;
const waiting: (() => void)[] = [];

/**
 * Runs `work` in an argon2 slot. With a locale (sign-in) it is refused with
 * `rate_limited` when the queue is full; without one (admins and seeds
 * setting passwords) it waits its turn.
 */
export async function withArgon2Slot<T>(work: () => Promise<T>, refuseInLocale?: Locale): Promise<T> {
  if (running >= ARGON2_CONCURRENCY) {
    if (refuseInLocale && waiting.length >= ARGON2_QUEUE) {
      const locale = refuseInLocale;
      throw new AppError('rate_limited', msg(locale, 'errors.auth.signInFlood'), { retryAfter: 1 });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter (running stays the same), or free it.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export const hashPassword = (password: string): Promise<string> => withArgon2Slot(() => hash(password, options));

/** For sign-in: refused with `rate_limited` (in `locale`) when the argon2 queue is full. */
export async function verifyPassword(hashed: string, password: string, locale: Locale = 'zh-CN'): Promise<boolean> {
  return withArgon2Slot(async () => {
    try {
      return await verify(hashed, password);
    } catch {
      return false;
    }
  }, locale);
}

/** Compared against when the email is unknown, so timing does not reveal which emails exist. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hash('formwarden-dummy-password', options));

export const MIN_PASSWORD_LENGTH = 8;

export function passwordProblem(password: string, locale: Locale): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return msg(locale, 'errors.auth.passwordTooShort', { min: MIN_PASSWORD_LENGTH });
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password))
    return msg(locale, 'errors.auth.passwordLettersAndDigits');
  return undefined;
}
