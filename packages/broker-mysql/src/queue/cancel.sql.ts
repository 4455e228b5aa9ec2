import { PENDING_STORED_STATES } from '@celers/schema';
import type { Executor } from '../broker-context.js';
import { finishLiveTasks, inTransaction } from './task-moves.sql.js';

/** The stored states a cancel can end: pending (due or scheduled) and processing. @internal */
export const LIVE_STATES = [...PENDING_STORED_STATES, 'processing'] as const;

/** Cancels the pending/processing tasks among `ids` (moves them to the finished table); returns how many. @internal */
export async function cancelLiveTasks(db: Executor, queue: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return inTransaction(db, async (trx) => {
    const locked = await trx
      .selectFrom('celers_live_tasks')
      .select('id')
      .where('id', 'in', [...ids].sort())
      .where('queue_name', '=', queue)
      .where('state', 'in', LIVE_STATES)
      .forUpdate()
      .execute();
    return finishLiveTasks(
      trx,
      locked.map((r) => r.id),
      { state: 'cancelled' },
    );
  });
}
