import type {
  BrokerMessage,
  PayloadContentType,
  PayloadEncoding,
  RetryPolicySpec,
  SerializedTask,
} from '@celers/core';
import { parseJsonColumn, type TaskRow } from '@celers/schema';

/** Columns written for a new task (times are filled in by the caller, usually from the database clock). */
export interface TaskInsertValues {
  id: string;
  queue_name: string;
  task_name: string;
  payload: Buffer;
  content_type: string;
  content_encoding: string;
  state: 'pending';
  priority: number;
  retry_count: number;
  max_retries: number;
  timeout_ms: number | null;
  retry_policy: string | null;
  metadata: string;
}

/** Maps a task to the column values of its new row. @internal */
export function toInsertValues(queue: string, task: SerializedTask): TaskInsertValues {
  const m = task.metadata;
  return {
    id: m.id,
    queue_name: queue,
    task_name: m.name,
    payload: Buffer.from(task.payload.buffer, task.payload.byteOffset, task.payload.byteLength),
    content_type: m.contentType,
    content_encoding: m.contentEncoding,
    state: 'pending',
    priority: m.priority,
    retry_count: 0,
    max_retries: m.maxRetries,
    timeout_ms: m.timeoutMs ?? null,
    retry_policy: m.retryPolicy ? JSON.stringify(m.retryPolicy) : null,
    metadata: JSON.stringify(m.custom ?? {}),
  };
}

/** Column order of {@link TaskInsertValues}, for multi-row and INSERT … SELECT statements. */
export const TASK_INSERT_COLUMNS = [
  'id',
  'queue_name',
  'task_name',
  'payload',
  'content_type',
  'content_encoding',
  'state',
  'priority',
  'retry_count',
  'max_retries',
  'timeout_ms',
  'retry_policy',
  'metadata',
] as const satisfies ReadonlyArray<keyof TaskInsertValues>;

/** Rebuilds the task a row stores. @internal */
export function toSerializedTask(row: TaskRow): SerializedTask {
  const retryPolicy =
    row.retry_policy == null ? undefined : parseJsonColumn<RetryPolicySpec>(row.retry_policy);
  return {
    metadata: {
      id: row.id,
      name: row.task_name,
      priority: row.priority,
      maxRetries: row.max_retries,
      timeoutMs: row.timeout_ms ?? undefined,
      createdAt: row.created_at,
      contentType: row.content_type as PayloadContentType,
      contentEncoding: row.content_encoding as PayloadEncoding,
      retryPolicy,
      custom: parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {},
    },
    payload: new Uint8Array(row.payload),
  };
}

/** Builds the message handed to a consumer from a claimed row. @internal */
export function toBrokerMessage(
  row: TaskRow,
  receiptHandle: string,
  leaseExpiresAt: Date,
  workerId: string | null,
): BrokerMessage {
  return {
    task: toSerializedTask(row),
    receiptHandle,
    retryCount: row.retry_count,
    deliveryCount: row.delivery_count,
    leaseExpiresAt,
    workerId,
  };
}
