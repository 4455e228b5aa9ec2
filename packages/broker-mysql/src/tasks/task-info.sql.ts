import type { PayloadContentType, PayloadEncoding } from '@celers/core';
import { parseJsonColumn, publicTaskState } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import type { TaskInfo } from './task-types.js';

/** Columns of `celers_tasks` that make up a {@link TaskInfo} (the payload is reported by size only). */
const TASK_INFO_COLUMNS = [
  'id',
  'queue_name',
  'task_name',
  'state',
  'priority',
  'retry_count',
  'delivery_count',
  'max_retries',
  'timeout_ms',
  'content_type',
  'content_encoding',
  'created_at',
  'scheduled_at',
  'started_at',
  'completed_at',
  'lease_expires_at',
  'worker_id',
  'error_message',
  'progress_percent',
  'progress_step',
  'metadata',
  'group_id',
  'parent_task_id',
] as const;

/**
 * `SELECT <task info columns>, LENGTH(payload) FROM celers_tasks WHERE queue_name = ?`: the base of every
 * task inspection query; callers add filters, order and paging. Every read is scoped to one queue.
 * @internal
 */
export function selectTaskInfos(db: Executor, queue: string) {
  return db
    .selectFrom('celers_tasks')
    .select(TASK_INFO_COLUMNS)
    .select(sql<number>`LENGTH(payload)`.as('payload_bytes'))
    .where('queue_name', '=', queue);
}

/** A {@link selectTaskInfos} query, with whatever filters the caller added. */
export type TaskInfoQuery = ReturnType<typeof selectTaskInfos>;

/**
 * One page of `query`, newest first (`created_at`, then `id`, both descending: a stable order for paging),
 * as {@link TaskInfo}s. The order every "list tasks" read shares.
 * @internal
 */
export async function newestFirstPage(
  query: TaskInfoQuery,
  page: { limit: number; offset: number },
): Promise<TaskInfo[]> {
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toTaskInfo);
}

/** A row read by {@link selectTaskInfos}. */
export type TaskInfoRow = Awaited<ReturnType<ReturnType<typeof selectTaskInfos>['executeTakeFirstOrThrow']>>;

/** Maps a {@link TaskInfoRow} to the public camelCase shape. @internal */
export function toTaskInfo(row: TaskInfoRow): TaskInfo {
  return {
    id: row.id,
    queue: row.queue_name,
    taskName: row.task_name,
    state: publicTaskState(row.state),
    priority: row.priority,
    retryCount: row.retry_count,
    deliveryCount: row.delivery_count,
    maxRetries: row.max_retries,
    timeoutMs: row.timeout_ms == null ? null : Number(row.timeout_ms),
    contentType: row.content_type as PayloadContentType,
    contentEncoding: row.content_encoding as PayloadEncoding,
    createdAt: row.created_at,
    scheduledAt: row.scheduled_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    leaseExpiresAt: row.lease_expires_at,
    workerId: row.worker_id,
    errorMessage: row.error_message,
    progressPercent: row.progress_percent == null ? null : Number(row.progress_percent),
    progressStep: row.progress_step,
    metadata: parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {},
    payloadBytes: Number(row.payload_bytes),
    groupId: row.group_id,
    parentTaskId: row.parent_task_id,
  };
}
