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
import { say, toLocale, type Locale } from '@/lib/i18n';

type Params = Record<string, string>;
type Handler = (ctx: { caller: Caller; request: Request; params: Params }) => Promise<unknown>;

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

/** A record's JSON is far below this; anything larger is refused before parsing. */
const MAX_BODY_BYTES = 1_000_000;

/** Reads a JSON body or fails with a clear 400-class problem. */
export async function jsonBody(request: Request, locale: Locale): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new AppError('invalid_input', say(locale, { zh: '请求体过大（上限 1 MB）', en: 'The request body is too large (limit 1 MB)' }));
  }
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new AppError('invalid_input', say(locale, { zh: '请求体必须是 JSON 对象', en: 'The request body must be a JSON object' }));
}

export function restRoute(handler: Handler, options: { status?: number; public?: boolean } = {}) {
  return async (request: Request, context: { params: Promise<Params> }): Promise<Response> => {
    const locale = toLocale(request.headers.get('accept-language'));
    try {
      const caller = callerOf(request, locale);
      if (caller.credential.type === 'anonymous' && !options.public) {
        throw new AppError('unauthenticated', say(locale, { zh: '缺少或无效的 API 令牌', en: 'Missing or invalid API token' }));
      }
      const result = await handler({ caller, request, params: (await context.params) ?? {} });
      return new Response(JSON.stringify(result), {
        status: options.status ?? 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    } catch (e) {
      if (isAppError(e)) {
        const res = problem(e.status, e.message, e.code, e.details?.fields ? { errors: e.details.fields } : {});
        if (e.code === 'unauthenticated') res.headers.set('www-authenticate', 'Bearer');
        return res;
      }
      // Codes only: the error object's message can quote stored values.
      console.error(`[formwarden] REST handler ${request.method} ${new URL(request.url).pathname} failed: ${describeError(e)}`);
      return problem(500, say(locale, { zh: '服务器内部错误', en: 'Internal error' }), 'internal');
    }
  };
}
