import { type CelersDatabase, stateIs } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNullableNumber, toNumber } from '../internal/numbers.js';
import { col, DB_NOW, dbNowMinusMs, msBetween } from '../internal/sql-fragments.js';

/** The raw figures queue health is judged on. */
export interface QueueSnapshot {
  /** Pending tasks (delayed ones included). */
  pending: number;
  /** Pending tasks already due (`scheduled_at ≤ now`). */
  duePending: number;
  /** Tasks being processed. */
  processing: number;
  /** How long the longest-waiting due task has waited since it became due (ms), `null` when none. */
  oldestDueAgeMs: number | null;
  /** Tasks that completed within the failure-rate window. */
  recentCompleted: number;
  /** Tasks that failed within the failure-rate window. */
  recentFailed: number;
  /** Dead-lettered tasks of this queue. */
  dlqSize: number;
}

/**
 * Reads pending/processing counts, the oldest due task's wait, recent completions/failures and the DLQ size
 * in one statement of scalar subqueries (each served by an index on `queue_name`).
 * @internal
 */
export async function selectQueueSnapshot(
  db: Kysely<CelersDatabase>,
  queue: string,
  windowMs: number,
): Promise<QueueSnapshot> {
  const since = dbNowMinusMs(windowMs);
  const tasks = () => db.selectFrom('celers_tasks').where('queue_name', '=', queue);
  const row = await db
    .selectNoFrom((eb) => [
      tasks().select(sql<number>`COUNT(*)`.as('n')).where(stateIs('pending')).as('pending'),
      tasks()
        .select(sql<number>`COUNT(*)`.as('n'))
        .where(stateIs('pending'))
        .where('scheduled_at', '<=', DB_NOW)
        .as('due_pending'),
      tasks().select(sql<number>`COUNT(*)`.as('n')).where('state', '=', 'processing').as('processing'),
      tasks()
        .select(sql<number>`MAX(${msBetween(col('scheduled_at'), DB_NOW)})`.as('n'))
        .where(stateIs('pending'))
        .where('scheduled_at', '<=', DB_NOW)
        .as('oldest_due_ms'),
      tasks()
        .select(sql<number>`COUNT(*)`.as('n'))
        .where('state', '=', 'completed')
        .where('completed_at', '>=', since)
        .as('recent_completed'),
      tasks()
        .select(sql<number>`COUNT(*)`.as('n'))
        .where('state', '=', 'failed')
        .where('completed_at', '>=', since)
        .as('recent_failed'),
      eb
        .selectFrom('celers_dead_letter_queue')
        .select(sql<number>`COUNT(*)`.as('n'))
        .where('queue_name', '=', queue)
        .as('dlq_size'),
    ])
    .executeTakeFirstOrThrow();
  return {
    pending: toNumber(row.pending),
    duePending: toNumber(row.due_pending),
    processing: toNumber(row.processing),
    oldestDueAgeMs: toNullableNumber(row.oldest_due_ms),
    recentCompleted: toNumber(row.recent_completed),
    recentFailed: toNumber(row.recent_failed),
    dlqSize: toNumber(row.dlq_size),
  };
}
