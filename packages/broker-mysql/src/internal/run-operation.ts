import {
  asCelersError,
  BROKER_INSTRUMENTATION_NAME,
  type BrokerEventMap,
  CelersError,
  TelemetryAttributes,
} from '@celers/core';
import type { CircuitBreaker } from '@celers/resilience';
import { toCelersError } from '@celers/schema';
import { type Attributes, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { reportRetries, withLockRetry } from './lock-retry.js';

const tracer = trace.getTracer(BROKER_INSTRUMENTATION_NAME);

/**
 * Operations whose whole body may run twice with the same outcome (conditional updates through the primary
 * key and plain reads), so a pooled connection that died under them is worth one retry on a fresh one. Not
 * `ack` (a second run after a lost COMMIT reply would report `STALE_RECEIPT` for a task it completed), claims
 * or enqueues (a lost reply may hide a commit: a retry would claim or insert twice).
 * @internal
 */
export const RECONNECT_RETRY_OPERATIONS: ReadonlySet<string> = new Set([
  'ackBatch',
  'extendLease',
  'release',
  'workers.heartbeat',
  'queueSize',
  'isPaused',
  'isDrainMode',
  'recoverTimedOutTasks',
]);

/**
 * Operations with no lock retry of their own whose whole body may run again after a deadlock (1213) or lock wait
 * timeout (1205): one statement, several that each may repeat (the same UPDATE, an upsert), or one transaction of
 * the broker's own, all of which the server rolled back. Never an operation that can run in a caller's
 * transaction (a deadlock rolled the caller's work back too: only the caller may repeat it), nor one whose body
 * commits several statements that must not repeat (`ack` and `ackBatch` retry each statement instead; chunked
 * maintenance retries each chunk). Concurrent queues share the tables' indexes, so even operations on different
 * queues can deadlock each other: without the retry they surfaced as `DATABASE_ERROR`.
 * @internal
 */
export const LOCK_RETRY_OPERATIONS: ReadonlySet<string> = new Set([
  'cancel',
  'cancelBatch',
  'cancelCascade',
  'disableDrainMode',
  'dlq.purge',
  'enableDrainMode',
  'extendLease',
  'groups.promoteReadyLinks',
  'maintenance.deleteQueueConfig',
  'pause',
  'release',
  'results.delete',
  'results.store',
  'resume',
  'schedules.delete',
  'schedules.setEnabled',
  'tasks.setWorkerId',
  'tasks.updateBatchState',
  'tasks.updateErrorMessage',
  'tasks.updateMetadata',
  'updateProgress',
  'workers.deregister',
  'workers.heartbeat',
  'workers.register',
]);

/** Driver codes of a connection that died under a statement, or was killed (not a refused connect: that is an outage). */
const CONNECTION_LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ER_CONNECTION_KILLED',
]);

/** Span attribute carrying the CelersError code of a failed operation (OpenTelemetry's `error.type`). */
export const ERROR_TYPE_ATTRIBUTE = 'error.type';

/**
 * Wraps a broker operation in the circuit breaker and an OpenTelemetry span named `celers.<operation>` (a
 * no-op without an SDK), maps driver errors to CelersError and reports the duration as an `operation:finished` event.
 *
 * - Span attributes: `db.system` (`mysql` or `mariadb`, as detected at connect), `db.operation`, `celers.queue.name`, `celers.operation` plus the caller's
 *   (task id, task name, count, worker id). Never payloads or metadata values.
 * - Enqueues are `PRODUCER` spans, everything else `CLIENT` spans. The span is active while `fn` runs, so
 *   a traceparent injected inside `fn` makes consumers children of this span.
 * - Operations in {@link LOCK_RETRY_OPERATIONS} run again on a deadlock or lock wait timeout, those in
 *   {@link RECONNECT_RETRY_OPERATIONS} once more when their connection died; each retry is an `operation:retried` event.
 * - Driver errors are mapped (to `DATABASE_UNAVAILABLE`, `MIGRATION_REQUIRED` or `DATABASE_ERROR`); a
 *   CelersError or an error thrown by caller code inside `broker.transaction(fn)` passes through; anything
 *   else becomes an `INTERNAL` CelersError with the original as `cause`.
 * - The breaker counts only what its `isFailure` accepts (the broker uses `isUnavailableError`), so a
 *   `STALE_RECEIPT` or `QUEUE_DRAINING` thrown inside `fn` never opens the circuit.
 * @internal
 */
export async function runOperation<T>(
  queue: string,
  dbSystem: 'mysql' | 'mariadb',
  breaker: CircuitBreaker | null,
  emit: <K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]) => void,
  operation: string,
  fn: () => Promise<T>,
  attributes: Attributes = {},
): Promise<T> {
  const started = performance.now();
  const kind = operation.startsWith('enqueue') ? SpanKind.PRODUCER : SpanKind.CLIENT;
  return tracer.startActiveSpan(
    `celers.${operation}`,
    {
      kind,
      attributes: {
        [TelemetryAttributes.DbSystem]: dbSystem,
        [TelemetryAttributes.DbOperation]: operation,
        [TelemetryAttributes.QueueName]: queue,
        [TelemetryAttributes.Operation]: operation,
        ...attributes,
      },
    },
    async (span) => {
      let ok = false;
      const once = LOCK_RETRY_OPERATIONS.has(operation)
        ? () => withLockRetry(reportRetries({ queue, emit }, operation), fn)
        : fn;
      const body = RECONNECT_RETRY_OPERATIONS.has(operation)
        ? () => withReconnectRetry(once, queue, operation, emit)
        : once;
      try {
        const result = breaker ? await breaker.run(body) : await body();
        ok = true;
        return result;
      } catch (error) {
        // Driver errors get their code; anything else but the caller's own code (transaction(fn)) becomes a
        // CelersError too, so no TypeError/RangeError/SyntaxError ever reaches a caller (issue 14 item 9).
        const mapped = isDriverError(error)
          ? toCelersError(error, operation)
          : operation === 'transaction'
            ? error
            : asCelersError(error);
        const code = CelersError.isInstance(mapped) ? mapped.code : 'INTERNAL';
        span.setAttribute(ERROR_TYPE_ATTRIBUTE, code);
        span.recordException(mapped instanceof Error ? mapped : String(mapped));
        span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        throw mapped;
      } finally {
        span.end();
        emit('operation:finished', { queue, operation, durationMs: performance.now() - started, ok });
      }
    },
  );
}

/**
 * Runs `fn` once more, at once, when its connection died under it (e.g. the first statement on a pooled
 * connection after a server restart), emitting `operation:retried` with reason `reconnect`.
 * @internal
 */
export async function withReconnectRetry<T>(
  fn: () => Promise<T>,
  queue: string,
  operation: string,
  emit: <K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]) => void,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!isConnectionLost(error)) throw error;
    reportRetries({ queue, emit }, operation)({ reason: 'reconnect', attempt: 1, delayMs: 0, error });
    return fn();
  }
}

function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_LOST_CODES.has(code) && !CelersError.isInstance(error);
}

/**
 * True for errors from mysql2 or the pool: they carry a MySQL `errno`, a SQLSTATE, a `fatal` flag or a Node
 * system/driver `code` (ECONNREFUSED, PROTOCOL_CONNECTION_LOST, CELERS_ACQUIRE_TIMEOUT, ...).
 * @internal
 */
export function isDriverError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || CelersError.isInstance(error)) return false;
  const e = error as { errno?: unknown; sqlState?: unknown; fatal?: unknown; code?: unknown };
  return (
    typeof e.errno === 'number' ||
    typeof e.sqlState === 'string' ||
    typeof e.fatal === 'boolean' ||
    typeof e.code === 'string'
  );
}
