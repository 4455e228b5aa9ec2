import {
  assertInteger,
  assertRetryPolicySpec,
  CelersError,
  MAX_DURATION_MS,
  type RetryPolicySpec,
} from '@celers/core';

/** A source of uniform random numbers in `[0, 1)`; pass a seeded one in tests. */
export type RandomSource = () => number;

/**
 * Delay in ms before retry number `attempt` (1 = first retry) under `policy`. Pure: the only randomness
 * comes from `random` (jitter), so tests can seed it. Attempt `n` here is the seed's `calculate_delay(n - 1)`:
 *
 * - `fixed`: `delayMs`
 * - `linear`: `baseDelayMs × attempt`, capped at `maxDelayMs` when given
 * - `exponential`: `baseDelayMs × multiplier^(attempt-1)`, capped at `maxDelayMs`
 * - `exponential-jitter`: the exponential delay `d`, then uniform in `[d/2, d]` ("equal jitter")
 *
 * Every result is a whole number of ms, at most {@link MAX_DURATION_MS} (a linear policy without a cap
 * cannot push a retry past the year 9999).
 *
 * @example
 * ```ts
 * computeRetryDelay({ kind: 'exponential', baseDelayMs: 1000, multiplier: 2, maxDelayMs: 60_000 }, 3); // 4000
 * computeRetryDelay({ kind: 'exponential-jitter', baseDelayMs: 1000, multiplier: 2, maxDelayMs: 60_000 }, 3, seededRandom(7)); // 2000..4000
 * ```
 */
export function computeRetryDelay(
  policy: RetryPolicySpec,
  attempt: number,
  random: RandomSource = Math.random,
): number {
  const spec = assertRetryPolicySpec(policy, 'policy');
  assertInteger(attempt, 'attempt', 1, 1_000_000);
  if (typeof random !== 'function')
    throw CelersError.invalidArgument('random', 'expected a function returning [0, 1)');
  switch (spec.kind) {
    case 'fixed':
      return spec.delayMs;
    case 'linear': {
      const cap = Math.min(spec.maxDelayMs ?? MAX_DURATION_MS, MAX_DURATION_MS);
      return Math.min(cap, spec.baseDelayMs * attempt);
    }
    case 'exponential':
      return exponential(spec.baseDelayMs, spec.multiplier, spec.maxDelayMs, attempt);
    case 'exponential-jitter': {
      // Equal jitter: keep half the exponential delay and randomize the other half, so retries spread out
      // (no thundering herd) but never collapse to zero. d is an integer, so the result stays in [d/2, d].
      const d = exponential(spec.baseDelayMs, spec.multiplier, spec.maxDelayMs, attempt);
      const half = d / 2;
      return Math.min(d, Math.max(Math.ceil(half), Math.round(half + clampUnit(random()) * half)));
    }
  }
}

/** `base × multiplier^(attempt-1)` rounded, capped at `max`; computed in logs so huge attempts never overflow. */
function exponential(base: number, multiplier: number, max: number, attempt: number): number {
  if (base === 0) return 0;
  const exponent = attempt - 1;
  if (Math.log(base) + exponent * Math.log(multiplier) >= Math.log(max)) return max;
  return Math.min(max, Math.round(base * multiplier ** exponent));
}

function clampUnit(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1) : 0;
}

/** A deterministic random source (mulberry32) for tests and reproducible simulations. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
