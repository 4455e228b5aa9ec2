import { type BrokerEventMap, CelersError, coerceError, type InternalRetryReason } from '@celers/core';
import { isRetryableLockError, MYSQL_ERRNO } from '@celers/schema';

/** Attempts for statements that hit a deadlock (1213) or lock wait timeout (1205). */
export const LOCK_RETRY_ATTEMPTS = 4;

/** One retry about to happen, for {@link LockRetryReporter}. @internal */
export interface InternalRetry {
  readonly reason: InternalRetryReason;
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

/** Told about every retry (the broker emits it as `operation:retried`). @internal */
export type LockRetryReporter = (retry: InternalRetry) => void;

/** What a reporter needs from the broker context. @internal */
interface RetryEventSink {
  readonly queue: string;
  emit<K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]): void;
}

/**
 * A reporter that emits each retry of `operation` as the broker event `operation:retried` (counted by
 * `@celers/monitoring` as `celers_internal_retries_total`).
 * @internal
 */
export function reportRetries(ctx: RetryEventSink, operation: string): LockRetryReporter {
  return ({ reason, attempt, delayMs, error }) =>
    ctx.emit('operation:retried', {
      queue: ctx.queue,
      operation,
      reason,
      attempt,
      delayMs,
      error: coerceError(error),
    });
}

/**
 * Runs `fn` again when it fails with a deadlock or lock wait timeout, `attempts` times in all (default
 * {@link LOCK_RETRY_ATTEMPTS}) with a short randomized backoff, telling `report` (see {@link reportRetries}) about each retry. Only
 * for work that is safe to repeat as a whole (a transaction that was rolled back by the server, or a single
 * idempotent statement). The reporter comes first so call sites keep their shape: `withLockRetry(report, () => …)`.
 * @internal
 */
export function withLockRetry<T>(fn: () => Promise<T>): Promise<T>;
export function withLockRetry<T>(
  report: LockRetryReporter,
  fn: () => Promise<T>,
  attempts?: number,
): Promise<T>;
export async function withLockRetry<T>(
  first: LockRetryReporter | (() => Promise<T>),
  second?: () => Promise<T>,
  attempts = LOCK_RETRY_ATTEMPTS,
): Promise<T> {
  const fn = second ?? (first as () => Promise<T>);
  const report = second === undefined ? undefined : (first as LockRetryReporter);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isRetryableLockError(error)) throw error;
      const delayMs = 5 * attempt + Math.random() * 10 * attempt;
      report?.({ reason: lockRetryReason(error), attempt, delayMs, error });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

function lockRetryReason(error: unknown): InternalRetryReason {
  const driverError = CelersError.isInstance(error) ? error.cause : error;
  return (driverError as { errno?: number }).errno === MYSQL_ERRNO.DEADLOCK
    ? 'deadlock'
    : 'lock-wait-timeout';
}
