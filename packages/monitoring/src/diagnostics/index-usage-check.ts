import type { QueryPlanRow } from './explain.sql.js';
import type { IndexStats } from './index-stats.sql.js';
import type { IndexUsage } from './performance-schema.sql.js';

/** The index the claim query must walk. */
export const DEQUEUE_INDEX = 'idx_tasks_dequeue';

/** The hot task table, where claims run. */
const LIVE_TABLE = 'celers_live_tasks';
/** The finished task table, where listings and retention run. */
const FINISHED_TABLE = 'celers_finished_tasks';

/** Indexes of the task tables that the broker's queries rely on, by table. */
export const EXPECTED_TASK_INDEXES: Readonly<Record<string, readonly string[]>> = {
  [LIVE_TABLE]: [
    'PRIMARY',
    // Claims, and promotion of scheduled tasks since migration 0017 (which dropped idx_tasks_promote).
    DEQUEUE_INDEX,
    // Single-name claims and by-name idle peeks; keyed on run_phase instead of state since migration 0016.
    'idx_tasks_task_name_state',
  ],
  // Chains, cascade cancel, group status and live dedup keys (migration 0015).
  celers_task_links: ['PRIMARY', 'idx_task_links_group', 'idx_task_links_parent', 'uq_task_links_dedup'],
  [FINISHED_TABLE]: ['PRIMARY', 'idx_tasks_worker', 'idx_tasks_created_at', 'idx_tasks_completed_at'],
};

/** Inputs of {@link indexUsageWarnings}. */
export interface IndexUsageFacts {
  indexes: readonly IndexStats[];
  dequeuePlan: readonly QueryPlanRow[];
  /** Per-index reads from performance_schema, when available. */
  usage?: readonly IndexUsage[];
}

/**
 * The seed's `check_index_usage` warnings: expected indexes that are missing, a claim plan that does not use
 * `idx_tasks_dequeue` (or scans the table, or sorts), and secondary indexes with no reads since the server
 * started (only when performance_schema usage is given). An empty list means nothing to fix.
 */
export function indexUsageWarnings(facts: IndexUsageFacts): string[] {
  const warnings: string[] = [];
  for (const [table, expected] of Object.entries(EXPECTED_TASK_INDEXES)) {
    const present = new Set(facts.indexes.filter((i) => i.tableName === table).map((i) => i.indexName));
    for (const name of expected) {
      if (!present.has(name))
        warnings.push(`${table} is missing index ${name}: run the migrations (celers migrate).`);
    }
  }
  const claim = facts.dequeuePlan.find((row) => row.table === LIVE_TABLE) ?? facts.dequeuePlan[0];
  if (claim) {
    if (claim.accessType === 'ALL')
      warnings.push(`The claim query scans ${LIVE_TABLE} in full (access type ALL).`);
    if (claim.key !== DEQUEUE_INDEX) {
      warnings.push(
        `The claim query uses ${claim.key ?? 'no index'} instead of ${DEQUEUE_INDEX}; run ANALYZE TABLE ${LIVE_TABLE}.`,
      );
    }
    if (claim.extra?.toLowerCase().includes('filesort'))
      warnings.push('The claim query sorts rows (Using filesort) instead of reading them in index order.');
  }
  for (const u of facts.usage ?? []) {
    if (u.indexName !== 'PRIMARY' && u.reads === 0 && u.writes > 0) {
      warnings.push(
        `${u.tableName}.${u.indexName} has had no reads since the server started but is maintained on every write.`,
      );
    }
  }
  return warnings;
}
