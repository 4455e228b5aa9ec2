/** Where a task is in its life. `pending` includes delayed tasks whose `scheduledAt` is still ahead. */
export const TASK_STATES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
/** One of {@link TASK_STATES}. */
export type TaskState = (typeof TASK_STATES)[number];
/** States a task never leaves (except by an explicit requeue or replay). */
export const FINISHED_TASK_STATES = [
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly TaskState[];
/** One of {@link FINISHED_TASK_STATES}. */
export type FinishedTaskState = (typeof FINISHED_TASK_STATES)[number];

/** Celery's result states, stored in `celers_task_results.status`. */
export const TASK_RESULT_STATUSES = ['PENDING', 'STARTED', 'SUCCESS', 'FAILURE', 'RETRY', 'REVOKED'] as const;
/** One of {@link TASK_RESULT_STATUSES}. */
export type TaskResultStatus = (typeof TASK_RESULT_STATUSES)[number];

/** Worker liveness as reported by heartbeats. */
export const WORKER_STATUSES = ['active', 'idle', 'busy', 'offline'] as const;
/** One of {@link WORKER_STATUSES}. */
export type WorkerStatus = (typeof WORKER_STATUSES)[number];
