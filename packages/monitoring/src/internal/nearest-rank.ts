/**
 * The nearest-rank percentile used everywhere in celers (SQL and pure functions alike): for `n` values sorted
 * ascending, the `p`-th percentile is the value at 1-based rank `max(1, ceil(p × n / 100))`. It is always one
 * of the observed values (no interpolation), so it can be computed in SQL with `ROW_NUMBER()` on both MySQL
 * and MariaDB. Returns `null` for an empty list. Not exported by the package: its definition is documented
 * in the README; the SQL percentiles and the pure functions share it.
 *
 * @example
 * ```ts
 * nearestRankPercentile([10, 20, 30, 40], 50); // 20 (rank ceil(2) = 2)
 * nearestRankPercentile([10, 20, 30, 40], 95); // 40 (rank ceil(3.8) = 4)
 * ```
 * @internal
 */
export function nearestRankPercentile(sortedAscending: readonly number[], p: number): number | null {
  const n = sortedAscending.length;
  if (n === 0) return null;
  return sortedAscending[nearestRank(n, p) - 1] ?? null;
}

/** The 1-based nearest rank of percentile `p` among `n` values. @internal */
export function nearestRank(n: number, p: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
}
