import type { TaskRow } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { QueueConfigKey, queueFlagIsSet } from './queue-config.sql.js';

/** A claimed row plus the database time of the claim. */
export interface ClaimedRows {
  rows: TaskRow[];
  /** `UTC_TIMESTAMP(6)` as read by the claiming SELECT. */
  claimedAt: Date;
}

/**
 * Locks up to `limit` due tasks of `queue` (highest priority, then earliest `scheduled_at`, then id), skipping
 * rows other transactions hold. Must run inside a transaction, which the caller then uses to mark them
 * claimed with {@link markClaimed}. Returns nothing while the queue is paused (checked in the same statement).
 *
 * Clause order is `ORDER BY … LIMIT n FOR UPDATE SKIP LOCKED` (kysely compiles it; `FOR UPDATE SKIP LOCKED
 * LIMIT` is a syntax error). It walks idx_tasks_dequeue in order, so the cost is O(log n + rows skipped).
 * @internal
 */
export async function lockDueTasks(trx: Executor, queue: string, limit: number): Promise<ClaimedRows> {
  const rows = await trx
    .selectFrom('celers_tasks')
    .selectAll()
    .select(sql<Date>`UTC_TIMESTAMP(6)`.as('db_now'))
    .where('queue_name', '=', queue)
    .where('state', '=', 'pending')
    .where('scheduled_at', '<=', sql<Date>`UTC_TIMESTAMP(6)`)
    .where(sql<boolean>`NOT ${queueFlagIsSet(queue, QueueConfigKey.Paused)}`)
    .orderBy('priority', 'desc')
    .orderBy('scheduled_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  const claimedAt = rows[0]?.db_now ?? new Date();
  return { rows: rows.map(({ db_now: _, ...row }) => row as TaskRow), claimedAt };
}

/**
 * Marks locked rows `processing` under a new receipt handle and lease. One receipt per claim: a later claim
 * of the same task gets another, so acks from an earlier lease are recognised as stale.
 * @internal
 */
export async function markClaimed(
  trx: Executor,
  ids: readonly string[],
  claim: { receiptHandle: string; claimedAt: Date; leaseExpiresAt: Date; workerId: string | null },
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('celers_tasks')
    .set({
      state: 'processing',
      started_at: claim.claimedAt,
      lease_expires_at: claim.leaseExpiresAt,
      receipt_handle: claim.receiptHandle,
      worker_id: claim.workerId,
    })
    .where('id', 'in', [...ids].sort())
    .execute();
}
