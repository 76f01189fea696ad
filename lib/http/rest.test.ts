import { describe, it, expect } from 'vitest';
import { isAppError } from '@/lib/errors';
import { MAX_BODY_BYTES, readJsonBody } from './rest';
import { CHUNK, streamedBody } from '@/test/helpers/streamed-body';

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request('http://localhost/api/v1/x', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return { code: e.code, status: e.status, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('readJsonBody', () => {
  it('stops reading a large streamed body at the limit: 413, constant memory', async () => {
    const { stream, stats } = streamedBody(400 * 1024 * 1024); // 400 MB, never made whole
    expect(await refusal(readJsonBody(post(stream), 'zh-CN'))).toMatchObject({ code: 'payload_too_large', status: 413, message: '请求体过大（上限 1 MB）' });
    // The limit is 1 MB: the reader stopped after about 16 chunks of 64 KB, not 6,400.
    expect(stats.pulled).toBeLessThanOrEqual(Math.ceil(MAX_BODY_BYTES / CHUNK) + 2);
  });

  it('refuses a declared Content-Length over the limit without reading a byte', async () => {
    const { stream, stats } = streamedBody(10 * 1024 * 1024);
    const request = post(stream, { 'content-length': String(10 * 1024 * 1024) });
    expect(await refusal(readJsonBody(request, 'en'))).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(stats.pulled).toBe(0);
  });

  it('reads a body up to the limit', async () => {
    const json = JSON.stringify({ values: { notes: 'x'.repeat(MAX_BODY_BYTES - 40) } });
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(((await readJsonBody(post(json), 'zh-CN')).values as { notes: string }).notes.length).toBe(MAX_BODY_BYTES - 40);
  });

  it('answers malformed JSON and bad UTF-8 with 400, JSON that is no object with 422', async () => {
    expect(await refusal(readJsonBody(post('{"values": {'), 'zh-CN'))).toMatchObject({ code: 'bad_request', status: 400, message: '请求体不是有效的 JSON' });
    expect(await refusal(readJsonBody(post(''), 'en'))).toMatchObject({ code: 'bad_request', status: 400, message: 'The request body is not valid JSON' });
    expect(await refusal(readJsonBody(post(new Uint8Array([0x7b, 0xff, 0x7d])), 'en'))).toMatchObject({ code: 'bad_request', status: 400 });
    expect(await refusal(readJsonBody(post('[1, 2]'), 'en'))).toMatchObject({ code: 'invalid_input', status: 422 });
    expect(await refusal(readJsonBody(post('"text"'), 'en'))).toMatchObject({ code: 'invalid_input', status: 422 });
  });
});
