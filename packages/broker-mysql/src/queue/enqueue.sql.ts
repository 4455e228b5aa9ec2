import { type RawBuilder, sql } from 'kysely';
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

/**
 * Inserts tasks with multi-row INSERTs of {@link ENQUEUE_CHUNK_SIZE}. Run it inside a transaction for
 * all-or-nothing batches; check drain mode before calling.
 * @internal
 */
export async function insertTasks(
  db: Executor,
  rows: readonly TaskInsertValues[],
  scheduledAt: Date | RawBuilder<Date> = dbNow(),
): Promise<void> {
  for (let i = 0; i < rows.length; i += ENQUEUE_CHUNK_SIZE) {
    const chunk = rows
      .slice(i, i + ENQUEUE_CHUNK_SIZE)
      .map((r) => ({ ...r, created_at: dbNow(), scheduled_at: scheduledAt }));
    await db.insertInto('celers_tasks').values(chunk).execute();
  }
}
