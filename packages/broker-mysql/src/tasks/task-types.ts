import type { PayloadContentType, PayloadEncoding, TaskState } from '@celers/core';
import type { PageOptions } from '../internal/page-options.js';

/**
 * Everything stored about one task except its payload bytes (the seed's `TaskInfo`), as returned by
 * `broker.tasks.get` and the list methods.
 *
 * @example
 * ```ts
 * const info = await broker.tasks.get(taskId);
 * if (info?.state === 'failed') console.log(info.errorMessage);
 * ```
 */
export interface TaskInfo {
  id: string;
  /** The queue the task belongs to. */
  queue: string;
  taskName: string;
  state: TaskState;
  priority: number;
  /** Retries used so far (0 on the first attempt). */
  retryCount: number;
  /**
   * Claims so far (0 while never claimed). Every claim adds one, so with `retryCount` it tells a redelivery (lost
   * lease, release) from a retry: `deliveryCount > retryCount + 1` once an earlier claim ended unsettled.
   */
  deliveryCount: number;
  maxRetries: number;
  /** Per-attempt time limit in ms, or `null` for none. */
  timeoutMs: number | null;
  contentType: PayloadContentType;
  contentEncoding: PayloadEncoding;
  createdAt: Date;
  /** When the task becomes (or became) due. */
  scheduledAt: Date;
  /** When the current (or last) claim started; `null` while pending. */
  startedAt: Date | null;
  /** When the task completed, failed or was cancelled. */
  completedAt: Date | null;
  /** End of the current lease while processing. */
  leaseExpiresAt: Date | null;
  workerId: string | null;
  errorMessage: string | null;
  progressPercent: number | null;
  progressStep: string | null;
  /** The task's custom metadata (trace context, group id, ...). */
  metadata: Record<string, unknown>;
  /** Size of the stored payload in bytes (after compression). */
  payloadBytes: number;
  /** `metadata.group_id`, when set. */
  groupId: string | null;
  /** `metadata.parent_task_id`, when set (chains). */
  parentTaskId: string | null;
}

/** A pending task whose due time is still ahead (the seed's `ScheduledTaskInfo`). */
export interface ScheduledTaskInfo extends TaskInfo {
  /** Milliseconds until the task is due, by the database clock (≥ 0). */
  delayRemainingMs: number;
}

/** Options of `broker.tasks.list` and `broker.tasks.byWorker`. */
export interface ListTasksOptions extends PageOptions {
  /** Only tasks in this state; all states when omitted. */
  state?: TaskState;
}
