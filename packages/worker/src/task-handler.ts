import type { TaskId, TaskMetadata, TaskPayload, TaskRegistry, TraceContext } from '@celers/core';
import type { WorkerLogger } from './worker-logger.js';

/**
 * What a handler gets besides its payload: who the task is, which attempt this is, a signal to stop, and
 * ways to report progress and log.
 */
export interface TaskContext {
  /** The task's id. */
  readonly taskId: TaskId;
  /** The task's name (the key its handler is registered under). */
  readonly taskName: string;
  /** 1 on the first run, 2 on the first retry, ... (`retryCount + 1`). */
  readonly attempt: number;
  /**
   * Claims of this task so far, this one included: 1 on the first delivery; every retry, release and recovered
   * lease adds one. Kept apart from `attempt`, which only retries move.
   */
  readonly deliveryCount: number;
  /**
   * True when an earlier delivery of this task ended without an ack or reject (its lease lapsed after a crash or
   * a stall, or it was released), i.e. `deliveryCount > attempt`: an earlier run may have done part of the
   * work, so make side effects idempotent. A retry after a thrown error is not a redelivery.
   */
  readonly redelivered: boolean;
  /** The task's metadata (priority, retries, timeout, custom fields). */
  readonly metadata: TaskMetadata;
  /**
   * Aborted when the handler should stop: the task's `timeoutMs` passed (reason: a `TIMEOUT` CelersError),
   * the worker's shutdown timeout passed (`CLOSED`), or the lease was lost to recovery (`STALE_RECEIPT`).
   * Pass it to `fetch`, timers and child processes. After it fires the worker no longer waits for the handler
   * and ignores its result.
   */
  readonly signal: AbortSignal;
  /** The producer's W3C trace context from the task metadata, or `null` when it carried none (or a malformed one). */
  readonly traceContext: TraceContext | null;
  /** The worker's logger with `taskId` and `taskName` bound. */
  readonly log: WorkerLogger;
  /** Records progress (0–100) and an optional step label on the task (`progress_percent`, `progress_step`). */
  progress(percent: number, step?: string): Promise<void>;
}

/**
 * Runs one task. Resolve with a JSON-serializable result (stored when the worker has `storeResults`); throw
 * to fail the attempt (the broker retries it with the task's policy, or dead-letters it after `maxRetries`).
 *
 * @example
 * ```ts
 * const sendEmail: TaskHandler<{ to: string }> = async (payload, ctx) => {
 *   await ctx.progress(50, 'rendering');
 *   await mailer.send(payload.to, { signal: ctx.signal });
 *   return { sent: true };
 * };
 * ```
 */
export type TaskHandler<P = unknown, R = unknown> = (payload: P, ctx: TaskContext) => Promise<R> | R;

/**
 * Handlers by task name. Names declared in core's `TaskRegistry` get their payload type checked; any other
 * name takes an `unknown` payload.
 */
export type TaskHandlers = { [N in keyof TaskRegistry & string]?: TaskHandler<TaskPayload<N>> } & Record<
  string,
  // biome-ignore lint/suspicious/noExplicitAny: registered handlers narrow their payload; the index must accept them
  TaskHandler<any> | undefined
>;
