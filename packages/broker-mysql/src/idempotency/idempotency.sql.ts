import type { IdempotencyRow } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { dbNow, dbNowPlusMs } from '../internal/db-time.js';

/** An idempotency row plus whether it is still live by the database clock. */
export type LockedKey = IdempotencyRow & { live: number };

/** Locks the key's row (if any) for a claim. @internal */
export async function lockKey(
  trx: Executor,
  queue: string,
  taskName: string,
  key: string,
): Promise<LockedKey | undefined> {
  return trx
    .selectFrom('celers_task_idempotency')
    .selectAll()
    .select(sql<number>`expires_at > UTC_TIMESTAMP(6)`.as('live'))
    .where('queue_name', '=', queue)
    .where('task_name', '=', taskName)
    .where('idempotency_key', '=', key)
    .forUpdate()
    .executeTakeFirst();
}

/** Inserts a key for `taskId`, valid for `ttlMs` (1062 when another producer just did). @internal */
export async function insertKey(
  trx: Executor,
  row: {
    queue: string;
    taskName: string;
    key: string;
    taskId: string;
    ttlMs: number;
    metadata: string | null;
  },
): Promise<void> {
  await trx
    .insertInto('celers_task_idempotency')
    .values({
      queue_name: row.queue,
      task_name: row.taskName,
      idempotency_key: row.key,
      task_id: row.taskId,
      metadata: row.metadata,
      created_at: dbNow(),
      expires_at: dbNowPlusMs(row.ttlMs),
    })
    .execute();
}

/** Points an expired key at a new task with a fresh TTL. @internal */
export async function renewKey(
  trx: Executor,
  id: number,
  taskId: string,
  ttlMs: number,
  metadata: string | null,
): Promise<void> {
  await trx
    .updateTable('celers_task_idempotency')
    .set({ task_id: taskId, metadata, created_at: dbNow(), expires_at: dbNowPlusMs(ttlMs) })
    .where('id', '=', id)
    .execute();
}
