'use client';
/**
 * One way to show a point in time on every page: `2026-12-01 09:30` in the
 * user's time zone. The zone comes from next-intl's provider, which the server
 * fills from the same request, so the server's HTML and the browser's first
 * render agree (dayjs() used the process's zone: UTC on the server, the
 * user's in the browser, and React threw hydration error #418).
 */
import { useTimeZone } from 'next-intl';
import { DEFAULT_TIME_ZONE } from '@/lib/time-zone';

export type TimePrecision = 'date' | 'minute' | 'second';

export function formatDateTime(value: string | number | Date, timeZone: string, precision: TimePrecision = 'minute'): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d))
    parts[p.type] = p.value;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  if (precision === 'date') return date;
  const time = `${parts.hour}:${parts.minute}`;
  return precision === 'second' ? `${date} ${time}:${parts.second}` : `${date} ${time}`;
}

/** Formats with the page's time zone; for places that need a string (titles, tooltips). */
export function useFormatDateTime(): (value: string | number | Date, precision?: TimePrecision) => string {
  const timeZone = useTimeZone() ?? DEFAULT_TIME_ZONE;
  return (value, precision) => formatDateTime(value, timeZone, precision);
}

export function DateTime({ value, precision = 'minute', className }: { value: string | number | Date; precision?: TimePrecision; className?: string }) {
  const format = useFormatDateTime();
  const d = value instanceof Date ? value : new Date(value);
  return (
    <time className={className} dateTime={Number.isNaN(d.getTime()) ? undefined : d.toISOString()} data-testid="date-time">
      {format(value, precision)}
    </time>
  );
}
