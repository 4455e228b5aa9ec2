import { jsonColumnText, pendingStateForDelay, type TaskRow } from '@celers/schema';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Executor } from '../broker-context.js';
import { BACK_TO_PENDING } from './lease.sql.js';
import { finishLiveTasks } from './task-moves.sql.js';

/** The columns of a task row that its dead-letter copy takes. */
type DeadLetterSource = Pick<
  TaskRow,
  | 'id'
  | 'queue_name'
  | 'task_name'
  | 'payload'
  | 'content_type'
  | 'content_encoding'
  | 'priority'
  | 'retry_count'
  | 'max_retries'
  | 'retry_policy'
  | 'metadata'
  | 'created_at'
>;

/** Locks one live task row of `queue` for a state change, with the database time. @internal */
export async function lockTask(
  trx: Executor,
  queue: string,
  id: string,
): Promise<{ row: TaskRow; now: Date } | null> {
  const row = await trx
    .selectFrom('celers_live_tasks')
    .selectAll()
    .select(sql<Date>`UTC_TIMESTAMP(6)`.as('db_now'))
    .where('id', '=', id)
    .where('queue_name', '=', queue)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  const { db_now, ...task } = row;
  return { row: task as TaskRow, now: db_now };
}

/**
 * Puts a task back to `pending` for retry number `retryCount` at `retryAt`, `delayMs` from now: stored
 * `scheduled` when that backoff is beyond the promotion margin, so long backoffs stay out of the claim's range.
 * @internal
 */
export async function scheduleRetry(
  trx: Executor,
  id: string,
  retry: { retryCount: number; retryAt: Date; delayMs: number },
  error: string | null,
): Promise<void> {
  await trx
    .updateTable('celers_live_tasks')
    .set({
      ...BACK_TO_PENDING,
      state: pendingStateForDelay(retry.delayMs),
      retry_count: retry.retryCount,
      scheduled_at: retry.retryAt,
      error_message: error,
    })
    .where('id', '=', id)
    .execute();
}

/** Marks a locked live task `failed` (no retry): it moves to the finished table. @internal */
export async function markFailed(trx: Executor, id: string, now: Date, error: string | null): Promise<void> {
  await finishLiveTasks(trx, [id], { state: 'failed', at: now, error });
}

/**
 * Copies a task into the dead letter queue and marks it `failed`, in the caller's transaction (the seed's
 * `move_to_dlq` procedure, done as two statements so it runs unchanged on MySQL, MariaDB and Vitess-like
 * servers without stored procedures). Returns the DLQ row id.
 * @internal
 */
export async function moveToDeadLetterQueue(
  trx: Executor,
  row: DeadLetterSource,
  now: Date,
  error: string | null,
): Promise<string> {
  const dlqId = uuidv7();
  await trx
    .insertInto('celers_dead_letter_queue')
    .values({
      id: dlqId,
      task_id: row.id,
      queue_name: row.queue_name,
      task_name: row.task_name,
      payload: row.payload,
      content_type: row.content_type,
      content_encoding: row.content_encoding,
      priority: row.priority,
      retry_count: row.retry_count,
      max_retries: row.max_retries,
      // JSON columns are read as JSON text (createDatabase sets jsonStrings): copy the text as stored.
      retry_policy: jsonColumnText(row.retry_policy, 'celers_tasks.retry_policy'),
      error_message: error,
      metadata: jsonColumnText(row.metadata, 'celers_tasks.metadata') ?? '{}',
      created_at: row.created_at,
      failed_at: now,
    })
    .execute();
  await markFailed(trx, row.id, now, error);
  return dlqId;
}
