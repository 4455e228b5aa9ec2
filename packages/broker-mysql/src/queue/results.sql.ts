import type { TaskResultInput, TaskResultStatus } from '@celers/core';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';

/** One result row to upsert. */
export interface ResultUpsert extends TaskResultInput {
  taskId: string;
  taskName: string;
  status: TaskResultStatus;
}

/**
 * `IF(queue_name = VALUES(queue_name), VALUES(col), col)`: a result row that belongs to another queue is never
 * overwritten (queue isolation). `queue_name` itself is never updated, so the condition is stable across the
 * assignments. VALUES() serves both MySQL 8.x and MariaDB (MariaDB rejects MySQL's `AS new` row alias).
 */
// `never`: the expression stands in for a column of any type in the update map.
function sameQueueOrKeep(column: string) {
  return sql<never>`IF(queue_name = VALUES(queue_name), VALUES(${sql.ref(column)}), ${sql.ref(column)})`;
}

const FINISHED_STATUSES = new Set<TaskResultStatus>(['SUCCESS', 'FAILURE', 'REVOKED']);

/**
 * Upserts results in one multi-row `INSERT … ON DUPLICATE KEY UPDATE` (the seed's upsert).
 * `completed_at` is set for finished statuses (SUCCESS, FAILURE, REVOKED). An existing result of the same task id
 * in another queue is left untouched.
 * @internal
 */
export async function upsertResults(
  db: Executor,
  queue: string,
  results: readonly ResultUpsert[],
): Promise<number> {
  if (results.length === 0) return 0;
  await db
    .insertInto('celers_task_results')
    .values(
      results.map((r) => ({
        task_id: r.taskId,
        queue_name: queue,
        task_name: r.taskName,
        status: r.status,
        result: r.result === undefined ? null : JSON.stringify(r.result),
        error: r.error ?? null,
        traceback: r.traceback ?? null,
        created_at: dbNow(),
        completed_at: FINISHED_STATUSES.has(r.status) ? dbNow() : null,
        runtime_ms: r.runtimeMs ?? null,
      })),
    )
    .onDuplicateKeyUpdate({
      task_name: sameQueueOrKeep('task_name'),
      status: sameQueueOrKeep('status'),
      result: sameQueueOrKeep('result'),
      error: sameQueueOrKeep('error'),
      traceback: sameQueueOrKeep('traceback'),
      completed_at: sameQueueOrKeep('completed_at'),
      runtime_ms: sameQueueOrKeep('runtime_ms'),
    })
    .execute();
  return results.length;
}
