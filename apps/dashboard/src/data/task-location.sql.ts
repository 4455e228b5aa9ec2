import type { CelersKysely } from '../dashboard-options.js';

/** The queue holding task `taskId` in `celers_tasks`, or `null` (primary-key lookup). */
export async function findTaskQueue(db: CelersKysely, taskId: string): Promise<string | null> {
  const row = await db
    .selectFrom('celers_tasks')
    .select('queue_name')
    .where('id', '=', taskId)
    .executeTakeFirst();
  return row?.queue_name ?? null;
}

/** The queue of the stored result of `taskId`, or `null` (primary-key lookup). */
export async function findResultQueue(db: CelersKysely, taskId: string): Promise<string | null> {
  const row = await db
    .selectFrom('celers_task_results')
    .select('queue_name')
    .where('task_id', '=', taskId)
    .executeTakeFirst();
  return row?.queue_name ?? null;
}
