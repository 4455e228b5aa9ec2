import type { PayloadContentType, PayloadEncoding } from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import type { DlqTaskInfo } from './dlq-types.js';

/** DLQ rows deleted per statement by {@link deleteDlqChunk}, so a huge purge never holds one giant lock set. */
export const DLQ_PURGE_CHUNK_SIZE = 1_000;

const DLQ_INFO_COLUMNS = [
  'id',
  'task_id',
  'queue_name',
  'task_name',
  'priority',
  'retry_count',
  'max_retries',
  'content_type',
  'content_encoding',
  'error_message',
  'metadata',
  'created_at',
  'failed_at',
] as const;

/** `SELECT <dlq info columns>, LENGTH(payload) FROM celers_dead_letter_queue WHERE queue_name = ?`. @internal */
export function selectDlqInfos(db: Executor, queue: string) {
  return db
    .selectFrom('celers_dead_letter_queue')
    .select(DLQ_INFO_COLUMNS)
    .select(sql<number>`LENGTH(payload)`.as('payload_bytes'))
    .where('queue_name', '=', queue);
}

type DlqInfoRow = Awaited<ReturnType<ReturnType<typeof selectDlqInfos>['executeTakeFirstOrThrow']>>;

/** Maps a DLQ row to {@link DlqTaskInfo}. @internal */
export function toDlqTaskInfo(row: DlqInfoRow): DlqTaskInfo {
  return {
    id: row.id,
    taskId: row.task_id,
    queue: row.queue_name,
    taskName: row.task_name,
    priority: row.priority,
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
    contentType: row.content_type as PayloadContentType,
    contentEncoding: row.content_encoding as PayloadEncoding,
    errorMessage: row.error_message,
    metadata: parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {},
    payloadBytes: Number(row.payload_bytes),
    createdAt: row.created_at,
    failedAt: row.failed_at,
  };
}

/** Locks one DLQ row of `queue` (whole row, payload included) for a requeue. @internal */
export async function lockDlqRow(trx: Executor, queue: string, dlqId: string) {
  return trx
    .selectFrom('celers_dead_letter_queue')
    .selectAll()
    .where('id', '=', dlqId)
    .where('queue_name', '=', queue)
    .forUpdate()
    .executeTakeFirst();
}

/** Deletes DLQ rows by primary key (sorted, for a deterministic lock order); returns rows deleted. @internal */
export async function deleteDlqRows(db: Executor, queue: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .deleteFrom('celers_dead_letter_queue')
    .where('id', 'in', [...ids].sort())
    .where('queue_name', '=', queue)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes up to {@link DLQ_PURGE_CHUNK_SIZE} DLQ rows of `queue` (lowest ids first, through the primary key).
 * Returns rows found and deleted (fewer when a concurrent purge got there first); call again while `found` is a
 * full chunk.
 * @internal
 */
export async function deleteDlqChunk(
  db: Executor,
  queue: string,
): Promise<{ found: number; deleted: number }> {
  const rows = await db
    .selectFrom('celers_dead_letter_queue')
    .select('id')
    .where('queue_name', '=', queue)
    .orderBy('id')
    .limit(DLQ_PURGE_CHUNK_SIZE)
    .execute();
  const deleted = await deleteDlqRows(
    db,
    queue,
    rows.map((r) => r.id),
  );
  return { found: rows.length, deleted };
}
