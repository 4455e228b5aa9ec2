import type { RejectOutcome, TaskId } from '@celers/core';

/** Why a task's lease was lost (see the `task:stalled` event). */
export type StalledReason =
  /** A lease extension or the ack found the receipt stale: the task was recovered and belongs to someone else. */
  | 'lease-lost'
  /**
   * The ack was sent again after the database gave no answer, and the retry found the receipt no longer
   * owning the task, so the worker cannot tell whether the unanswered try completed it or the task had been
   * recovered (and will run again elsewhere).
   */
  | 'ack-unconfirmed';

/** How a task failed for good: dead-lettered after its retries, or failed without retry. */
export type FinalRejectOutcome = Exclude<RejectOutcome, { outcome: 'retried' }>;

/**
 * Events a {@link Worker} emits, each with one payload object. Names follow the convention of the broker's
 * `BrokerEventMap` and the Maintainer's `MaintainerEventMap`: `<noun>:<past participle>`, the noun saying what
 * changed (`task:*` for one task, `worker:*` for the worker itself); `error` keeps Node's meaning.
 *
 * @example
 * ```ts
 * worker.on('task:completed', ({ taskId, durationMs }) => console.log(taskId, `${durationMs} ms`));
 * worker.on('task:failed', ({ taskId, outcome }) => console.error(taskId, outcome.outcome));
 * ```
 */
export interface WorkerEventMap {
  /** A handler succeeded and its task was acked (its result stored when `storeResults`). */
  'task:completed': { taskId: TaskId; taskName: string; result: unknown; durationMs: number };
  /**
   * A task failed for good: retries exhausted (`outcome.outcome === 'dead-lettered'`), or failed without retry
   * (`'failed'`: unknown task name, undecodable payload).
   */
  'task:failed': { taskId: TaskId; taskName: string; error: Error; outcome: FinalRejectOutcome };
  /**
   * An attempt failed and the broker rescheduled the task (reject outcome `retried`): `retryCount` retries so
   * far, the next run at `retryAt`.
   */
  'task:retried': { taskId: TaskId; taskName: string; error: Error; retryCount: number; retryAt: Date };
  /** The worker lost a task's lease; it did not ack it (another worker owns or will own it). */
  'task:stalled': { taskId: TaskId; taskName: string; reason: StalledReason };
  /**
   * Nothing is running and the last poll found nothing (emitted once each time the worker falls idle).
   */
  'worker:idle': { workerId: string };
  /**
   * A poll came back empty after the worker had claimed tasks: it ran out of work it handles. (Not drain mode,
   * which only refuses new enqueues.)
   */
  'worker:drained': { workerId: string; processed: number };
  /** The worker has stopped (after `close()`): nothing runs, prefetched tasks were released, it is deregistered. */
  'worker:closed': { workerId: string };
  /**
   * A worker-level error with no caller to throw to (a failed poll, heartbeat, ack or recovery). The worker
   * keeps going, backing off where it polls. Without a listener these go to the logger instead.
   */
  error: { error: Error; operation: string };
}
