import { FINISHED_TASK_STATES } from '@celers/core';
import type { CelersKysely } from '../dashboard-options.js';

/**
 * Deletes the tasks of `queue` among `ids` that are finished (completed, failed, cancelled), in one statement
 * through the primary key; returns how many. Pending and processing tasks are left alone (cancel them first),
 * so a worker never loses a row it holds. The broker has no delete-by-id API yet (only purges by state, name
 * or age); finished rows stay in `celers_tasks` when hot rows move to their own table.
 */
export async function deleteFinishedTasks(
  db: CelersKysely,
  queue: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .deleteFrom('celers_tasks')
    .where('queue_name', '=', queue)
    .where('id', 'in', [...ids].sort())
    .where('state', 'in', [...FINISHED_TASK_STATES])
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
