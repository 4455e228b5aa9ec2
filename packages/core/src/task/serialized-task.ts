import type { RetryPolicySpec } from './retry-policy-spec.js';
import type { TaskResultStatus } from './task-state.js';

/** A task id: a lower-case UUID string (v7 for tasks celers creates, so ids sort by creation time). */
export type TaskId = string;

/** How the payload bytes are to be read. */
export type PayloadContentType = 'application/json' | 'application/octet-stream';
/** Whether the payload bytes are compressed. */
export type PayloadEncoding = 'identity' | 'deflate';

/** Everything about a task except its payload. */
export interface TaskMetadata {
  /** Unique id (UUIDv7 by default). */
  id: TaskId;
  /** The task type, used to pick the handler, e.g. `"emails.send"`. */
  name: string;
  /** Higher runs first. @defaultValue 0 */
  priority: number;
  /** Retries allowed after the first attempt before the task goes to the DLQ. @defaultValue 3 */
  maxRetries: number;
  /** Per-attempt time limit in ms; the worker aborts the handler past it. `undefined`: no limit. */
  timeoutMs?: number | undefined;
  /** When the task was created (by the producer). */
  createdAt: Date;
  /** How the payload bytes are to be decoded. @defaultValue 'application/json' */
  contentType: PayloadContentType;
  /** `deflate` when the payload bytes are compressed. @defaultValue 'identity' */
  contentEncoding: PayloadEncoding;
  /** Retry schedule for this task; the broker's default when absent. */
  retryPolicy?: RetryPolicySpec | undefined;
  /** Free-form metadata stored as JSON (trace context, group id, tenant, ...). */
  custom: Record<string, unknown>;
}

/** A task ready to be stored: metadata plus payload bytes. Create one with `createTask`. */
export interface SerializedTask {
  metadata: TaskMetadata;
  payload: Uint8Array;
}

/** A claimed task, as returned by `dequeue`. */
export interface BrokerMessage {
  task: SerializedTask;
  /** Proof of ownership for `ack`/`reject`; a new one is issued on every claim. */
  receiptHandle: string;
  /** How many times this task was retried before this attempt (0 on the first attempt). */
  retryCount: number;
  /**
   * Claims of this task so far, this one included (1 on the first delivery). Every claim counts: a retry,
   * a release and a lease that lapsed and was recovered all lead to one more, so `deliveryCount > retryCount + 1`
   * means an earlier delivery ended without an ack or reject (a redelivery).
   */
  deliveryCount: number;
  /** When the lease ends unless extended; after it the task may be recovered and claimed by another worker. */
  leaseExpiresAt: Date;
  /** The worker that claimed it, if one was named. */
  workerId: string | null;
}

/** A result to store with an ack (or on its own through `broker.results.store`). */
export interface TaskResultInput {
  /** Celery state of the result. @defaultValue 'SUCCESS' for acks */
  status?: TaskResultStatus;
  /** Any JSON value returned by the handler. */
  result?: unknown;
  /** Error message when the task failed. */
  error?: string | null;
  /** Stack trace when the task failed. */
  traceback?: string | null;
  /** How long the handler ran, in ms. */
  runtimeMs?: number | null;
}
