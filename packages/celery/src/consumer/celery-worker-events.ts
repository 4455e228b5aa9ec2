/** The ids every per-task event carries. */
interface CeleryTaskEventBase {
  /** Celery's task id (the message's `headers.id`). */
  taskId: string;
  /** Celery's task name (`headers.task`). */
  taskName: string;
}

/**
 * One thing that happened in a Celery worker, for logs and tests. Names follow the celers convention of the
 * broker, the `Worker` and the Maintainer (`<noun>:<past participle>`); the task verbs are Celery's own event
 * names (`task-started`, `task-succeeded`, `task-failed`, `task-retried`, `task-revoked` become `task:started`,
 * ... ), so a Celery user reads the state each writes to `celery_taskmeta` (STARTED, SUCCESS, FAILURE, RETRY,
 * REVOKED). See docs/celery.md for the table.
 *
 * @example
 * ```ts
 * import type { CeleryWorkerEvent } from '@celers/celery';
 * const log = (e: CeleryWorkerEvent) => {
 *   if (e.type === 'task:failed') console.error(`${e.taskName} ${e.taskId} failed`);
 *   else if (e.type === 'message:quarantined' || e.type === 'error') console.error(e.error.message);
 * };
 * ```
 */
export type CeleryWorkerEvent =
  /** A handler started (Celery's `task-started`; STARTED is written when `trackStarted`). */
  | ({ type: 'task:started' } & CeleryTaskEventBase)
  /** A handler succeeded and SUCCESS was written (Celery's `task-succeeded`). */
  | ({ type: 'task:succeeded' } & CeleryTaskEventBase)
  /** A task failed for good: FAILURE was written (Celery's `task-failed`). */
  | ({ type: 'task:failed' } & CeleryTaskEventBase)
  /** A handler called `ctx.retry()` with retries left: RETRY was written, the message sent again (`task-retried`). */
  | ({ type: 'task:retried' } & CeleryTaskEventBase)
  /** The task's `expires` had passed: REVOKED was written, the handler did not run (`task-revoked`). */
  | ({ type: 'task:revoked' } & CeleryTaskEventBase)
  /** Not due yet (an ETA or countdown) or no handler here: hidden until `until` (no Celery counterpart). */
  | ({ type: 'task:deferred'; until: Date } & CeleryTaskEventBase)
  /** The message's lease was taken over by another consumer while the handler ran; it is not settled here. */
  | { type: 'lease:lost'; taskId: string }
  /** A message that does not decode was set aside (its lease cleared, never handed to a handler). */
  | { type: 'message:quarantined'; messageId: number; error: Error }
  /** A poll, lease or settle statement failed; the worker goes on. */
  | { type: 'error'; error: Error };
