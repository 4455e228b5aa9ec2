import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';

/**
 * Completes the live tasks `receiptHandle` still owns (state `processing`, same receipt), in place: one UPDATE,
 * no transaction. The archiver moves them to the finished table later, in bulk. Returns the rows completed;
 * rows whose lease was lost are left untouched.
 * @internal
 */
export async function completeOwnedTasks(
  db: Executor,
  queue: string,
  ids: readonly string[],
  receiptHandle: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('celers_live_tasks')
    .set({ state: 'completed', completed_at: dbNow(), lease_expires_at: null, receipt_handle: null })
    .where('id', 'in', [...ids].sort())
    .where('queue_name', '=', queue)
    .where('state', '=', 'processing')
    .where('receipt_handle', '=', receiptHandle)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Deletes the live tasks `receiptHandle` still owns (state `processing`, same receipt): the whole ack of tasks
 * that are not kept (`keepCompleted: false`), one statement, no transaction. Returns the rows deleted; rows
 * whose lease was lost are left untouched.
 * @internal
 */
export async function deleteOwnedTasks(
  db: Executor,
  queue: string,
  ids: readonly string[],
  receiptHandle: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom('celers_live_tasks')
    .where('id', 'in', [...ids].sort())
    .where('queue_name', '=', queue)
    .where('state', '=', 'processing')
    .where('receipt_handle', '=', receiptHandle)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Why an owned-task change matched nothing: the task is gone, or the receipt lost it. @internal */
export async function explainMissingOwnership(
  db: Executor,
  queue: string,
  id: string,
): Promise<'TASK_NOT_FOUND' | 'STALE_RECEIPT'> {
  const row = await db
    .selectFrom('celers_tasks')
    .select('id')
    .where('id', '=', id)
    .where('queue_name', '=', queue)
    .executeTakeFirst();
  return row ? 'STALE_RECEIPT' : 'TASK_NOT_FOUND';
}

/**
 * The state of each of `ids` in `queue` (absent ids have no row) and its completion time as a sortable
 * `YYYYMMDDhhmmssffffff` string: microseconds, which a JS `Date` would cut to milliseconds. @internal
 */
export async function readAckStates(
  db: Executor,
  queue: string,
  ids: readonly string[],
): Promise<Array<{ id: string; state: string; completedAt: string | null }>> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('celers_tasks')
    .select([
      'id',
      'state',
      sql<string | null>`DATE_FORMAT(completed_at, '%Y%m%d%H%i%s%f')`.as('completedAt'),
    ])
    .where('id', 'in', [...ids])
    .where('queue_name', '=', queue)
    .execute();
}
