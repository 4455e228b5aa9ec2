import { FINISHED_TASK_STATES } from '@celers/core';
import type { CelersKysely } from '../dashboard-options.js';

/**
 * Deletes the tasks of `queue` among `ids` that are finished (completed, failed, cancelled), in one statement
 * through the primary key; returns how many. Pending and processing tasks are left alone (cancel them first),
 * so a worker never loses a row it holds. The broker has no delete-by-id API yet (only purges by state, name
 * or age). A finished task is in `celers_finished_tasks`, or still in `celers_live_tasks` (completed, until the
 * broker's archiver moves it), so both tables are asked.
 */
export async function deleteFinishedTasks(
  db: CelersKysely,
  queue: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  let deleted = 0;
  for (const table of ['celers_finished_tasks', 'celers_live_tasks'] as const) {
    const r = await db
      .deleteFrom(table)
      .where('queue_name', '=', queue)
      .where('id', 'in', [...ids].sort())
      .where('state', 'in', [...FINISHED_TASK_STATES])
      .executeTakeFirst();
    deleted += Number(r.numDeletedRows);
  }
  return deleted;
}
