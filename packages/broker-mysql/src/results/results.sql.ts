import { parseJsonColumn, type TaskResultRow } from '@celers/schema';
import type { Executor } from '../broker-context.js';
import { dbNowPlusMs } from '../internal/db-time.js';
import type { TaskResult } from './results-types.js';

/** Result rows deleted per statement by {@link deleteFinishedResultsChunk}. */
export const RESULT_ARCHIVE_CHUNK_SIZE = 1_000;

/** Maps a `celers_task_results` row to {@link TaskResult}. @internal */
export function toTaskResult(row: TaskResultRow): TaskResult {
  return {
    taskId: row.task_id,
    queue: row.queue_name,
    taskName: row.task_name,
    status: row.status,
    result: row.result == null ? null : parseJsonColumn(row.result),
    error: row.error,
    traceback: row.traceback,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    runtimeMs: row.runtime_ms == null ? null : Number(row.runtime_ms),
  };
}

/** Reads the results of `ids` stored for `queue`, in id order. @internal */
export async function readResults(
  db: Executor,
  queue: string,
  ids: readonly string[],
): Promise<TaskResult[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('celers_task_results')
    .selectAll()
    .where('task_id', 'in', [...ids])
    .where('queue_name', '=', queue)
    .orderBy('task_id')
    .execute();
  return rows.map(toTaskResult);
}

/** Deletes the results of `ids` in `queue` through the primary key; returns rows deleted. @internal */
export async function deleteResults(db: Executor, queue: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom('celers_task_results')
    .where('task_id', 'in', [...ids].sort())
    .where('queue_name', '=', queue)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes up to {@link RESULT_ARCHIVE_CHUNK_SIZE} results of `queue` completed before now − `olderThanMs`
 * (database clock; found through idx_results_completed_at, deleted by primary key). Results without
 * `completed_at` (PENDING, STARTED, RETRY) are kept. Returns rows found and deleted.
 * @internal
 */
export async function deleteFinishedResultsChunk(
  db: Executor,
  queue: string,
  olderThanMs: number,
): Promise<{ found: number; deleted: number }> {
  const rows = await db
    .selectFrom('celers_task_results')
    .select('task_id')
    .where('queue_name', '=', queue)
    .where('completed_at', '<', dbNowPlusMs(-olderThanMs))
    .orderBy('completed_at')
    .limit(RESULT_ARCHIVE_CHUNK_SIZE)
    .execute();
  const deleted = await deleteResults(
    db,
    queue,
    rows.map((r) => r.task_id),
  );
  return { found: rows.length, deleted };
}
