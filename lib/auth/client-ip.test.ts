import { describe, expect, it } from 'vitest';
import { CLIENT_IP_HEADER, clientIpOf, normalizeIp, stampClientIp } from './client-ip';

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
