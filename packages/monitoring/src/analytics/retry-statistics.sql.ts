import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNumber } from '../internal/numbers.js';

/** Retry behaviour of one task name (the seed's `RetryStatistics`). */
export interface RetryStatistics {
  taskName: string;
  /** Tasks of this name in the queue (any state). */
  totalTasks: number;
  /** Tasks retried at least once (`retry_count > 0`). */
  tasksWithRetries: number;
  /** Mean `retry_count` over all tasks of this name. */
  avgRetries: number;
  /** Largest `retry_count`. */
  maxRetries: number;
  /** Tasks in state `failed`. */
  failedTasks: number;
  /** `failedTasks / finished tasks` (completed + failed), 0–1; 0 when none finished. */
  failureRate: number;
}

/**
 * Per-task-name retry statistics, most retried first. One GROUP BY task name over the `celers_tasks` view (each
 * table's `idx_tasks_task_name_state` leads with `(queue_name, task_name)`; `retry_count` is read from the rows).
 * @internal
 */
export async function selectRetryStatistics(
  db: Kysely<CelersDatabase>,
  queue: string,
): Promise<RetryStatistics[]> {
  const rows = await db
    .selectFrom('celers_tasks')
    .select([
      'task_name',
      sql<number>`COUNT(*)`.as('total'),
      sql<number>`SUM(CASE WHEN retry_count > 0 THEN 1 ELSE 0 END)`.as('with_retries'),
      sql<number>`AVG(retry_count)`.as('avg_retries'),
      sql<number>`MAX(retry_count)`.as('max_retries'),
      sql<number>`SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END)`.as('failed'),
      sql<number>`SUM(CASE WHEN state IN ('completed', 'failed') THEN 1 ELSE 0 END)`.as('finished'),
    ])
    .where('queue_name', '=', queue)
    .groupBy('task_name')
    .orderBy(sql`AVG(retry_count)`, 'desc')
    .orderBy('task_name')
    .execute();
  return rows.map((row) => {
    const failed = toNumber(row.failed);
    const finished = toNumber(row.finished);
    return {
      taskName: row.task_name,
      totalTasks: toNumber(row.total),
      tasksWithRetries: toNumber(row.with_retries),
      avgRetries: toNumber(row.avg_retries),
      maxRetries: toNumber(row.max_retries),
      failedTasks: failed,
      failureRate: finished > 0 ? failed / finished : 0,
    };
  });
}
