import { assertRetryPolicySpec, type RetryPolicySpec } from '@celers/core';

/**
 * Builders for the seed's four retry strategies (Fixed, Linear, Exponential, ExponentialWithJitter).
 * Each returns a validated {@link RetryPolicySpec} that can be stored with a task.
 *
 * @example
 * ```ts
 * broker.enqueueWithRetryPolicy(task, RetryPolicies.exponentialWithJitter({ baseDelayMs: 500, maxDelayMs: 60_000 }));
 * ```
 */
export const RetryPolicies = {
  /** Always wait `delayMs`. */
  fixed(delayMs: number): RetryPolicySpec {
    return assertRetryPolicySpec({ kind: 'fixed', delayMs }, 'delayMs');
  },
  /** Wait `baseDelayMs × attempt`, optionally capped. */
  linear(options: { baseDelayMs: number; maxDelayMs?: number }): RetryPolicySpec {
    return assertRetryPolicySpec({ kind: 'linear', ...options }, 'options');
  },
  /** Wait `baseDelayMs × multiplier^(attempt-1)`, capped at `maxDelayMs`. @defaultValue multiplier 2 */
  exponential(options: { baseDelayMs: number; multiplier?: number; maxDelayMs: number }): RetryPolicySpec {
    return assertRetryPolicySpec({ kind: 'exponential', multiplier: 2, ...options }, 'options');
  },
  /** Exponential with equal jitter (delay in `[d/2, d]`), capped at `maxDelayMs`. @defaultValue multiplier 2 */
  exponentialWithJitter(options: { baseDelayMs: number; multiplier?: number; maxDelayMs: number }): RetryPolicySpec {
    return assertRetryPolicySpec({ kind: 'exponential-jitter', multiplier: 2, ...options }, 'options');
  },
} as const;
