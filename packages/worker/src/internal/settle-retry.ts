import { CelersError } from '@celers/core';
import { computeRetryDelay } from '@celers/resilience';

/** First wait before an ack or reject that failed on a transient error is sent again. */
export const SETTLE_RETRY_BASE_MS = 50;
/** Longest wait between two tries (jittered within [d/2, d]), so an ack lands soon after the server is back. */
export const SETTLE_RETRY_MAX_MS = 500;

/** CelersError codes that say "the database did not answer this time", not "this settlement is wrong". */
const TRANSIENT_CODES = new Set(['DATABASE_UNAVAILABLE', 'DATABASE_TIMEOUT', 'CIRCUIT_OPEN']);
/** Deadlock and lock wait timeout (MySQL errnos), when the broker's own retries ran out. */
const LOCK_ERRNOS = new Set([1213, 1205]);

/**
 * Whether an ack or reject failure is worth retrying: the database was unreachable, timed out, the circuit
 * was open, or the statement lost a deadlock. `STALE_RECEIPT` (the task belongs to someone else now) and every
 * other error are final.
 * @internal
 */
export function isTransientSettleError(error: unknown): boolean {
  if (!CelersError.isInstance(error)) return false;
  if (TRANSIENT_CODES.has(error.code)) return true;
  const errno = (error.cause as { errno?: unknown } | undefined)?.errno;
  return error.code === 'DATABASE_ERROR' && typeof errno === 'number' && LOCK_ERRNOS.has(errno);
}

/** What the retry loop needs of an abort: whether it happened, and a wake-up when it does. @internal */
export interface AbortSwitch {
  readonly aborted: boolean;
  /** Runs `callback` once on abort; returns a function that unregisters it. */
  onAbort(callback: () => void): () => void;
}

/** When to stop retrying a settlement. @internal */
export interface SettleRetryLimits {
  /** Epoch ms after which the lease has (probably) run out: the task is given up then. */
  leaseExpiresAt(): number;
  /** Aborted when retrying must stop at once (lease lost, shutdown abort); a `LazyAbort` fits. */
  readonly abort: AbortSwitch;
  /** Told about each retry before its wait. */
  onRetry(error: unknown, attempt: number, delayMs: number): void;
}

/**
 * Runs `settle` (an ack or a reject) and, while it fails on a transient error, runs it again after a jittered
 * backoff ({@link SETTLE_RETRY_BASE_MS} doubling to {@link SETTLE_RETRY_MAX_MS}) for as long as the lease
 * lasts. Throws the last error when the next try would land after the lease, when `limits.signal` aborts, or
 * at once for a final error. `retryLimits` is called on the first failure only: the limits cost closures that
 * almost every settlement never needs.
 * @internal
 */
export async function settleWithRetry<T>(
  settle: () => Promise<T>,
  retryLimits: () => SettleRetryLimits,
): Promise<T> {
  let limits: SettleRetryLimits | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await settle();
    } catch (error) {
      limits ??= retryLimits();
      if (!isTransientSettleError(error) || limits.abort.aborted) throw error;
      const delayMs = computeRetryDelay(
        {
          kind: 'exponential-jitter',
          baseDelayMs: SETTLE_RETRY_BASE_MS,
          multiplier: 2,
          maxDelayMs: SETTLE_RETRY_MAX_MS,
        },
        attempt,
      );
      if (Date.now() + delayMs >= limits.leaseExpiresAt()) throw error;
      limits.onRetry(error, attempt, delayMs);
      await sleep(delayMs, limits.abort);
      if (limits.abort.aborted) throw error;
    }
  }
}

function sleep(ms: number, abort: AbortSwitch): Promise<void> {
  return new Promise((resolve) => {
    let unregister: (() => void) | undefined;
    const timer = setTimeout(() => {
      unregister?.();
      resolve();
    }, ms);
    unregister = abort.onAbort(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
