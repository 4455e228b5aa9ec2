/**
 * A retry policy as data, stored with the task (`celers_tasks.retry_policy`) so any worker on any host applies
 * the same schedule. The delay math lives in `@celers/resilience` (`computeRetryDelay`).
 * Attempt numbers start at 1 (the first retry).
 */
export type RetryPolicySpec =
  /** Always wait `delayMs`. */
  | { kind: 'fixed'; delayMs: number }
  /** Wait `baseDelayMs × attempt`, capped at `maxDelayMs`. */
  | { kind: 'linear'; baseDelayMs: number; maxDelayMs?: number }
  /** Wait `baseDelayMs × multiplier^(attempt-1)`, capped at `maxDelayMs`. */
  | { kind: 'exponential'; baseDelayMs: number; multiplier: number; maxDelayMs: number }
  /** Exponential, then a uniformly random delay in `[delay/2, delay]` ("equal jitter"), capped at `maxDelayMs`. */
  | { kind: 'exponential-jitter'; baseDelayMs: number; multiplier: number; maxDelayMs: number };

/** The retry policy used when a task names none: exponential with jitter, 1 s doubling up to 1 h. */
export const DEFAULT_RETRY_POLICY: RetryPolicySpec = Object.freeze({
  kind: 'exponential-jitter',
  baseDelayMs: 1_000,
  multiplier: 2,
  maxDelayMs: 3_600_000,
});
