import { assertInteger, assertRetryPolicySpec, type RetryPolicySpec } from '@celers/core';

/** A source of uniform random numbers in `[0, 1)`; pass a seeded one in tests. */
export type RandomSource = () => number;

/**
 * Delay in ms before retry number `attempt` (1 = first retry) under `policy`. Pure: the only randomness
 * comes from `random` (jitter), so tests can seed it.
 *
 * @example
 * ```ts
 * computeRetryDelay({ kind: 'exponential', baseDelayMs: 1000, multiplier: 2, maxDelayMs: 60_000 }, 3); // 4000
 * ```
 */
export function computeRetryDelay(policy: RetryPolicySpec, attempt: number, random: RandomSource = Math.random): number {
  const spec = assertRetryPolicySpec(policy, 'policy');
  assertInteger(attempt, 'attempt', 1, 1_000_000);
  switch (spec.kind) {
    case 'fixed':
      return spec.delayMs;
    case 'linear': {
      const delay = spec.baseDelayMs * attempt;
      return spec.maxDelayMs === undefined ? delay : Math.min(delay, spec.maxDelayMs);
    }
    case 'exponential':
      return exponential(spec.baseDelayMs, spec.multiplier, spec.maxDelayMs, attempt);
    case 'exponential-jitter': {
      // "Equal jitter": keep half the exponential delay, randomize the other half, so retries spread out
      // (no thundering herd) but never collapse to zero.
      const capped = exponential(spec.baseDelayMs, spec.multiplier, spec.maxDelayMs, attempt);
      const half = capped / 2;
      return Math.min(spec.maxDelayMs, Math.round(half + clampUnit(random()) * half));
    }
  }
}

function exponential(base: number, multiplier: number, max: number, attempt: number): number {
  // Work in logs to avoid Infinity for large attempts; the cap applies before rounding.
  const exponent = attempt - 1;
  const logDelay = Math.log(Math.max(base, 1e-9)) + exponent * Math.log(multiplier);
  if (base === 0) return 0;
  return logDelay >= Math.log(max) ? max : Math.min(max, Math.round(base * multiplier ** exponent));
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
