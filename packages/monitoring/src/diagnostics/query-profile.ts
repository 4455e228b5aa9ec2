import type { QueryDigestStats } from './performance-schema.sql.js';

/** A digest with an optimization verdict (the seed's `QueryPerformanceProfile`). */
export interface QueryPerformanceProfile extends QueryDigestStats {
  /** True when any reason applies. */
  needsOptimization: boolean;
  /** e.g. `"no index used in 12 executions"`. */
  reasons: string[];
}

/** Rows examined per row returned or changed above which a statement counts as unselective. */
export const POOR_SELECTIVITY_RATIO = 100;

/**
 * Adds the verdict: no index used, no good index, or more than 100 rows examined per row sent/affected. Reached
 * through `diagnostics.profileQueryPerformance`; not exported by the package.
 * @internal
 */
export function profileDigest(stats: QueryDigestStats): QueryPerformanceProfile {
  const reasons: string[] = [];
  if (stats.noIndexUsedCount > 0) reasons.push(`no index used in ${stats.noIndexUsedCount} executions`);
  if (stats.noGoodIndexUsedCount > 0)
    reasons.push(`no good index in ${stats.noGoodIndexUsedCount} executions`);
  const produced = stats.rowsSent + stats.rowsAffected;
  if (stats.rowsExamined > POOR_SELECTIVITY_RATIO * Math.max(produced, 1)) {
    reasons.push(`${stats.rowsExamined} rows examined for ${produced} rows returned or changed`);
  }
  return { ...stats, needsOptimization: reasons.length > 0, reasons };
}
