import {
  assertRetryPolicySpec,
  type BrokerMessage,
  CelersError,
  type PayloadContentType,
  type PayloadEncoding,
  type RetryPolicySpec,
  type SerializedTask,
} from '@celers/core';
import { type PendingStoredState, parseJsonColumn, type TaskRow } from '@celers/schema';

/** Columns written for a new task (times are filled in by the caller, usually from the database clock). */
export interface TaskInsertValues {
  id: string;
  queue_name: string;
  task_name: string;
  payload: Buffer;
  content_type: string;
  content_encoding: string;
  /** `'scheduled'` when the task is due later than the promotion margin (see @celers/schema stored-task-states). */
  state: PendingStoredState;
  priority: number;
  retry_count: number;
  max_retries: number;
  timeout_ms: number | null;
  retry_policy: string | null;
  metadata: string;
}

/** Maps a task to the column values of its new row, stored as `state` (due now by default). @internal */
export function toInsertValues(
  queue: string,
  task: SerializedTask,
  state: PendingStoredState = 'pending',
): TaskInsertValues {
  const m = task.metadata;
  return {
    id: m.id,
    queue_name: queue,
    task_name: m.name,
    payload: Buffer.from(task.payload.buffer, task.payload.byteOffset, task.payload.byteLength),
    content_type: m.contentType,
    content_encoding: m.contentEncoding,
    state,
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

const CONTENT_TYPES: readonly string[] = ['application/json', 'application/octet-stream'];
const CONTENT_ENCODINGS: readonly string[] = ['identity', 'deflate'];

function corrupt(row: Pick<TaskRow, 'id'>, what: string, cause?: unknown): CelersError {
  return new CelersError('CORRUPT_DATA', `Task ${row.id} cannot be decoded: ${what}`, {
    cause,
    details: { taskId: row.id },
  });
}

/**
 * The stored retry policy of a row (`undefined` when it has none), decoded once and validated, so a row that
 * holds something else (e.g. `"abc"` from a hand-edited import) is a `CORRUPT_DATA` error, never a SyntaxError.
 * @internal
 */
export function decodeRetryPolicy(row: Pick<TaskRow, 'id' | 'retry_policy'>): RetryPolicySpec | undefined {
  const value = parseJsonColumn<unknown>(row.retry_policy, 'celers_tasks.retry_policy');
  if (value === null) return undefined;
  try {
    return assertRetryPolicySpec(value, 'retry_policy');
  } catch (cause) {
    throw corrupt(row, `retry_policy is not a retry policy (${(cause as Error).message})`, cause);
  }
}

/** The columns a message is built from: what the claim reads (a claimed row's other columns are known or unused). */
export const MESSAGE_COLUMNS = [
  'id',
  'task_name',
  'payload',
  'content_type',
  'content_encoding',
  'priority',
  'retry_count',
  'max_retries',
  'timeout_ms',
  'retry_policy',
  'metadata',
  'created_at',
  'delivery_count',
] as const satisfies ReadonlyArray<keyof TaskRow>;

/** A row with the {@link MESSAGE_COLUMNS}. @internal */
export type MessageRow = Pick<TaskRow, (typeof MESSAGE_COLUMNS)[number]>;

/**
 * Rebuilds the task a row stores, checking what the consumer relies on (retry policy, metadata object,
 * content type and encoding). A row that fails is a `CORRUPT_DATA` CelersError naming the task.
 * @internal
 */
export function toSerializedTask(row: MessageRow): SerializedTask {
  const retryPolicy = decodeRetryPolicy(row);
  const custom = parseJsonColumn<unknown>(row.metadata, 'celers_tasks.metadata') ?? {};
  if (typeof custom !== 'object' || Array.isArray(custom))
    throw corrupt(row, 'metadata is not a JSON object');
  if (!CONTENT_TYPES.includes(row.content_type))
    throw corrupt(row, `unknown content_type "${row.content_type}"`);
  if (!CONTENT_ENCODINGS.includes(row.content_encoding))
    throw corrupt(row, `unknown content_encoding "${row.content_encoding}"`);
  return {
    metadata: {
      id: row.id,
      name: row.task_name,
      priority: row.priority,
      maxRetries: row.max_retries,
      timeoutMs: row.timeout_ms == null ? undefined : Number(row.timeout_ms),
      createdAt: row.created_at,
      contentType: row.content_type as PayloadContentType,
      contentEncoding: row.content_encoding as PayloadEncoding,
      retryPolicy,
      custom: custom as Record<string, unknown>,
    },
    payload: new Uint8Array(row.payload),
  };
}

/** Builds the message handed to a consumer from a claimed row. @internal */
export function toBrokerMessage(
  row: MessageRow,
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
