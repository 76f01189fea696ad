import 'server-only';
import { hash, verify } from '@node-rs/argon2';
import { say, type Locale } from '@/lib/i18n';

// argon2id (the library's default algorithm) with OWASP's minimum profile:
// 19 MiB, 2 passes, 1 lane.
const options = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, options);

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** Compared against when the email is unknown, so timing does not reveal which emails exist. */
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword('formwarden-dummy-password'));

export const MIN_PASSWORD_LENGTH = 8;

export function passwordProblem(password: string, locale: Locale): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return say(locale, { zh: `密码至少 ${MIN_PASSWORD_LENGTH} 位`, en: `At least ${MIN_PASSWORD_LENGTH} characters` });
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password))
    return say(locale, { zh: '密码需同时包含字母和数字', en: 'Use both letters and digits' });
  return undefined;
}
