import { assertTaskIds, FINISHED_TASK_STATES } from '@celers/core';
import type { BrokerContext } from '../broker-context.js';

/**
 * Deletes the queue's tasks among `taskIds` that are finished (completed, failed, cancelled), one statement per
 * task table through the primary key; returns how many. Pending and processing tasks are left alone, so a worker
 * never loses a row it holds. A finished task is in `celers_finished_tasks`, or still in `celers_live_tasks`
 * (completed, until the archiver moves it), so both tables are asked. Their `celers_task_links` rows are swept
 * by the `archiveCompleted` maintenance job, as after purges.
 * @internal
 */
export async function deleteFinishedTasks(ctx: BrokerContext, taskIds: readonly string[]): Promise<number> {
  const ids = assertTaskIds(taskIds, 'taskIds');
  if (ids.length === 0) return 0;
  const sorted = [...ids].sort(); // one lock order for concurrent deletes
  return ctx.run('tasks.deleteFinished', async () => {
    let deleted = 0;
    for (const table of ['celers_finished_tasks', 'celers_live_tasks'] as const) {
      const r = await ctx.db
        .deleteFrom(table)
        .where('queue_name', '=', ctx.queue)
        .where('id', 'in', sorted)
        .where('state', 'in', [...FINISHED_TASK_STATES])
        .executeTakeFirst();
      deleted += Number(r.numDeletedRows);
    }
    return deleted;
  });
}
