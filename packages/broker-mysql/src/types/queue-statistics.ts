/**
 * Task counts of one queue (the seed's `QueueStatistics`), from one aggregate query.
 *
 * @example
 * ```ts
 * const { pending, processing, dlq } = await broker.tasks.statistics();
 * ```
 */
export interface QueueStatistics {
  /** Pending tasks, delayed ones included. */
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Rows in this queue's dead letter queue. */
  dlq: number;
  /** Pending tasks whose due time is still ahead (a subset of `pending`). */
  scheduled: number;
  /** All tasks in the table for this queue (every state; the DLQ is not added). */
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
