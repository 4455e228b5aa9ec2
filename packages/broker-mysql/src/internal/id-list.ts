/**
 * `?, ?, …` for `count` values: hot-path statements with an id list are sent as constant text plus parameters
 * (`CompiledQuery.raw`), since kysely's template builds a node per value (measurable per job at batch sizes of
 * hundreds).
 * @internal
 */
export function placeholders(count: number): string {
  return count === 1 ? '?' : `?${', ?'.repeat(count - 1)}`;
}

/** Ids in ascending order, the order statements lock rows in (fewer deadlocks between concurrent settles). @internal */
export function sortedIds(ids: readonly string[]): string[] {
  return [...ids].sort();
}
