import { CompiledQuery, type RawBuilder } from 'kysely';
import type { Executor } from '../broker-context.js';
import { chunkByStatementSize, escapedRowBytes } from '../internal/assert-fits.js';
import { DB_NOW_SQL, dbNow, isDbNow } from '../internal/db-time.js';
import type { TaskInsertValues } from '../internal/task-row-mapper.js';
import { QueueConfigKey } from './queue-config.sql.js';
import { insertShape, pushRowParameters } from './task-insert-shape.js';

/** Rows per multi-row INSERT: 500 × 15 columns stays far below the 65,535 placeholder limit. */
export const ENQUEUE_CHUNK_SIZE = 500;

/** The SQL and parameters of a `scheduled_at` value: a parameter for a `Date`, else the compiled expression. */
function scheduledFragment(
  db: Executor,
  scheduledAt: Date | RawBuilder<Date>,
): { sql: string; parameters: readonly unknown[] } {
  if (scheduledAt instanceof Date) return { sql: '?', parameters: [scheduledAt] };
  return isDbNow(scheduledAt) ? NOW_FRAGMENT : scheduledAt.compile(db);
}

/** The fragment of a task due now, the common case: no query compile per enqueue. */
const NOW_FRAGMENT = { sql: DB_NOW_SQL, parameters: [] } as const;

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
  const shape = insertShape([values]);
  const parameters: unknown[] = [];
  pushRowParameters(parameters, shape, values, scheduled.parameters);
  await db.executeQuery(
    CompiledQuery.raw(`${shape.into}VALUES (${shape.values}${scheduled.sql})`, parameters),
  );
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
  const shape = insertShape([values]);
  const text = `${shape.into}SELECT ${shape.values}${scheduled.sql} FROM DUAL
    WHERE NOT EXISTS (SELECT 1 FROM celers_queue_config WHERE queue_name = ? AND config_key = ? AND config_value = 'true')`;
  const parameters: unknown[] = [];
  pushRowParameters(parameters, shape, values, scheduled.parameters);
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
 * column names and `?` placeholders go into the text. Each chunk names only the
 * columns some of its rows set to a value other than the table's default ({@link insertShape}).
 * @internal
 */
export async function insertTasks(
  db: Executor,
  chunks: readonly (readonly TaskInsertValues[])[],
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<void> {
  const scheduled = scheduledFragment(db, scheduledAt);
  for (const chunk of chunks) {
    const shape = insertShape(chunk);
    const parameters: unknown[] = [];
    for (const row of chunk) pushRowParameters(parameters, shape, row, scheduled.parameters);
    const rowSql = `(${shape.values}${scheduled.sql})`;
    const text = `${shape.into}VALUES ${Array.from(chunk, () => rowSql).join(', ')}`;
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}
