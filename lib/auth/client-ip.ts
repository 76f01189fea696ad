import { env } from '@/lib/env';

/**
 * The client's address. Next puts the socket address into X-Forwarded-For;
 * behind a trusted reverse proxy (FW_TRUST_PROXY) the first entry is the
 * client, otherwise only the last hop is believed: a client cannot pick
 * its own IP by sending the header.
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for');
  if (forwarded) {
    const hops = forwarded.split(',').map((s) => s.trim()).filter(Boolean);
    const ip = env().trustProxy ? hops[0] : hops[hops.length - 1];
    if (ip) return ip.replace(/^::ffff:/, '');
  }
  return headers.get('x-real-ip') ?? '0.0.0.0';
}
