/**
 * Task counts of one queue (the seed's `QueueStatistics`), from one aggregate query. The states partition the
 * queue's tasks: every task is counted in exactly one of `pending`, `processing`, `completed`, `failed`,
 * `cancelled` and `deadLettered`, and they sum to `total`. `scheduled` (a part of `pending`) and `dlq` (DLQ
 * entries) are extra views, not parts of the sum.
 *
 * @example
 * ```ts
 * const s = await broker.tasks.statistics();
 * s.pending + s.processing + s.completed + s.failed + s.cancelled + s.deadLettered === s.total; // true
 * ```
 */
export interface QueueStatistics {
  /** Tasks waiting to be claimed, delayed ones included. */
  pending: number;
  /** Tasks claimed under a lease (running, or prefetched by a worker). */
  processing: number;
  completed: number;
  /** Tasks that failed without going to the DLQ (`reject` with `requeue: false`, a payload that cannot be decoded, ...). */
  failed: number;
  cancelled: number;
  /**
   * Tasks that exhausted their retries and sit in the DLQ: their task row is `failed` (or was purged while the
   * entry stayed). Counted here, not in `failed`. A task that was dead-lettered and then set back to another
   * state counts in that state. Requeuing from the DLQ makes a new task, and the old one counts as `failed`.
   */
  deadLettered: number;
  /** Entries in this queue's dead letter queue (one per dead-lettering; not part of the partition). */
  dlq: number;
  /** Pending tasks whose due time is still ahead (a part of `pending`, not added to `total`). */
  scheduled: number;
  /** Distinct tasks of this queue: the sum of the six states above. */
  total: number;
}

/** Task counts of one task name by state (the seed's `TaskNameCount`). */
export interface TaskNameCount {
  taskName: string;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}
