import {
  assertDurationMs,
  assertOptionalObject,
  assertRetryPolicySpec,
  type RetryPolicySpec,
} from '@celers/core';

/**
 * Builders for the seed's four retry strategies (Fixed, Linear, Exponential, ExponentialWithJitter).
 * Each returns a validated {@link RetryPolicySpec} that can be stored with a task.
 *
 * @example
 * ```ts
 * const task = createTask('reports.build', { month: '2026-01' });
 * await broker.retries.enqueueWithRetryPolicy(task, RetryPolicies.exponentialWithJitter({ baseDelayMs: 500, maxDelayMs: 60_000 }));
 * ```
 */
export const RetryPolicies = {
  /** Always wait `delayMs`. */
  fixed(delayMs: number): RetryPolicySpec {
    return { kind: 'fixed', delayMs: assertDurationMs(delayMs, 'delayMs') };
  },
  /** Wait `baseDelayMs × attempt`, optionally capped. */
  linear(options: { baseDelayMs: number; maxDelayMs?: number }): RetryPolicySpec {
    return assertRetryPolicySpec({ ...assertOptionalObject(options, 'options'), kind: 'linear' }, 'options');
  },
  /** Wait `baseDelayMs × multiplier^(attempt-1)`, capped at `maxDelayMs`. @defaultValue multiplier 2 */
  exponential(options: { baseDelayMs: number; multiplier?: number; maxDelayMs: number }): RetryPolicySpec {
    return exponentialSpec('exponential', options);
  },
  /** Exponential with equal jitter (delay in `[d/2, d]`), capped at `maxDelayMs`. @defaultValue multiplier 2 */
  exponentialWithJitter(options: {
    baseDelayMs: number;
    multiplier?: number;
    maxDelayMs: number;
  }): RetryPolicySpec {
    return exponentialSpec('exponential-jitter', options);
  },
} as const;

/** Builds an exponential spec; a missing (or explicitly undefined) multiplier means 2. */
function exponentialSpec(kind: 'exponential' | 'exponential-jitter', options: unknown): RetryPolicySpec {
  const o = assertOptionalObject(options, 'options') ?? {};
  return assertRetryPolicySpec({ ...o, multiplier: o.multiplier ?? 2, kind }, 'options');
}
