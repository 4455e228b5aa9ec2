import { jsonColumnText, parseJsonColumn } from '@celers/schema';
import { v7 as uuidv7 } from 'uuid';
import type { Executor } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';
import type { TaskInsertValues } from '../internal/task-row-mapper.js';
import { insertTaskUnlessDraining } from '../queue/enqueue.sql.js';
import { hasLinks, linkLiveTasks } from '../queue/task-links.sql.js';
import { deleteDlqRows, lockDlqRow } from './dlq.sql.js';

/** What {@link requeueDlqRow} did. */
export type DlqRequeueResult =
  | { status: 'requeued'; taskId: string; taskName: string }
  | { status: 'not-found' }
  | { status: 'draining' };

/**
 * Inside `trx`: locks the DLQ row, inserts a fresh pending task (new UUIDv7, retry count 0, same name,
 * payload, priority, retries, retry policy and metadata plus `requeued_from_dlq`) unless the queue drains,
 * and deletes the DLQ row. The DLQ table has no `timeout_ms`; it is taken from the original task row when
 * that still exists.
 * @internal
 */
export async function requeueDlqRow(trx: Executor, queue: string, dlqId: string): Promise<DlqRequeueResult> {
  const row = await lockDlqRow(trx, queue, dlqId);
  if (!row) return { status: 'not-found' };
  const original = await trx
    .selectFrom('celers_tasks')
    .select('timeout_ms')
    .where('id', '=', row.task_id)
    .executeTakeFirst();
  const metadata = {
    ...(parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {}),
    requeued_from_dlq: dlqId,
  };
  const values: TaskInsertValues = {
    id: uuidv7(),
    queue_name: queue,
    task_name: row.task_name,
    payload: row.payload,
    content_type: row.content_type,
    content_encoding: row.content_encoding,
    state: 'pending',
    priority: row.priority,
    retry_count: 0,
    max_retries: row.max_retries,
    timeout_ms: original?.timeout_ms == null ? null : Number(original.timeout_ms),
    retry_policy: jsonColumnText(row.retry_policy, 'celers_dead_letter_queue.retry_policy'),
    metadata: JSON.stringify(metadata),
  };
  if (!(await insertTaskUnlessDraining(trx, values, dbNow()))) return { status: 'draining' };
  if (hasLinks(metadata)) await linkLiveTasks(trx, [values.id]);
  await deleteDlqRows(trx, queue, [dlqId]);
  return { status: 'requeued', taskId: values.id, taskName: values.task_name };
}
