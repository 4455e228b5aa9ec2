import type { SerializedTask, TaskId } from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import {
  checkRateLimit,
  enqueueWithCapacity,
  getOptimalBatchSize,
  hasCapacity,
  type RateLimitStatus,
} from '../queue/capacity-operations.js';

/**
 * `broker.capacity`: backpressure and rate checks on the queue (the seed's Advanced Queue Management):
 * bounded enqueues, a per-minute rate view and a backlog-sized batch size.
 *
 * @example
 * ```ts
 * if (await broker.capacity.hasCapacity(10_000)) await broker.enqueue(createTask('emails.send', {}));
 * await broker.capacity.enqueueWithCapacity(createTask('emails.send', {}), 10_000); // QUEUE_FULL when full
 * ```
 */
export class CapacityFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /** Whether fewer than `maxSize` tasks are pending (backpressure). */
  async hasCapacity(maxSize: number): Promise<boolean> {
    return hasCapacity(this.#ctx, maxSize);
  }

  /** Enqueues only while fewer than `maxSize` tasks are pending, else `QUEUE_FULL`. */
  async enqueueWithCapacity(task: SerializedTask, maxSize: number): Promise<TaskId> {
    return enqueueWithCapacity(this.#ctx, task, maxSize);
  }

  /** How many `taskName` tasks were enqueued in the last minute against `maxPerMinute`. */
  async checkRateLimit(taskName: string, maxPerMinute: number): Promise<RateLimitStatus> {
    return checkRateLimit(this.#ctx, taskName, maxPerMinute);
  }

  /** A dequeue batch size adapted to the backlog, at most `maxBatchSize` (default 100). */
  async getOptimalBatchSize(maxBatchSize?: number): Promise<number> {
    return getOptimalBatchSize(this.#ctx, maxBatchSize);
  }
}
