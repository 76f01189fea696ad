/**
 * What may be logged about an unexpected error: its kind and where it came
 * from, never its message. A database error's message and detail quote the
 * values of the statement ("invalid input syntax for type numeric: "…"",
 * "Key (…)=(…) already exists"), and so do JSON and crypto errors; logs are
 * read by more people and kept longer than the data they would leak.
 */
const text = (v: unknown) => (typeof v === 'string' && /^[\w.-]{1,128}$/.test(v) ? v : undefined);

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `non-error thrown (${typeof error})`;
  const e = error as Error & { code?: unknown; constraint?: unknown; table?: unknown; column?: unknown; routine?: unknown };
  const parts = [text(e.name) ?? 'Error'];
  // SQLSTATE and schema names (constraint, table, column) say what failed without quoting any value.
  const code = text(e.code);
  if (code) parts.push(`code=${code}`);
  for (const k of ['constraint', 'table', 'column', 'routine'] as const) {
    const v = text(e[k]);
    if (v) parts.push(`${k}=${v}`);
  }
  // Stack frames only: the stack's first lines repeat the message.
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 5);
  return [parts.join(' '), ...frames].join('\n');
}
