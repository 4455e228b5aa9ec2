import { type CelersDatabase, PROMOTE_AHEAD_MS, SCHEDULED_STORED_STATE } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import type { Executor } from '../broker-context.js';

/** Rows one promotion statement changes at most; a full chunk means "look again". */
export const PROMOTE_CHUNK = 1_000;

/**
 * The scheduled rows of `queue` due within the promotion margin, soonest first: a pure range of idx_tasks_dequeue
 * (queue_name, state, claim_priority DESC, scheduled_at, id), where every scheduled row has `claim_priority` 0
 * (migration 0017), so it reads only the rows it returns, whatever the number of scheduled rows due later or
 * their priorities. (The same index keyed on `priority` could not serve it: MariaDB 10.11 does no loose scan of
 * a `priority DESC` key part and walked every scheduled row, measured with EXPLAIN.)
 */
function dueScheduled(queue: string) {
  return sql`celers_live_tasks FORCE INDEX (idx_tasks_dequeue)
    WHERE queue_name = ${queue} AND state = ${SCHEDULED_STORED_STATE} AND claim_priority = 0
      AND scheduled_at <= DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ${PROMOTE_AHEAD_MS * 1000} MICROSECOND)`;
}

/** Whether a scheduled task of `queue` falls due within the margin: one plain, non-locking index dive. */
async function hasDueScheduled(db: Executor, queue: string): Promise<boolean> {
  const r = await sql<{ one: number }>`SELECT 1 AS one FROM ${dueScheduled(queue)} LIMIT 1`.execute(db);
  return r.rows.length > 0;
}

/**
 * Promotes up to {@link PROMOTE_CHUNK} due scheduled rows in one short transaction: lock them with SKIP LOCKED
 * (rows another promoter holds are its to promote), then `state = 'pending'` by primary key in id order
 * (`scheduled_at` unchanged: the claim still waits for it; `claim_priority` becomes the task's priority).
 * Returns the rows promoted.
 */
async function promoteChunk(db: Kysely<CelersDatabase>, queue: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ id: string }>`SELECT id FROM ${dueScheduled(queue)}
      ORDER BY scheduled_at, id LIMIT ${PROMOTE_CHUNK} FOR UPDATE SKIP LOCKED`.execute(trx);
    if (locked.rows.length === 0) return 0;
    await trx
      .updateTable('celers_live_tasks')
      .set({ state: 'pending' })
      .where('id', 'in', locked.rows.map((r) => r.id).sort())
      .where('state', '=', SCHEDULED_STORED_STATE)
      .execute();
    return locked.rows.length;
  });
}

/**
 * Makes every scheduled task of `queue` due within `PROMOTE_AHEAD_MS` claimable (`scheduled` → `pending`).
 * Costs one index dive when none is due; otherwise 1,000 rows per READ COMMITTED transaction (the session's
 * level, see @celers/schema session settings) until a chunk comes back short. Safe to run from any number of
 * brokers at once: each row is locked by one of them and promoted once. Returns the rows promoted.
 * @internal
 */
export async function promoteScheduledTasks(db: Kysely<CelersDatabase>, queue: string): Promise<number> {
  if (!(await hasDueScheduled(db, queue))) return 0;
  let promoted = 0;
  for (;;) {
    const n = await promoteChunk(db, queue);
    promoted += n;
    if (n < PROMOTE_CHUNK) return promoted;
  }
}
