/**
 * What the transport layer knows about a request, as types only. The system
 * credential type is public, but a value of it is accepted only when
 * lib/auth/system-caller.ts made it: a hand-built lookalike is refused.
 */
import type { Locale } from '@/lib/i18n';

export interface SystemCredential {
  readonly type: 'unsafe-system';
  /** The audit label of the system actor ("cli", a job name). */
  readonly label: string;
  /** When set, the caller acts as this existing user with that user's rights. */
  readonly userId?: string;
}

export type Credential =
  | { type: 'session'; sessionId: string }
  | { type: 'token'; token: string }
  | { type: 'anonymous' }
  /** Migrations, seeds, CLI, jobs and tests only; made by lib/auth/system-caller.ts. */
  | SystemCredential;

/** What the transport layer knows about a request. */
export interface Caller {
  credential: Credential;
  ip: string;
  userAgent?: string;
  locale: Locale;
}
