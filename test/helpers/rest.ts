/** Calls the REST route handlers in-process, exactly as Next would. */
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function call(
  handler: Handler,
  opts: { token?: string; params?: Record<string, string>; body?: unknown; query?: string; method?: string; locale?: string },
): Promise<{ status: number; body: any; contentType: string | null }> {
  const headers: Record<string, string> = { 'x-forwarded-for': '127.0.0.1' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.locale) headers['accept-language'] = opts.locale;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const request = new Request(`http://localhost/api/v1/x${opts.query ? `?${opts.query}` : ''}`, {
    method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const res = await handler(request, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, contentType: res.headers.get('content-type') };
}
