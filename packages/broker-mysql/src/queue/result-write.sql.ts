import type { TaskResultInput, TaskResultStatus } from '@celers/core';
import { CompiledQuery } from 'kysely';
import type { Executor } from '../broker-context.js';
import { chunkByStatementSize, escapedRowBytes } from '../internal/assert-fits.js';
import { sqlLiteral } from '../internal/sql-literal.js';

/** One result row to upsert. */
export interface ResultUpsert extends TaskResultInput {
  taskId: string;
  taskName: string;
  status: TaskResultStatus;
}

/** Columns a result upsert writes, in VALUES order. */
const RESULT_COLUMNS = [
  'task_id',
  'queue_name',
  'task_name',
  'status',
  'result',
  'error',
  'traceback',
  'created_at',
  'completed_at',
  'runtime_ms',
] as const;

/** Columns an upsert of an existing result overwrites (never `queue_name`, `task_id` or `created_at`). */
const UPDATED_COLUMNS = ['task_name', 'status', 'result', 'error', 'traceback', 'completed_at', 'runtime_ms'];

/**
 * `col = IF(queue_name = VALUES(queue_name), VALUES(col), col)` for each updated column: a result row that
 * belongs to another queue is never overwritten (queue isolation). `queue_name` itself is never updated, so the
 * condition is stable across the assignments. VALUES() serves both MySQL 8.x and MariaDB (MariaDB rejects
 * MySQL's `AS new` row alias).
 */
const ON_DUPLICATE_SQL = `ON DUPLICATE KEY UPDATE ${UPDATED_COLUMNS.map(
  (c) => `${c} = IF(queue_name = VALUES(queue_name), VALUES(${c}), ${c})`,
).join(', ')}`;

/** `INSERT INTO celers_task_results (…) VALUES`, constant text (the hot path sends no query-builder nodes). */
const INSERT_PREFIX = `INSERT INTO celers_task_results (${RESULT_COLUMNS.join(', ')}) VALUES `;
/** A row's times: the database clock, `completed_at` only for finished statuses. */
const TIMES_FINISHED = 'UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)';
const TIMES_OPEN = 'UTC_TIMESTAMP(6), NULL';

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
    // The row as SQL literals in RESULT_COLUMNS order (see internal/sql-literal.ts).
    const row = `(${sqlLiteral(r.taskId)}, ${sqlLiteral(queue)}, ${sqlLiteral(r.taskName)}, ${sqlLiteral(r.status)}, ${sqlLiteral(result)}, ${sqlLiteral(r.error)}, ${sqlLiteral(r.traceback)}, ${FINISHED_STATUSES.has(r.status) ? TIMES_FINISHED : TIMES_OPEN}, ${sqlLiteral(r.runtimeMs)})`;
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

/** Upserts rows given as their literal text, `(…)` each. */
async function upsertChunk(db: Executor, rows: readonly string[]): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(`${INSERT_PREFIX}${rows.join(', ')} ${ON_DUPLICATE_SQL}`));
}
