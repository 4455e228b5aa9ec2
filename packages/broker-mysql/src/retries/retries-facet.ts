import type { RejectOptions, RejectOutcome, RetryPolicySpec, SerializedTask, TaskId } from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import {
  type EnqueueWithRetryPolicyOptions,
  enqueueWithRetryPolicy,
  rejectWithRetryPolicy,
} from '../queue/retry-policy-operations.js';

/**
 * `broker.retries`: per-task retry schedules (the seed's retry policies), set at enqueue or at reject.
 *
 * @example
 * ```ts
 * const policy = RetryPolicies.exponentialWithJitter({ baseDelayMs: 500, maxDelayMs: 60_000 });
 * await broker.retries.enqueueWithRetryPolicy(createTask('emails.send', {}), policy, { maxRetries: 8 });
 * ```
 */
export class RetriesFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /**
   * Stores a task with its own retry schedule (the seed's `enqueue_with_retry_policy`); `options.maxRetries`
   * also sets its retry limit.
   */
  async enqueueWithRetryPolicy(
    task: SerializedTask,
    policy: RetryPolicySpec,
    options?: EnqueueWithRetryPolicyOptions,
  ): Promise<TaskId> {
    return enqueueWithRetryPolicy(this.#ctx, task, policy, options);
  }

  /**
   * Rejects a claimed task, scheduling its retry with `policy` instead of the task's own (the seed's
   * `reject_with_retry_policy`); exhausted retries still dead-letter.
   */
  async rejectWithRetryPolicy(
    taskId: TaskId,
    receiptHandle: string,
    policy: RetryPolicySpec,
    options?: RejectOptions,
  ): Promise<RejectOutcome> {
    return rejectWithRetryPolicy(this.#ctx, taskId, receiptHandle, policy, options);
  }
}
