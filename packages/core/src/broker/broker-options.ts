import type { TaskResultInput } from '../task/serialized-task.js';

/** Options for claiming tasks. */
export interface DequeueOptions {
  /** Recorded on the claimed tasks (`worker_id`) and used by heartbeat-based recovery. */
  workerId?: string;
  /** Lease length in ms; past it the task may be recovered. @defaultValue the broker's `leaseMs` */
  leaseMs?: number;
  /**
   * Claim only tasks with one of these names (1 to `MAX_CLAIM_TASK_NAMES` names), leaving others pending for
   * consumers that handle them; every name when omitted. The Worker passes its handler names.
   */
  taskNames?: readonly string[];
}

/** Options for `reject`. */
export interface RejectOptions {
  /** Retry the task (while retries remain) instead of failing it now. @defaultValue true */
  requeue?: boolean;
  /** Error message stored on the task (and the DLQ row). */
  error?: string;
  /** Stack trace stored with the failure result. */
  traceback?: string;
  /** Override the retry policy's delay for this retry, in ms. */
  delayMs?: number;
  /** Also upsert a `RETRY`/`FAILURE` result with the error and traceback, in the same transaction. @defaultValue false */
  storeResult?: boolean;
}

/** What `reject` did. */
export type RejectOutcome =
  /** Rescheduled as `pending` at `retryAt`. */
  | { outcome: 'retried'; retryCount: number; retryAt: Date }
  /** Retries exhausted: moved to the dead letter queue. */
  | { outcome: 'dead-lettered'; dlqId: string }
  /** `requeue: false`: marked `failed` without retry (and without a DLQ row). */
  | { outcome: 'failed' };

/** One entry of `ackBatch`. */
export interface AckItem {
  taskId: string;
  receiptHandle: string;
  /** Stored in `celers_task_results` in the same transaction as the ack. */
  result?: TaskResultInput;
  /**
   * The task's name, when the caller knows it (the Worker passes its message's). A batch that stores results then
   * completes its tasks without reading their rows first: the name goes into the result rows, and the statement
   * that completes the tasks also checks it. A name that is not the task's never reaches the table: that
   * item's batch falls back to reading the rows.
   */
  taskName?: string;
}

/**
 * What `ackBatch` did with one item: `acked` (completed by this call), `stale` (the task exists but the
 * receipt no longer owns it: its lease expired and it was recovered, or it was settled already), `missing`
 * (no such task in this queue).
 */
export type AckOutcome = 'acked' | 'stale' | 'missing';

/** What `ackBatch` returns: one outcome per item (same order) and how many distinct tasks were acked. */
export interface AckBatchResult {
  /** Distinct tasks acked (an item listed twice is acked and counted once). */
  readonly count: number;
  /** `outcomes[i]` is the outcome of `items[i]`; a repeated item repeats its first occurrence's outcome. */
  readonly outcomes: readonly AckOutcome[];
}

/** One entry of `rejectBatch`. */
export interface RejectItem extends RejectOptions {
  taskId: string;
  receiptHandle: string;
}

/** Worker registration details. */
export interface WorkerRegistration {
  workerId: string;
  /** Free-form capabilities, e.g. handled task names, host, pid. */
  capabilities?: Record<string, unknown>;
}
