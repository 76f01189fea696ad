/**
 * REST route handlers for /api/v1: bearer-token callers, JSON in, JSON out,
 * errors as application/problem+json (RFC 9457). A test checks every route
 * handler is built with this and calls an operation.
 */
import 'server-only';
import { AppError, isAppError } from '@/lib/errors';
import { describeError } from '@/lib/error-log';
import { clientIp } from '@/lib/auth/client-ip';
import type { Caller } from '@/lib/auth/principal';
import { reportRestAuthFailure } from '@/lib/auth/operations';
import { msg, toLocale, type Locale } from '@/lib/i18n';
import { checkCredential } from './operations';

type Params = Record<string, string>;
interface HandlerContext {
  caller: Caller;
  request: Request;
  params: Params;
  /**
   * The JSON object body. The only way a handler gets it: the credential is checked first,
   * and the body is read with a byte limit (see readJsonBody).
   */
  body(): Promise<Record<string, unknown>>;
}
type Handler = (ctx: HandlerContext) => Promise<unknown>;

export function problem(status: number, title: string, code: string, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ type: `https://formwarden.dev/problems/${code}`, title, status, code, ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function callerOf(request: Request, locale: Locale): Caller {
  const auth = request.headers.get('authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  return {
    credential: m ? { type: 'token', token: m[1] } : { type: 'anonymous' },
    ip: clientIp(request.headers),
    userAgent: request.headers.get('user-agent') ?? undefined,
    locale,
  };
}

/** A record's JSON is far below this; anything larger is refused without being read whole. */
export const MAX_BODY_BYTES = 1_000_000;

const tooLarge = (locale: Locale) =>
  new AppError('payload_too_large', msg(locale, 'errors.http.payloadTooLarge'));

const malformed = (locale: Locale) =>
  new AppError('bad_request', msg(locale, 'errors.http.badJson'));

/**
 * Reads a JSON object body, at most `limit` bytes: a declared Content-Length over the limit is
 * refused unread, and the stream is read with a running count that stops at the limit, so a
 * 400 MB body costs the server 1 MB of memory, not 400 MB (a memory-exhaustion attack). Not
 * JSON (or not UTF-8) is a 400; JSON that is not an object fails validation, a 422.
 */
export async function readJsonBody(request: Request, locale: Locale, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    await request.body?.cancel().catch(() => undefined);
    throw tooLarge(locale);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(locale);
      }
      chunks.push(value);
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    throw malformed(locale);
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new AppError('invalid_input', msg(locale, 'errors.http.notAnObject'));
}

/**
 * A call that failed authentication: audited (at most one event a minute per
 * IP, with a count) and, for a bad bearer token, counted against the IP; an
 * IP locked for guessing tokens gets 429 with Retry-After (lib/auth/throttle.ts).
 */
async function authenticationFailed(request: Request, caller: Caller, e: AppError): Promise<Response> {
  const locale = caller.locale;
  let lock: { retryAfter: number } | null = null;
  try {
    const path = new URL(request.url).pathname;
    ({ lock } = await reportRestAuthFailure({ ...caller, credential: { type: 'anonymous' } }, { badToken: caller.credential.type === 'token', path }));
  } catch (failure) {
    console.error('[formwarden] could not record a REST authentication failure', isAppError(failure) ? failure.code : failure);
  }
  if (lock) {
    const minutes = Math.max(1, Math.ceil(lock.retryAfter / 60));
    const res = problem(429, msg(locale, 'errors.http.tokenRateLimited', { minutes }), 'rate_limited');
    res.headers.set('retry-after', String(lock.retryAfter));
    return res;
  }
  const res = problem(e.status, e.message, e.code);
  res.headers.set('www-authenticate', 'Bearer');
  return res;
}

export function restRoute(handler: Handler, options: { status?: number; public?: boolean } = {}) {
  return async (request: Request, context: { params: Promise<Params> }): Promise<Response> => {
    const locale = toLocale(request.headers.get('accept-language'));
    let caller: Caller | undefined;
    try {
      caller = callerOf(request, locale);
      if (caller.credential.type === 'anonymous' && !options.public) {
        throw new AppError('unauthenticated', msg(locale, 'errors.http.badToken'));
      }
      const asked = caller;
      const body = async () => {
        // Credential first: an unknown token is refused before one byte of the body is read.
        if (asked.credential.type !== 'anonymous') await checkCredential(asked, {});
        return readJsonBody(request, locale);
      };
      const result = await handler({ caller, request, params: (await context.params) ?? {}, body });
      return new Response(JSON.stringify(result), {
        status: options.status ?? 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    } catch (e) {
      if (isAppError(e) && e.code === 'unauthenticated' && caller) return authenticationFailed(request, caller, e);
      if (isAppError(e)) {
        const res = problem(e.status, e.message, e.code, e.details?.fields ? { errors: e.details.fields } : {});
        if (e.code === 'unauthenticated') res.headers.set('www-authenticate', 'Bearer');
        return res;
      }
      // Codes only: the error object's message can quote stored values.
      console.error(`[formwarden] REST handler ${request.method} ${new URL(request.url).pathname} failed: ${describeError(e)}`);
      return problem(500, msg(locale, 'errors.http.internal'), 'internal');
    }
  };
}
