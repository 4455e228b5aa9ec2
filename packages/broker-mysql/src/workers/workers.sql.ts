import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import type { WorkerStatistics } from './workers-types.js';

/**
 * Per-worker counters over this queue's tasks; `workerId` narrows to one worker (served by idx_tasks_worker).
 * @internal
 */
export async function selectWorkerStatistics(
  db: Executor,
  queue: string,
  workerId?: string,
): Promise<WorkerStatistics[]> {
  let q = db
    .selectFrom('celers_tasks')
    .select([
      'worker_id',
      sql<number>`SUM(state = 'processing')`.as('processing'),
      sql<number>`SUM(state = 'completed')`.as('completed'),
      sql<number>`SUM(state = 'failed')`.as('failed'),
      sql<number | null>`AVG(CASE WHEN state = 'completed' AND started_at IS NOT NULL
        THEN TIMESTAMPDIFF(MICROSECOND, started_at, completed_at) END) / 1000`.as('avg_ms'),
      sql<Date | null>`MAX(GREATEST(COALESCE(completed_at, started_at), COALESCE(started_at, completed_at)))`.as(
        'last_activity',
      ),
    ])
    .where('queue_name', '=', queue)
    .where('worker_id', 'is not', null)
    .groupBy('worker_id')
    .orderBy('worker_id');
  if (workerId !== undefined) q = q.where('worker_id', '=', workerId);
  const rows = await q.execute();
  return rows.map((r) => ({
    workerId: r.worker_id ?? '',
    tasksProcessing: Number(r.processing ?? 0),
    tasksCompleted: Number(r.completed ?? 0),
    tasksFailed: Number(r.failed ?? 0),
    avgRuntimeMs: r.avg_ms == null ? null : Number(r.avg_ms),
    lastActivity: r.last_activity ?? null,
  }));
}
