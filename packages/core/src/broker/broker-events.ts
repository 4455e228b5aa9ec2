import type { TaskId } from '../task/serialized-task.js';
import type { RejectOutcome } from './broker-options.js';

/**
 * Events a broker emits, each with one payload object. Listeners run synchronously after the operation
 * committed; they never see rolled-back work.
 */
export interface BrokerEventMap {
  /** Tasks were stored (one event per enqueue call; `count` > 1 for batches). Wakes in-process workers. */
  'task:enqueued': { queue: string; taskIds: TaskId[]; taskNames: string[]; delayed: boolean };
  /** Tasks were claimed. */
  'task:dequeued': { queue: string; taskIds: TaskId[]; workerId: string | null };
  /** Tasks were acked. */
  'task:acked': { queue: string; taskIds: TaskId[] };
  /** A task was rejected. */
  'task:rejected': { queue: string; taskId: TaskId; outcome: RejectOutcome };
  /** Tasks were cancelled. */
  'task:cancelled': { queue: string; taskIds: TaskId[] };
  /** Timed-out tasks were returned to pending. */
  'task:recovered': { queue: string; count: number };
  /** A broker operation finished; used for metrics (duration in ms). */
  operation: { queue: string; operation: string; durationMs: number; ok: boolean };
  /** A background or listener error that had no caller to throw to. */
  error: { queue: string; error: Error };
}
