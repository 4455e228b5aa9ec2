import { CompiledQuery, type RawBuilder } from 'kysely';
import type { Executor } from '../broker-context.js';
import { chunkByStatementSize, escapedRowBytes } from '../internal/assert-fits.js';
import { dbNow } from '../internal/db-time.js';
import { placeholders } from '../internal/id-list.js';
import { TASK_INSERT_COLUMNS, type TaskInsertValues } from '../internal/task-row-mapper.js';
import { QueueConfigKey } from './queue-config.sql.js';

/** Rows per multi-row INSERT: 500 × 15 columns stays far below the 65,535 placeholder limit. */
export const ENQUEUE_CHUNK_SIZE = 500;

/** Column list of a new task row (constant text). */
const INSERT_COLUMNS_SQL = [...TASK_INSERT_COLUMNS, 'created_at', 'scheduled_at'].join(', ');
/** One row's value placeholders; created_at is the database clock. The scheduled_at fragment follows. */
const VALUE_PLACEHOLDERS = `${placeholders(TASK_INSERT_COLUMNS.length)}, UTC_TIMESTAMP(6), `;

/** The SQL and parameters of a `scheduled_at` value: a parameter for a `Date`, else the compiled expression. */
function scheduledFragment(
  db: Executor,
  scheduledAt: Date | RawBuilder<Date>,
): { sql: string; parameters: readonly unknown[] } {
  return scheduledAt instanceof Date ? { sql: '?', parameters: [scheduledAt] } : scheduledAt.compile(db);
}

/** `INSERT INTO celers_live_tasks (…columns…) VALUES`, constant text. */
const INSERT_PREFIX = `INSERT INTO celers_live_tasks (${INSERT_COLUMNS_SQL}) VALUES `;

/** The parameters of one row: its column values, then those of the `scheduled_at` fragment. */
function rowParameters(values: TaskInsertValues, scheduled: readonly unknown[]): unknown[] {
  const parameters: unknown[] = TASK_INSERT_COLUMNS.map((c) => values[c]);
  for (const p of scheduled) parameters.push(p);
  return parameters;
}

/**
 * Inserts one task with a plain `INSERT … VALUES` (constant text plus parameters: no query-builder work on
 * the hottest path; see {@link insertTasks}). Check drain mode before calling (the broker's drain flag cache).
 * `created_at` comes from the database clock; `scheduledAt` defaults to it too.
 * @internal
 */
export async function insertTask(
  db: Executor,
  values: TaskInsertValues,
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<void> {
  const scheduled = scheduledFragment(db, scheduledAt);
  const text = `${INSERT_PREFIX}(${VALUE_PLACEHOLDERS}${scheduled.sql})`;
  await db.executeQuery(CompiledQuery.raw(text, rowParameters(values, scheduled.parameters)));
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
  const scheduled = scheduledFragment(db, scheduledAt);
  const text = `INSERT INTO celers_live_tasks (${INSERT_COLUMNS_SQL}) SELECT ${VALUE_PLACEHOLDERS}${scheduled.sql} FROM DUAL
    WHERE NOT EXISTS (SELECT 1 FROM celers_queue_config WHERE queue_name = ? AND config_key = ? AND config_value = 'true')`;
  const parameters = rowParameters(values, scheduled.parameters);
  parameters.push(values.queue_name, QueueConfigKey.DrainMode);
  const result = await db.executeQuery(CompiledQuery.raw(text, parameters));
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
 * The statement is built as constant text plus one flat parameter list instead of through kysely's
 * `.values(objects)`, whose per-value nodes cost ~9 ms of CPU per 500 rows (profiled in apps/bench). Only
 * column names from {@link TASK_INSERT_COLUMNS} and `?` placeholders go into the text.
 * @internal
 */
export async function insertTasks(
  db: Executor,
  chunks: readonly (readonly TaskInsertValues[])[],
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<void> {
  const scheduled = scheduledFragment(db, scheduledAt);
  const rowSql = `(${VALUE_PLACEHOLDERS}${scheduled.sql})`;
  for (const chunk of chunks) {
    const parameters: unknown[] = [];
    for (const row of chunk) {
      for (const column of TASK_INSERT_COLUMNS) parameters.push(row[column]);
      parameters.push(...scheduled.parameters);
    }
    const text = INSERT_PREFIX + Array.from(chunk, () => rowSql).join(', ');
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}
