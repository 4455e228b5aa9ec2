import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNumber } from '../internal/numbers.js';
import { dbNowMinusMs } from '../internal/sql-fragments.js';

/** Completions and failures over a window (the seed's `TaskThroughput`). */
export interface TaskThroughput {
  /** The window measured (ms), ending at the database's current time. */
  windowMs: number;
  /** Tasks that completed within the window. */
  completed: number;
  /** Tasks that failed (dead-lettered or rejected without retry) within the window. */
  failed: number;
  /** Completed tasks per second, averaged over the window. */
  completedPerSecond: number;
  /** Completed tasks per minute. */
  completedPerMinute: number;
  /** Completed tasks per hour. */
  completedPerHour: number;
  /** Failed tasks per second. */
  failedPerSecond: number;
  /** Failed tasks per minute. */
  failedPerMinute: number;
  /** Failed tasks per hour. */
  failedPerHour: number;
  /** `completed / (completed + failed)`, 0–1; 1 when nothing finished. */
  successRate: number;
}

/** Counts tasks finished in the last `windowMs` by `completed_at` (served by `idx_tasks_completed_at`). @internal */
export async function selectThroughput(
  db: Kysely<CelersDatabase>,
  queue: string,
  windowMs: number,
): Promise<TaskThroughput> {
  const row = await db
    .selectFrom('celers_tasks')
    .select([
      sql<number>`SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END)`.as('completed'),
      sql<number>`SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END)`.as('failed'),
    ])
    .where('queue_name', '=', queue)
    .where('completed_at', '>=', dbNowMinusMs(windowMs))
    .executeTakeFirst();
  const completed = toNumber(row?.completed);
  const failed = toNumber(row?.failed);
  const seconds = windowMs / 1000;
  return {
    windowMs,
    completed,
    failed,
    completedPerSecond: completed / seconds,
    completedPerMinute: (completed / seconds) * 60,
    completedPerHour: (completed / seconds) * 3600,
    failedPerSecond: failed / seconds,
    failedPerMinute: (failed / seconds) * 60,
    failedPerHour: (failed / seconds) * 3600,
    successRate: completed + failed > 0 ? completed / (completed + failed) : 1,
  };
}
