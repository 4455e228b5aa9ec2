import type { TaskId } from '../task/serialized-task.js';
import type { RejectOutcome } from './broker-options.js';

/**
 * Why a broker repeated a statement on its own: a deadlock (MySQL 1213), a lock wait timeout (1205), or a
 * pooled connection that died under the statement (`reconnect`: run again once on a fresh connection).
 */
export type InternalRetryReason = 'deadlock' | 'lock-wait-timeout' | 'reconnect';

/** States of a broker's circuit breaker (as in `@celers/resilience`). */
export type CircuitBreakerState = 'closed' | 'open' | 'half-open';

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
  /** A broker operation finished, successfully (`ok`) or not; used for metrics (duration in ms). */
  'operation:finished': { queue: string; operation: string; durationMs: number; ok: boolean };
  /**
   * The broker repeated a statement (or a whole transaction) itself, before the caller saw any error:
   * `attempt` 1 is the first retry, `delayMs` the wait before it. Invisible otherwise; count it to see lock
   * contention (`celers_internal_retries_total`).
   */
  'operation:retried': {
    queue: string;
    operation: string;
    reason: InternalRetryReason;
    attempt: number;
    delayMs: number;
    error: Error;
  };
  /** The circuit breaker changed state (`open`: calls fail fast with `CIRCUIT_OPEN`; `closed`: back to normal). */
  'circuit:changed': {
    queue: string;
    from: CircuitBreakerState;
    to: CircuitBreakerState;
    consecutiveFailures: number;
  };
  /**
   * The open circuit breaker probed the database with `SELECT 1`; `ok` closes it. `nextProbeInMs` is the
   * jittered backoff before the next probe (`null` once closed).
   */
  'circuit:probed': {
    queue: string;
    ok: boolean;
    attempt: number;
    durationMs: number;
    nextProbeInMs: number | null;
    error: Error | null;
  };
  /** A background or listener error that had no caller to throw to. */
  error: { queue: string; error: Error };
}
