import type { Executor } from '../broker-context.js';
import { updateEitherTable } from './task-moves.sql.js';

/** Sets (or clears) a task's error message; returns rows matched (0 or 1). @internal */
export async function writeErrorMessage(
  db: Executor,
  queue: string,
  id: string,
  message: string | null,
): Promise<number> {
  return updateEitherTable((table) =>
    db
      .updateTable(table)
      .set({ error_message: message })
      .where('id', '=', id)
      .where('queue_name', '=', queue)
      .executeTakeFirstOrThrow(),
  );
}

/**
 * Reassigns a `processing` task to `workerId` (the seed's `set_worker_id`); heartbeat recovery then follows
 * the new worker. Returns rows matched (0 when the task is not processing in this queue).
 * @internal
 */
export async function writeWorkerId(
  db: Executor,
  queue: string,
  id: string,
  workerId: string,
): Promise<number> {
  const result = await db
    .updateTable('celers_live_tasks')
    .set({ worker_id: workerId })
    .where('id', '=', id)
    .where('queue_name', '=', queue)
    .where('state', '=', 'processing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
