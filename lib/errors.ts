/**
 * One error type for the whole domain. Codes map to HTTP statuses; messages
 * are safe to show (never contain stored values); `details` carries field
 * errors for forms.
 */
export type ErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  /** The request itself is malformed (not JSON, not UTF-8): nothing to validate yet. */
  | 'bad_request'
  /** Well-formed input that fails validation. */
  | 'invalid_input'
  /** A request body over the limit, refused before it is read whole. */
  | 'payload_too_large'
  | 'conflict'
  | 'locked'
  | 'rate_limited'
  | 'setup_required'
  /** Someone else chose this user's password: only the password change is open until they choose their own. */
  | 'password_change_required'
  | 'internal';

export const httpStatusOf: Record<ErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  bad_request: 400,
  invalid_input: 422,
  payload_too_large: 413,
  conflict: 409,
  locked: 423,
  rate_limited: 429,
  setup_required: 409,
  password_change_required: 403,
  internal: 500,
};

export interface AppErrorDetails {
  /** Field key -> message in the caller's language. */
  fields?: Record<string, string>;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: AppErrorDetails | undefined;
  constructor(code: ErrorCode, message: string, details?: AppErrorDetails) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return httpStatusOf[this.code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
