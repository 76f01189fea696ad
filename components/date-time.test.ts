import { describe, expect, it } from 'vitest';
import { formatDateTime } from './date-time';
import { DEFAULT_TIME_ZONE, toTimeZone } from '@/lib/time-zone';

describe('formatDateTime', () => {
  it('prints the wall clock of the given zone, whatever the process zone', () => {
    const utcEvening = '2026-12-01T16:30:45.000Z';
    expect(formatDateTime(utcEvening, 'Asia/Shanghai')).toBe('2026-12-02 00:30');
    expect(formatDateTime(utcEvening, 'UTC')).toBe('2026-12-01 16:30');
    expect(formatDateTime(utcEvening, 'Asia/Shanghai', 'second')).toBe('2026-12-02 00:30:45');
    expect(formatDateTime(utcEvening, 'Asia/Shanghai', 'date')).toBe('2026-12-02');
  });
  it('shows midnight as 00, not 24', () => {
    expect(formatDateTime('2026-12-01T16:00:00Z', 'Asia/Shanghai')).toBe('2026-12-02 00:00');
  });
  it('returns an unparseable value as it is', () => {
    expect(formatDateTime('not a date', 'Asia/Shanghai')).toBe('not a date');
  });
});

describe('toTimeZone (the browser-sent cookie)', () => {
  it('keeps real IANA zones and falls back to China Standard Time otherwise', () => {
    expect(toTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(toTimeZone(undefined)).toBe(DEFAULT_TIME_ZONE);
    expect(toTimeZone('Mars/Olympus')).toBe(DEFAULT_TIME_ZONE);
    expect(toTimeZone('"><script>')).toBe(DEFAULT_TIME_ZONE);
    expect(toTimeZone('x'.repeat(200))).toBe(DEFAULT_TIME_ZONE);
  });
});
