/**
 * Totals of record lists, kept per form records version.
 *
 * A list's total is the one part of a page that reads every row in scope: under row-level
 * security PostgreSQL must look at each row's department and values to count it, so 客服's
 * total over 100,000 customers cost more than the rest of the page together. Paging through
 * a list, or coming back to it, asks for the same total again and again while nothing
 * changed. So a total is kept under its exact query and the form's `records_version`
 * (migration 2026-12-02-0003): any write to the form's records gives it a new version, and the
 * next page counts again.
 *
 * The key is the count statement itself, compiled (the caller's scope with its ids and
 * departments, the search, the form), plus the database identity that row-level security
 * counted it under. So a total is only ever reused for the same user asking the same
 * question: a grant, department or search that differs is a different statement, and one
 * user's total never answers another's. Each instance keeps its own; the version comes from
 * the database, so every instance sees every write.
 */
import 'server-only';
import { createHash } from 'node:crypto';

/** How many totals one process keeps (about 200 bytes each), least recently used evicted. */
export const LIST_TOTALS_CACHE_SIZE = 10_000;

// Least recently used first (a Map iterates in insertion order; a hit is re-inserted).
const totals = new Map<string, { version: string; total: number }>();

/** The key of a count statement as `countedAs` (the transaction's RLS identity) runs it. */
export function totalKey(countedAs: string, statement: { sql: string; parameters: readonly unknown[] }): string {
  return createHash('sha256').update(JSON.stringify([countedAs, statement.sql, statement.parameters])).digest('base64url');
}

/** The total counted for `key` at records version `version`, if it is known. */
export function knownTotal(key: string, version: string): number | undefined {
  const hit = totals.get(key);
  if (!hit || hit.version !== version) return undefined;
  totals.delete(key);
  totals.set(key, hit);
  return hit.total;
}

/** Keeps a total counted at `version` (read in the same statement as the count). */
export function rememberTotal(key: string, version: string, total: number): void {
  totals.delete(key);
  totals.set(key, { version, total });
  while (totals.size > LIST_TOTALS_CACHE_SIZE) totals.delete(totals.keys().next().value as string);
}
