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

const FINISHED_STATUSES = new Set<TaskResultStatus>(['SUCCESS', 'FAILURE', 'REVOKED']);

/**
 * Upserts results in one multi-row `INSERT … ON DUPLICATE KEY UPDATE` (the seed's upsert).
 * `completed_at` is set for finished statuses (SUCCESS, FAILURE, REVOKED).
 * @internal
 */
export async function upsertResults(db: Executor, queue: string, results: readonly ResultUpsert[]): Promise<number> {
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
      task_name: sql`VALUES(task_name)`,
      status: sql`VALUES(status)`,
      result: sql`VALUES(result)`,
      error: sql`VALUES(error)`,
      traceback: sql`VALUES(traceback)`,
      completed_at: sql`VALUES(completed_at)`,
      runtime_ms: sql`VALUES(runtime_ms)`,
    })
    .execute();
  return results.length;
}
