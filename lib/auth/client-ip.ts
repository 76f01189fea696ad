/**
 * The client's address, as audit, throttling and (later) IP allowlists see it.
 *
 * Threat: a client that sends `X-Forwarded-For: 10.0.0.1` must not be
 * audited as 10.0.0.1, escape a per-IP sign-in limit by rotating the header,
 * or pass an IP allowlist. `next start` cannot help: it sets X-Forwarded-For
 * from the socket only when the client did not send one (`??=` in
 * next/dist/server/base-server.js), and a route handler never sees the socket.
 *
 * So Formwarden is served by its own small entry (server.ts, `npm run serve`):
 * for every request it computes the client IP from the TCP peer's address
 * (and, only with FW_TRUST_PROXY=<hops>, from that many entries at the end of
 * X-Forwarded-For), drops whatever the client sent in the private header
 * below and writes the answer into it. A client can send that header too,
 * but the entry overwrites it before Next sees the request; the header is
 * believed only in a process the entry started (a mark on globalThis).
 */
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { ConfigError, env } from '@/lib/env';

/** Set by server.ts only; any client-sent copy is replaced. */
export const CLIENT_IP_HEADER = 'x-formwarden-client-ip';
const SERVED_BY_ENTRY = Symbol.for('formwarden.client-ip-header');

/** An address in canonical form, or undefined if it is not one ("unknown", garbage, a host name). */
export function normalizeIp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let v = value.trim();
  // "[2001:db8::1]:443" and "203.0.113.7:51000" (some proxies add the port).
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) v = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  v = v.toLowerCase().replace(/%.*$/, ''); // no zone ids ("fe80::1%eth0")
  if (v.startsWith('::ffff:') && isIP(v.slice(7)) === 4) v = v.slice(7);
  return isIP(v) ? v : undefined;
}

/**
 * The client IP of one request. `hops` is how many trusted reverse proxies
 * each append the address they received from to X-Forwarded-For: the client
 * is then the entry that many places from the end (entries before it were
 * written by the client and are ignored). With 0 hops only the TCP peer counts.
 */
export function clientIpOf(peer: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string {
  const peerIp = normalizeIp(peer) ?? '0.0.0.0';
  if (hops <= 0) return peerIp;
  const list = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // No entry: the request reached us without passing the proxy; the peer is the client.
  if (list.length === 0) return peerIp;
  // Fewer entries than hops: every entry was written by a trusted proxy, the first is the furthest.
  return normalizeIp(list[Math.max(0, list.length - hops)]) ?? peerIp;
}

/**
 * Called by server.ts for every request before Next sees it: replaces the
 * private header, and without a trusted proxy drops client-sent forwarding
 * headers so nothing downstream (Next, next-auth, logs) believes them.
 */
export function stampClientIp(headers: IncomingHttpHeaders, remoteAddress: string | undefined, hops: number): string {
  const ip = clientIpOf(remoteAddress, headers['x-forwarded-for'], hops);
  if (hops <= 0) {
    delete headers['x-forwarded-for'];
    delete headers['x-real-ip'];
    delete headers['forwarded'];
  }
  headers[CLIENT_IP_HEADER] = ip;
  return ip;
}

/** server.ts: this process is served by the entry, so CLIENT_IP_HEADER can be believed. */
export function markServedByEntry(): void {
  (globalThis as Record<symbol, unknown>)[SERVED_BY_ENTRY] = true;
}

let warned = false;

export function clientIp(headers: Headers): string {
  if ((globalThis as Record<symbol, unknown>)[SERVED_BY_ENTRY] === true) {
    return normalizeIp(headers.get(CLIENT_IP_HEADER) ?? undefined) ?? '0.0.0.0';
  }
  // `next start` / `next dev` directly: the socket is out of reach and any
  // header may be the client's. Production refuses rather than audit and
  // throttle by an address the client chose.
  if (env().nodeEnv === 'production') {
    throw new ConfigError('start Formwarden with `npm run serve` (server.ts): without it the client IP cannot be known');
  }
  if (!warned && env().nodeEnv === 'development') {
    warned = true;
    console.warn('[formwarden] not started through server.ts: client IPs come from X-Forwarded-For (development only)');
  }
  const forwarded = headers.get('x-forwarded-for')?.split(',');
  return normalizeIp(forwarded?.[forwarded.length - 1]) ?? '0.0.0.0';
}
