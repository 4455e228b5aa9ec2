import { CelersError } from '../errors/celers-error.js';
import type { RetryPolicySpec } from '../task/retry-policy-spec.js';
import { assertDurationMs, assertNumber } from './validators.js';

/** Asserts a well-formed {@link RetryPolicySpec} and returns a normalized copy. */
export function assertRetryPolicySpec(value: unknown, argument = 'retryPolicy'): RetryPolicySpec {
  if (typeof value !== 'object' || value === null)
    throw CelersError.invalidArgument(argument, 'expected a retry policy object');
  const spec = value as Record<string, unknown>;
  switch (spec.kind) {
    case 'fixed':
      return { kind: 'fixed', delayMs: assertDurationMs(spec.delayMs, `${argument}.delayMs`) };
    case 'linear': {
      const baseDelayMs = assertDurationMs(spec.baseDelayMs, `${argument}.baseDelayMs`);
      if (spec.maxDelayMs === undefined) return { kind: 'linear', baseDelayMs };
      return {
        kind: 'linear',
        baseDelayMs,
        maxDelayMs: assertDurationMs(spec.maxDelayMs, `${argument}.maxDelayMs`),
      };
    }
    case 'exponential':
    case 'exponential-jitter': {
      const baseDelayMs = assertDurationMs(spec.baseDelayMs, `${argument}.baseDelayMs`);
      const multiplier = assertNumber(spec.multiplier, `${argument}.multiplier`, 1, 1000);
      const maxDelayMs = assertDurationMs(spec.maxDelayMs, `${argument}.maxDelayMs`);
      if (maxDelayMs < baseDelayMs) {
        throw CelersError.invalidArgument(`${argument}.maxDelayMs`, 'must be at least baseDelayMs');
      }
      return { kind: spec.kind, baseDelayMs, multiplier, maxDelayMs };
    }
    default:
      throw CelersError.invalidArgument(
        `${argument}.kind`,
        'expected one of fixed, linear, exponential, exponential-jitter',
      );
  }
}
