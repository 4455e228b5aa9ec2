import type { CelersDatabase } from '@celers/schema';
import { type ExpressionBuilder, sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { dbNow, dbNowPlusMs } from '../internal/db-time.js';

/** Pushes the lease of an owned task to now + `leaseMs`; returns rows matched (0 or 1). @internal */
export async function extendOwnedLease(
  db: Executor,
  queue: string,
  id: string,
  receiptHandle: string,
  leaseMs: number,
): Promise<number> {
  const result = await db
    .updateTable('celers_tasks')
    .set({ lease_expires_at: dbNowPlusMs(leaseMs) })
    .where('id', '=', id)
    .where('queue_name', '=', queue)
    .where('state', '=', 'processing')
    .where('receipt_handle', '=', receiptHandle)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Reads a task's lease expiry. @internal */
export async function readLease(db: Executor, id: string): Promise<Date | null> {
  const row = await db
    .selectFrom('celers_tasks')
    .select('lease_expires_at')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.lease_expires_at ?? null;
}

/**
 * What giving a claimed task back sets: `pending` again, no claim, lease, receipt or worker (a release or a
 * recovery keeps the retry count; a retry adds its own fields). @internal
 */
export const BACK_TO_PENDING = {
  state: 'pending',
  started_at: null,
  lease_expires_at: null,
  receipt_handle: null,
  worker_id: null,
} as const;

/** Returns an owned, claimed task to `pending` without counting a retry. @internal */
export async function releaseOwnedTask(
  db: Executor,
  queue: string,
  id: string,
  receiptHandle: string,
): Promise<number> {
  const result = await db
    .updateTable('celers_tasks')
    .set(BACK_TO_PENDING)
    .where('id', '=', id)
    .where('queue_name', '=', queue)
    .where('state', '=', 'processing')
    .where('receipt_handle', '=', receiptHandle)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** `t` (a `celers_tasks` row of `queue`) is processing with an expired lease, or its worker stopped heartbeating. */
function timedOut(
  eb: ExpressionBuilder<CelersDatabase & { t: CelersDatabase['celers_tasks'] }, 't'>,
  queue: string,
  workerStaleAfterMs: number,
) {
  return eb.and([
    eb('t.queue_name', '=', queue),
    eb('t.state', '=', 'processing'),
    eb.or([
      eb('t.lease_expires_at', '<', dbNow()),
      eb.exists(
        eb
          .selectFrom('celers_worker_heartbeat as w')
          .select(sql`1`.as('one'))
          .whereRef('w.worker_id', '=', 't.worker_id')
          .where('w.queue_name', '=', queue)
          .where((w) =>
            w.or([
              w('w.last_heartbeat', '<', dbNowPlusMs(-workerStaleAfterMs)),
              w('w.status', '=', 'offline'),
            ]),
          ),
      ),
    ]),
  ]);
}

/**
 * Finds, without locking anything, up to `limit` `processing` tasks of `queue` after `afterId` (id order)
 * whose lease has expired or whose worker's heartbeat is older than `workerStaleAfterMs`. A plain consistent
 * read: live leases being acked right now are never touched, not even for an instant. Processing rows per
 * queue are few (bounded by worker capacity), so scanning them through idx_tasks_dequeue's
 * (queue_name, state) prefix is cheap.
 * @internal
 */
export async function findTimedOutTaskIds(
  db: Executor,
  queue: string,
  workerStaleAfterMs: number,
  afterId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('celers_tasks as t')
    .select('t.id')
    .where((eb) => timedOut(eb, queue, workerStaleAfterMs))
    .where('t.id', '>', afterId)
    .orderBy('t.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Locks, through the primary key, those of `ids` that are still timed out (see {@link findTimedOutTaskIds}),
 * skipping rows someone holds right now (an ack that came in late wins). Only these rows are locked.
 * @internal
 */
export async function lockTimedOutTaskIds(
  trx: Executor,
  queue: string,
  workerStaleAfterMs: number,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .selectFrom('celers_tasks as t')
    .select('t.id')
    .where('t.id', 'in', [...ids])
    .where((eb) => timedOut(eb, queue, workerStaleAfterMs))
    .orderBy('t.id')
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => r.id);
}

/** Puts locked tasks back to `pending` (retry count kept) so another worker can claim them. @internal */
export async function requeueTasks(trx: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await trx
    .updateTable('celers_tasks')
    .set(BACK_TO_PENDING)
    .where('id', 'in', [...ids].sort())
    .where('state', '=', 'processing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
