import { CompiledQuery, type RawBuilder } from 'kysely';
import type { Executor } from '../broker-context.js';
import { chunkByStatementSize, escapedRowBytes } from '../internal/assert-fits.js';
import { DB_NOW_SQL, dbNow, isDbNow } from '../internal/db-time.js';
import { inlineParameters, sqlLiteral } from '../internal/sql-literal.js';
import type { TaskInsertValues } from '../internal/task-row-mapper.js';
import { QueueConfigKey } from './queue-config.sql.js';
import { insertShape, rowLiterals } from './task-insert-shape.js';

/** Rows per multi-row INSERT: 500 × 15 columns stays far below the 65,535 placeholder limit. */
export const ENQUEUE_CHUNK_SIZE = 500;

/**
 * The SQL of a `scheduled_at` value as literal text: a date's literal, the database clock's constant text, or
 * any other expression compiled and its parameters written in (the same text for every row of a statement).
 */
function scheduledLiteral(db: Executor, scheduledAt: Date | RawBuilder<Date>): string {
  if (scheduledAt instanceof Date) return sqlLiteral(scheduledAt);
  if (isDbNow(scheduledAt)) return DB_NOW_SQL;
  return inlineParameters(scheduledAt.compile(db));
}

/**
 * Inserts one task with a plain `INSERT … VALUES` (text with SQL literals: no query-builder work on the
 * hottest path; see {@link insertTasks}). Check drain mode before calling (the broker's drain flag cache).
 * `created_at` comes from the database clock; `scheduledAt` defaults to it too.
 * @internal
 */
export async function insertTask(
  db: Executor,
  values: TaskInsertValues,
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<void> {
  const shape = insertShape([values]);
  const row = rowLiterals(shape, values, scheduledLiteral(db, scheduledAt));
  await db.executeQuery(CompiledQuery.raw(`${shape.into}VALUES (${row})`));
}

/**
 * Inserts one task unless the queue is in drain mode, in ONE statement (`INSERT … SELECT … WHERE NOT EXISTS`):
 * the strong check, read by the statement itself. Used where the drain flag cache cannot be consulted
 * (inside a transaction whose cached flag expired, DLQ requeue). The subquery costs ~20–30 µs of server
 * time, which is why ordinary enqueues use {@link insertTask} after a cached check. Returns false when the
 * queue is draining (nothing written).
 * @internal
 */
export async function insertTaskUnlessDraining(
  db: Executor,
  values: TaskInsertValues,
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<boolean> {
  const shape = insertShape([values]);
  const text = `${shape.into}SELECT ${rowLiterals(shape, values, scheduledLiteral(db, scheduledAt))} FROM DUAL
    WHERE NOT EXISTS (SELECT 1 FROM celers_queue_config WHERE queue_name = ${sqlLiteral(values.queue_name)}
      AND config_key = ${sqlLiteral(QueueConfigKey.DrainMode)} AND config_value = 'true')`;
  const result = await db.executeQuery(CompiledQuery.raw(text));
  return Number(result.numAffectedRows ?? 0n) === 1;
}

/**
 * Groups new task rows into INSERT statements: at most {@link ENQUEUE_CHUNK_SIZE} rows, and no more escaped
 * bytes than one statement may carry on this server (`ValueLimits.maxStatementBytes`).
 * @internal
 */
export function planTaskInserts(
  rows: readonly TaskInsertValues[],
  maxStatementBytes: number,
): TaskInsertValues[][] {
  return chunkByStatementSize(
    rows,
    (r) => escapedRowBytes(r.payload, r.metadata, r.retry_policy, r.task_name, r.queue_name),
    ENQUEUE_CHUNK_SIZE,
    maxStatementBytes,
  );
}

/**
 * Inserts tasks with one multi-row INSERT per chunk of {@link planTaskInserts}. Run it inside a transaction
 * for all-or-nothing batches of more than one chunk; check drain mode before calling.
 *
 * The statement is built as text with SQL literals ({@link sqlLiteral}) instead of through kysely's
 * `.values(objects)`, whose per-value nodes cost ~9 ms of CPU per 500 rows (profiled in apps/bench), or
 * mysql2's per-value `format`. Each chunk names only the
 * columns some of its rows set to a value other than the table's default ({@link insertShape}).
 * @internal
 */
export async function insertTasks(
  db: Executor,
  chunks: readonly (readonly TaskInsertValues[])[],
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<void> {
  const scheduled = scheduledLiteral(db, scheduledAt);
  for (const chunk of chunks) {
    const shape = insertShape(chunk);
    let text = `${shape.into}VALUES `;
    for (let i = 0; i < chunk.length; i++)
      text += `${i === 0 ? '' : ', '}(${rowLiterals(shape, chunk[i]!, scheduled)})`;
    await db.executeQuery(CompiledQuery.raw(text));
  }
}
