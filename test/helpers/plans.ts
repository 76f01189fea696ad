/** Reading PostgreSQL's JSON plans and the statements a list sends, for the plan tests. */

export interface PlanNode {
  'Node Type': string;
  Plans?: PlanNode[];
}

/**
 * Sort steps under the page's Limit: the order the scan must deliver itself. (The page's own
 * rows are ordered once more above it, after their fields are built: that sorts one page, not
 * the scope.)
 */
export const sortsUnderLimit = <N extends PlanNode>(n: N, underLimit = false): PlanNode[] => [
  ...(underLimit && n['Node Type'] === 'Sort' ? [n] : []),
  ...(n.Plans ?? []).flatMap((c) => sortsUnderLimit(c, underLimit || n['Node Type'] === 'Limit')),
];

/** The statements sent, not their subqueries (a query builder used as a subquery is recorded too). */
export const outermost = <N>(found: N[]): N[] => found.filter((n) => !found.some((m) => m !== n && JSON.stringify(m).includes(JSON.stringify(n))));

/** Nodes under a Limit whose output (EXPLAIN VERBOSE) computes `fn`: work done for rows the page may skip. */
export const builtUnderLimit = <N extends PlanNode>(n: N, fn: string, underLimit = false): PlanNode[] => [
  ...(underLimit && JSON.stringify((n as { Output?: unknown }).Output ?? []).includes(fn) ? [n] : []),
  ...(n.Plans ?? []).flatMap((c) => builtUnderLimit(c, fn, underLimit || n['Node Type'] === 'Limit')),
];
