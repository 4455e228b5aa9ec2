import type { CelersKysely } from '../dashboard-options.js';

/**
 * Deletes every `celers_queue_config` row (paused, drain mode, custom keys) of `queue`; returns how many.
 * The caller checks first that the queue holds no task, DLQ entry or schedule (a phantom queue), so the queue
 * disappears from the list.
 */
export async function deleteQueueConfig(db: CelersKysely, queue: string): Promise<number> {
  const r = await db.deleteFrom('celers_queue_config').where('queue_name', '=', queue).executeTakeFirst();
  return Number(r.numDeletedRows);
}
