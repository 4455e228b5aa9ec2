import { CompiledQuery, type RawBuilder, sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';
import { TASK_INSERT_COLUMNS, type TaskInsertValues } from '../internal/task-row-mapper.js';
import { QueueConfigKey, queueFlagIsSet } from './queue-config.sql.js';

/** Rows per multi-row INSERT: 500 × 15 columns stays far below the 65,535 placeholder limit. */
export const ENQUEUE_CHUNK_SIZE = 500;

/**
 * Inserts one task unless the queue is in drain mode, in ONE statement (`INSERT … SELECT … WHERE NOT EXISTS`),
 * so the drain check costs no extra round trip. Returns false when the queue is draining (nothing written).
 * `created_at` comes from the database clock; `scheduledAt` defaults to it too.
 * @internal
 */
export async function insertTaskUnlessDraining(
  db: Executor,
  values: TaskInsertValues,
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<boolean> {
  const columns = sql.join([...TASK_INSERT_COLUMNS, 'created_at', 'scheduled_at'].map((c) => sql.ref(c)));
  const params = sql.join([...TASK_INSERT_COLUMNS.map((c) => values[c]), dbNow(), scheduledAt]);
  const result = await sql`INSERT INTO celers_tasks (${columns})
    SELECT ${params} FROM DUAL
    WHERE NOT ${queueFlagIsSet(values.queue_name, QueueConfigKey.DrainMode)}`.execute(db);
  return Number(result.numAffectedRows ?? 0n) === 1;
}

/** `INSERT INTO celers_tasks (…columns…) VALUES`, constant text. */
const INSERT_PREFIX = `INSERT INTO celers_tasks (${[...TASK_INSERT_COLUMNS, 'created_at', 'scheduled_at'].join(', ')}) VALUES `;
/** One row's placeholders; created_at is the database clock. The scheduled_at fragment is appended. */
const ROW_PLACEHOLDERS = `(${TASK_INSERT_COLUMNS.map(() => '?').join(', ')}, UTC_TIMESTAMP(6), `;

/**
 * Inserts tasks with multi-row INSERTs of {@link ENQUEUE_CHUNK_SIZE}. Run it inside a transaction for
 * all-or-nothing batches; check drain mode before calling.
 *
 * The statement is built as constant text plus one flat parameter list instead of through kysely's
 * `.values(objects)`, whose per-value nodes cost ~9 ms of CPU per 500 rows (profiled in apps/bench). Only
 * column names from {@link TASK_INSERT_COLUMNS} and `?` placeholders go into the text.
 * @internal
 */
export async function insertTasks(
  db: Executor,
  rows: readonly TaskInsertValues[],
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<void> {
  const scheduled =
    scheduledAt instanceof Date ? { sql: '?', parameters: [scheduledAt] } : scheduledAt.compile(db);
  const rowSql = `${ROW_PLACEHOLDERS}${scheduled.sql})`;
  for (let i = 0; i < rows.length; i += ENQUEUE_CHUNK_SIZE) {
    const chunk = rows.slice(i, i + ENQUEUE_CHUNK_SIZE);
    const parameters: unknown[] = [];
    for (const row of chunk) {
      for (const column of TASK_INSERT_COLUMNS) parameters.push(row[column]);
      parameters.push(...scheduled.parameters);
    }
    const text = INSERT_PREFIX + Array.from(chunk, () => rowSql).join(', ');
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}
