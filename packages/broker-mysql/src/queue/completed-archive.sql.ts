import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { unlinkTasks } from './task-links.sql.js';
import { inTransaction, moveTaskRows } from './task-moves.sql.js';

/** Completed rows moved per archive transaction. @internal */
export const ARCHIVE_CHUNK_SIZE = 1_000;

/**
 * Moves up to `limit` completed tasks of `queue` from the live table to the finished table in one short
 * transaction: lock them (SKIP LOCKED, through idx_tasks_dequeue's (queue, 'completed') prefix, so two
 * archivers split the work), copy, delete. Returns how many moved. An ack only marks its rows `completed`
 * (one UPDATE, as cheap as before the split); this moves them in bulk, off the ack's path.
 * @internal
 */
export async function archiveCompletedTasks(db: Executor, queue: string, limit = ARCHIVE_CHUNK_SIZE) {
  return inTransaction(db, async (trx) => {
    const rows = await sql<{ id: string }>`SELECT id FROM celers_live_tasks FORCE INDEX (idx_tasks_dequeue)
      WHERE queue_name = ${queue} AND state = 'completed'
      ORDER BY claim_priority DESC, scheduled_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(trx);
    if (rows.rows.length === 0) return 0;
    const ids = rows.rows.map((r) => r.id);
    const moved = await moveTaskRows(trx, 'celers_live_tasks', 'celers_finished_tasks', ids, {});
    // Their links rows are stale now (finished members are counted through the finished table's indexes).
    await unlinkTasks(trx, ids);
    return moved;
  });
}
