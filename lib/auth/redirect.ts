/**
 * Where to go after sign-in. Threat: an open redirect. `callbackUrl=/%09/evil.example`
 * passed a "starts with / but not //" check, and the browser, which drops
 * tabs and newlines from URLs, went to //evil.example: another site, with
 * the user believing they had just signed in to Formwarden (phishing).
 *
 * So the value is parsed as a URL against the app's own origin, exactly as a
 * browser would, and accepted only when the origin is still ours; what is
 * returned is the parsed path, not the raw text.
 */
import 'server-only';

export const DEFAULT_AFTER_SIGN_IN = '/apps';

/** A same-origin path (`/x?y#z`) for `value`, or `fallback`. Pure. */
export function sameOriginPath(value: unknown, appOrigin: string, fallback = DEFAULT_AFTER_SIGN_IN): string {
  if (typeof value !== 'string' || value === '' || value.length > 2048 || value.includes('\0')) return fallback;
  let url: URL;
  let origin: string;
  try {
    origin = new URL(appOrigin).origin;
    url = new URL(value, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil" parses to the path "//evil", which a browser reads as another host.
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return fallback;
  // Defence in depth: a layer that decodes once more ("/%09/evil" -> "/\t/evil")
  // must not turn the answer into another site either.
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return fallback;
  }
  if (decoded !== path && sameOriginPath(decoded, origin, '') === '') return fallback;
  return path;
}
