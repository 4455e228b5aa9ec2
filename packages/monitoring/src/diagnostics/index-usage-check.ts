import type { QueryPlanRow } from './explain.sql.js';
import type { IndexStats } from './index-stats.sql.js';
import type { IndexUsage } from './performance-schema.sql.js';

/** The index the claim query must walk. */
export const DEQUEUE_INDEX = 'idx_tasks_dequeue';

/** Indexes of `celers_tasks` that the broker's queries rely on. */
export const EXPECTED_TASK_INDEXES: readonly string[] = [
  'PRIMARY',
  DEQUEUE_INDEX,
  'idx_tasks_worker',
  'idx_tasks_task_name_state',
  'idx_tasks_created_at',
  'idx_tasks_completed_at',
];

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
  const taskIndexes = new Set(
    facts.indexes.filter((i) => i.tableName === 'celers_tasks').map((i) => i.indexName),
  );
  for (const name of EXPECTED_TASK_INDEXES) {
    if (!taskIndexes.has(name))
      warnings.push(`celers_tasks is missing index ${name}: run the migrations (celers migrate).`);
  }
  const claim = facts.dequeuePlan.find((row) => row.table === 'celers_tasks') ?? facts.dequeuePlan[0];
  if (claim) {
    if (claim.accessType === 'ALL')
      warnings.push('The claim query scans celers_tasks in full (access type ALL).');
    if (claim.key !== DEQUEUE_INDEX) {
      warnings.push(
        `The claim query uses ${claim.key ?? 'no index'} instead of ${DEQUEUE_INDEX}; run ANALYZE TABLE celers_tasks.`,
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
