import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_IP_HEADER, clientIp, clientIpOf, markServedByEntry, normalizeIp, stampClientIp } from './client-ip';

describe('the client IP cannot be chosen by the client (item 7)', () => {
  it('without a trusted proxy it is the TCP peer, whatever the headers say', () => {
    expect(clientIpOf('203.0.113.9', '10.0.0.1', 0)).toBe('203.0.113.9');
    expect(clientIpOf('203.0.113.9', ['10.0.0.1', '10.0.0.2'], 0)).toBe('203.0.113.9');
    expect(clientIpOf('::ffff:203.0.113.9', undefined, 0)).toBe('203.0.113.9');
    expect(clientIpOf(undefined, '10.0.0.1', 0)).toBe('0.0.0.0');
  });

  it('with N trusted hops it is the entry N places from the end of X-Forwarded-For', () => {
    // client -> proxy (appends the client) -> app: the peer is the proxy.
    expect(clientIpOf('10.0.0.2', '203.0.113.9', 1)).toBe('203.0.113.9');
    // A client-written prefix is ignored.
    expect(clientIpOf('10.0.0.2', '1.1.1.1, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientIpOf('10.0.0.3', '1.1.1.1, 203.0.113.9, 10.0.0.2', 2)).toBe('203.0.113.9');
    expect(clientIpOf('10.0.0.3', ['1.1.1.1, 203.0.113.9', '10.0.0.2'], 2)).toBe('203.0.113.9');
    // Fewer entries than hops: all were written by trusted proxies, the first is the furthest.
    expect(clientIpOf('10.0.0.3', '203.0.113.9', 2)).toBe('203.0.113.9');
    // No header (the proxy was bypassed) or garbage where the client should be: the peer.
    expect(clientIpOf('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(clientIpOf('10.0.0.2', '1.1.1.1, unknown', 1)).toBe('10.0.0.2');
    expect(clientIpOf('10.0.0.2', '<script>', 1)).toBe('10.0.0.2');
  });

  it('normalises addresses and refuses what is not one', () => {
    expect(normalizeIp('[2001:DB8::1]:443')).toBe('2001:db8::1');
    expect(normalizeIp('203.0.113.9:51000')).toBe('203.0.113.9');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    for (const bad of ['', 'localhost', '999.1.1.1', '1.2.3', 'unknown', "1.2.3.4'--"]) expect(normalizeIp(bad)).toBeUndefined();
  });

  it('the server entry replaces a client-sent private header and, untrusted, drops forwarding headers', () => {
    const headers: Record<string, string | string[] | undefined> = {
      [CLIENT_IP_HEADER]: '10.0.0.1',
      'x-forwarded-for': '10.0.0.1',
      'x-real-ip': '10.0.0.1',
      forwarded: 'for=10.0.0.1',
    };
    expect(stampClientIp(headers, '203.0.113.9', 0)).toBe('203.0.113.9');
    expect(headers).toEqual({ [CLIENT_IP_HEADER]: '203.0.113.9' });
    const proxied: Record<string, string | string[] | undefined> = { [CLIENT_IP_HEADER]: '10.0.0.1', 'x-forwarded-for': '1.1.1.1, 203.0.113.9' };
    expect(stampClientIp(proxied, '10.0.0.2', 1)).toBe('203.0.113.9');
    expect(proxied[CLIENT_IP_HEADER]).toBe('203.0.113.9');
  });
});

describe('over a real socket, as server.ts serves (item 7)', () => {
  let server: Server;
  let hops = 0;
  beforeAll(async () => {
    markServedByEntry();
    // What server.ts does before Next, then what a route handler reads.
    server = createServer((req, res) => {
      stampClientIp(req.headers, req.socket.remoteAddress, hops);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      res.end(JSON.stringify({ ip: clientIp(headers), xff: req.headers['x-forwarded-for'] ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (headers: Record<string, string>) =>
    new Promise<{ ip: string; xff: string | null }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('error', reject);
      req.end();
    });

  it('spoofed X-Forwarded-For, X-Real-IP and the private header itself do not change the IP', async () => {
    hops = 0;
    expect(await get({})).toEqual({ ip: '127.0.0.1', xff: null });
    expect(await get({ 'X-Forwarded-For': '10.1.2.3', 'X-Real-IP': '10.1.2.4', [CLIENT_IP_HEADER]: '10.1.2.5' })).toEqual({ ip: '127.0.0.1', xff: null });
    expect(await get({ 'x-formwarden-CLIENT-ip': '10.1.2.5' })).toEqual({ ip: '127.0.0.1', xff: null });
  });

  it('with one trusted hop, the proxy-appended entry counts, not what the client put before it', async () => {
    hops = 1;
    expect((await get({ 'X-Forwarded-For': '10.1.2.3, 203.0.113.9' })).ip).toBe('203.0.113.9');
    expect((await get({ [CLIENT_IP_HEADER]: '10.1.2.5' })).ip).toBe('127.0.0.1');
  });
});
