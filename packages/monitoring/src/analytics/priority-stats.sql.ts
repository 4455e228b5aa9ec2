import type { TaskState } from '@celers/core';
import { type CelersDatabase, stateIs } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNullableNumber, toNumber } from '../internal/numbers.js';
import { col, msBetween } from '../internal/sql-fragments.js';

/** Task counts and wait per priority level (the seed's `PriorityQueueStats`). */
export interface PriorityStats {
  priority: number;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** All tasks at this priority. */
  total: number;
  /** Mean `created_at → started_at` of started tasks at this priority (ms), `null` when none started. */
  avgWaitMs: number | null;
}

/** Per-priority statistics, highest priority first, in one GROUP BY. @internal */
export async function selectPriorityStats(
  db: Kysely<CelersDatabase>,
  queue: string,
): Promise<PriorityStats[]> {
  const wait = msBetween(col('created_at'), col('started_at'));
  const countState = (state: TaskState) => sql<number>`SUM(CASE WHEN ${stateIs(state)} THEN 1 ELSE 0 END)`;
  const rows = await db
    .selectFrom('celers_tasks')
    .select([
      'priority',
      countState('pending').as('pending'),
      countState('processing').as('processing'),
      countState('completed').as('completed'),
      countState('failed').as('failed'),
      countState('cancelled').as('cancelled'),
      sql<number>`COUNT(*)`.as('total'),
      sql<number | null>`AVG(CASE WHEN started_at IS NOT NULL THEN ${wait} END)`.as('avg_wait_ms'),
    ])
    .where('queue_name', '=', queue)
    .groupBy('priority')
    .orderBy('priority', 'desc')
    .execute();
  return rows.map((row) => ({
    priority: toNumber(row.priority),
    pending: toNumber(row.pending),
    processing: toNumber(row.processing),
    completed: toNumber(row.completed),
    failed: toNumber(row.failed),
    cancelled: toNumber(row.cancelled),
    total: toNumber(row.total),
    avgWaitMs: toNullableNumber(row.avg_wait_ms),
  }));
}
