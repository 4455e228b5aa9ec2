import type { Executor } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';

/** Cancels the pending/processing tasks among `ids`; returns how many changed. @internal */
export async function cancelLiveTasks(db: Executor, queue: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('celers_tasks')
    .set({ state: 'cancelled', completed_at: dbNow(), lease_expires_at: null, receipt_handle: null })
    .where('id', 'in', [...ids].sort())
    .where('queue_name', '=', queue)
    .where('state', 'in', ['pending', 'processing'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
