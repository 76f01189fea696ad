/**
 * The system caller: the only way to call an operation without a session or
 * an API token. Threat: any module that could write
 * `{ credential: { type: 'unsafe-system', userId } }` could act as anyone
 * (or as the system) from a page. A credential counts as a system credential
 * only when it was made here: this module keeps the made ones in a private
 * WeakSet, and resolvePrincipal (lib/auth/principal.ts) refuses every
 * lookalike as unauthenticated.
 *
 * Only cli/, lib/jobs, seeds, migrations and tests may import this module;
 * .dependency-cruiser.cjs and test/architecture.test.ts enforce it.
 */
import 'server-only';
import type { Caller, SystemCredential } from './credential';
import type { Locale } from '@/lib/i18n';

const made = new WeakSet<object>();

/** True only for a credential object built by one of the factories below. */
export function isSystemCredential(credential: object): credential is SystemCredential {
  return made.has(credential);
}

function brand(credential: SystemCredential): SystemCredential {
  const frozen = Object.freeze(credential);
  made.add(frozen);
  return frozen;
}

/**
 * The system itself (CLI, jobs): administrator rights to configure, no user
 * behind it, no groups, so no grant and no record data. Works before any user
 * exists (the CLI creates the first admin). Audited with actor label `label`.
 */
export function unsafeSystemCaller(options: { label?: string; locale?: Locale } = {}): Caller {
  return {
    credential: brand({ type: 'unsafe-system', label: options.label ?? 'cli' }),
    ip: '',
    locale: options.locale ?? 'en',
  };
}

/**
 * Acts as an existing, active user with exactly that user's rights (tests,
 * and jobs that run on someone's behalf, e.g. an export they asked for).
 */
export function unsafeCallerAs(userId: string, options: { locale?: Locale; ip?: string } = {}): Caller {
  return {
    credential: brand({ type: 'unsafe-system', label: 'system', userId }),
    ip: options.ip ?? '127.0.0.1',
    locale: options.locale ?? 'en',
  };
}
