/**
 * The time zone dates are shown in. Pure: the server renders with it and the
 * browser hydrates with the same value (next-intl's provider carries it), so
 * server and browser print the same time and React never sees a mismatch.
 * The browser reports its own zone in a cookie; until it has, and for a
 * value that is not a real IANA zone, China Standard Time is used.
 */
export const TIME_ZONE_COOKIE = 'FW_TZ';
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export function toTimeZone(value: string | null | undefined): string {
  // A cookie is client input: only a zone Intl knows is used (an unknown one would throw while rendering).
  if (!value || value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return DEFAULT_TIME_ZONE;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}
