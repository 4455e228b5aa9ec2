import {
  assertMaxRetries,
  assertOptionalObject,
  assertRetryPolicySpec,
  CelersError,
  type RejectOptions,
  type RejectOutcome,
  type RetryPolicySpec,
  type SerializedTask,
  type TaskId,
} from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import { assertSerializedTask } from '../internal/validate-task.js';
import { type EnqueueOptions, enqueueOne } from './enqueue-operations.js';
import { rejectTask } from './settle-operations.js';

/** Options for `enqueueWithRetryPolicy`. */
export interface EnqueueWithRetryPolicyOptions extends EnqueueOptions {
  /** Also set the task's retry limit (the seed's `RetryPolicy.max_retries`). @defaultValue the task's own */
  maxRetries?: number;
}

/**
 * Stores `task` with `policy` as its retry schedule (`celers_tasks.retry_policy`), so every worker on every
 * host retries it the same way (the seed's `enqueue_with_retry_policy`).
 * @internal
 */
export async function enqueueWithRetryPolicy(
  ctx: BrokerContext,
  task: SerializedTask,
  policy: RetryPolicySpec,
  options: EnqueueWithRetryPolicyOptions = {},
): Promise<TaskId> {
  assertSerializedTask(task);
  const retryPolicy = assertRetryPolicySpec(policy, 'policy');
  const { maxRetries, ...enqueueOptions } = (assertOptionalObject(options, 'options') ??
    {}) as EnqueueWithRetryPolicyOptions;
  const metadata = { ...task.metadata, retryPolicy };
  if (maxRetries !== undefined) metadata.maxRetries = assertMaxRetries(maxRetries, 'options.maxRetries');
  return enqueueOne(ctx, 'enqueueWithRetryPolicy', { metadata, payload: task.payload }, {}, enqueueOptions);
}

/**
 * Rejects a claimed task, scheduling its retry with `policy` instead of the task's stored policy (the seed's
 * `reject_with_retry_policy`). Retries exhausted still dead-letter; `requeue: false` still fails at once.
 * `options.delayMs` would contradict the policy, so it is refused.
 * @internal
 */
export async function rejectWithRetryPolicy(
  ctx: BrokerContext,
  taskId: TaskId,
  receiptHandle: string,
  policy: RetryPolicySpec,
  options: RejectOptions = {},
): Promise<RejectOutcome> {
  const retryPolicy = assertRetryPolicySpec(policy, 'policy');
  if (assertOptionalObject(options, 'options')?.delayMs !== undefined) {
    throw CelersError.invalidArgument(
      'options.delayMs',
      'give either a retry policy or a fixed delayMs, not both',
    );
  }
  return rejectTask(ctx, taskId, receiptHandle, options, retryPolicy);
}
