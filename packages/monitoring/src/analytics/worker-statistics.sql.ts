import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toDate, toNullableNumber, toNumber } from '../internal/numbers.js';
import { col, msBetween } from '../internal/sql-fragments.js';

/**
 * What one worker did in this queue, as `QueueMonitor.workerStatistics` reports it for dashboards. Not the
 * seed's `WorkerStatistics`: that is broker-mysql's type (`broker.workers.statistics`), with other field names.
 */
export interface WorkerActivityStatistics {
  workerId: string;
  /** Tasks the worker holds now. */
  processing: number;
  /** Tasks it completed (still in `celers_tasks`). */
  completed: number;
  /** Tasks that failed in its hands. */
  failed: number;
  /** Mean `started_at → completed_at` of its completed tasks (ms). */
  avgRuntimeMs: number | null;
  /** Latest `started_at` among its tasks. */
  lastStartedAt: Date | null;
}

/**
 * Per-worker counts from the tasks it claimed (`worker_id` is kept after ack/reject), busiest first.
 * With `workerId`, only that worker (an empty list when it never claimed a task here).
 * @internal
 */
export async function selectWorkerStatistics(
  db: Kysely<CelersDatabase>,
  queue: string,
  workerId?: string,
): Promise<WorkerActivityStatistics[]> {
  const runtime = msBetween(col('started_at'), col('completed_at'));
  let query = db
    .selectFrom('celers_tasks')
    .select([
      'worker_id',
      sql<number>`SUM(CASE WHEN state = 'processing' THEN 1 ELSE 0 END)`.as('processing'),
      sql<number>`SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END)`.as('completed'),
      sql<number>`SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END)`.as('failed'),
      sql<
        number | null
      >`AVG(CASE WHEN state = 'completed' AND started_at IS NOT NULL THEN ${runtime} END)`.as(
        'avg_runtime_ms',
      ),
      sql<Date | null>`MAX(started_at)`.as('last_started_at'),
    ])
    .where('queue_name', '=', queue)
    .where('worker_id', 'is not', null);
  if (workerId !== undefined) query = query.where('worker_id', '=', workerId);
  const rows = await query.groupBy('worker_id').orderBy(sql`COUNT(*)`, 'desc').orderBy('worker_id').execute();
  return rows.map((row) => ({
    workerId: row.worker_id as string,
    processing: toNumber(row.processing),
    completed: toNumber(row.completed),
    failed: toNumber(row.failed),
    avgRuntimeMs: toNullableNumber(row.avg_runtime_ms),
    lastStartedAt: toDate(row.last_started_at),
  }));
}
