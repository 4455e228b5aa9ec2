import type { TaskResultInput, TaskResultStatus } from '@celers/core';
import type { CelersDatabase } from '@celers/schema';
import { type InsertObject, sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { chunkByStatementSize, escapedRowBytes } from '../internal/assert-fits.js';
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

/** Rows per upsert statement, at most (fewer when their values near the server's packet limit). */
const RESULT_CHUNK_ROWS = 1_000;

/**
 * Upserts results with multi-row `INSERT … ON DUPLICATE KEY UPDATE` statements (the seed's upsert), as few as
 * the server's packet limit (`maxStatementBytes`) allows; run it in a transaction when there may be several.
 * `completed_at` is set for finished statuses (SUCCESS, FAILURE, REVOKED). An existing result of the same task id
 * in another queue is left untouched.
 * @internal
 */
export async function upsertResults(
  db: Executor,
  queue: string,
  results: readonly ResultUpsert[],
  maxStatementBytes: number,
): Promise<number> {
  if (results.length === 0) return 0;
  const rows = results.map((r) => {
    const result = r.result === undefined ? null : JSON.stringify(r.result);
    const row: ResultRow = {
      task_id: r.taskId,
      queue_name: queue,
      task_name: r.taskName,
      status: r.status,
      result,
      error: r.error ?? null,
      traceback: r.traceback ?? null,
      created_at: dbNow(),
      completed_at: FINISHED_STATUSES.has(r.status) ? dbNow() : null,
      runtime_ms: r.runtimeMs ?? null,
    };
    return { row, bytes: escapedRowBytes(result, r.error, r.traceback, r.taskName) };
  });
  const chunks = chunkByStatementSize(rows, (r) => r.bytes, RESULT_CHUNK_ROWS, maxStatementBytes);
  for (const chunk of chunks)
    await upsertChunk(
      db,
      chunk.map((r) => r.row),
    );
  return results.length;
}

type ResultRow = InsertObject<CelersDatabase, 'celers_task_results'>;

async function upsertChunk(db: Executor, rows: ResultRow[]): Promise<void> {
  await db
    .insertInto('celers_task_results')
    .values(rows)
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
}
