import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toDate, toNullableNumber, toNumber } from '../internal/numbers.js';

/** Dead-letter queue summary (the seed's `DlqStatistics`). */
export interface DlqStatistics {
  /** Dead-lettered tasks of the queue. */
  total: number;
  /** Count per task name, largest first. */
  byTaskName: Array<{ taskName: string; count: number }>;
  /** Mean `retry_count` at the time of dead-lettering, `null` when empty. */
  avgRetries: number | null;
  /** Largest `retry_count`, `null` when empty. */
  maxRetries: number | null;
  /** `failed_at` of the oldest entry. */
  oldestFailedAt: Date | null;
  /** `failed_at` of the newest entry. */
  newestFailedAt: Date | null;
}

/** Two aggregates over `celers_dead_letter_queue`: totals, then per task name. @internal */
export async function selectDlqStatistics(db: Kysely<CelersDatabase>, queue: string): Promise<DlqStatistics> {
  const totals = await db
    .selectFrom('celers_dead_letter_queue')
    .select([
      sql<number>`COUNT(*)`.as('total'),
      sql<number>`AVG(retry_count)`.as('avg_retries'),
      sql<number>`MAX(retry_count)`.as('max_retries'),
      sql<Date>`MIN(failed_at)`.as('oldest'),
      sql<Date>`MAX(failed_at)`.as('newest'),
    ])
    .where('queue_name', '=', queue)
    .executeTakeFirst();
  const byName = await db
    .selectFrom('celers_dead_letter_queue')
    .select(['task_name', sql<number>`COUNT(*)`.as('n')])
    .where('queue_name', '=', queue)
    .groupBy('task_name')
    .orderBy(sql`COUNT(*)`, 'desc')
    .orderBy('task_name')
    .execute();
  return {
    total: toNumber(totals?.total),
    byTaskName: byName.map((row) => ({ taskName: row.task_name, count: toNumber(row.n) })),
    avgRetries: toNullableNumber(totals?.avg_retries),
    maxRetries: toNullableNumber(totals?.max_retries),
    oldestFailedAt: toDate(totals?.oldest),
    newestFailedAt: toDate(totals?.newest),
  };
}
