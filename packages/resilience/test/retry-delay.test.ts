import { MAX_DURATION_MS, type RetryPolicySpec } from '@celers/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeRetryDelay, RetryPolicies, seededRandom } from '../src/index.js';

const durationMs = fc.integer({ min: 0, max: 10_000_000 });
const attempt = fc.integer({ min: 1, max: 200 });
const multiplier = fc.double({ min: 1, max: 10, noNaN: true });

/** Exponential specs with `maxDelayMs ≥ baseDelayMs`, as the validator requires. */
const exponentialSpec = (kind: 'exponential' | 'exponential-jitter') =>
  fc.tuple(durationMs, multiplier, fc.integer({ min: 0, max: 100_000_000 })).map(
    ([baseDelayMs, m, extra]): RetryPolicySpec => ({
      kind,
      baseDelayMs,
      multiplier: m,
      maxDelayMs: baseDelayMs + extra,
    }),
  );

const anySpec: fc.Arbitrary<RetryPolicySpec> = fc.oneof(
  durationMs.map((delayMs): RetryPolicySpec => ({ kind: 'fixed', delayMs })),
  fc
    .tuple(durationMs, fc.option(durationMs, { nil: undefined }))
    .map(
      ([baseDelayMs, maxDelayMs]): RetryPolicySpec =>
        maxDelayMs === undefined
          ? { kind: 'linear', baseDelayMs }
          : { kind: 'linear', baseDelayMs, maxDelayMs },
    ),
  exponentialSpec('exponential'),
  exponentialSpec('exponential-jitter'),
);

function capOf(spec: RetryPolicySpec): number {
  if (spec.kind === 'fixed') return spec.delayMs;
  if (spec.kind === 'linear') return spec.maxDelayMs ?? MAX_DURATION_MS;
  return spec.maxDelayMs;
}

describe('computeRetryDelay: the seed strategies', () => {
  it('matches the seed formulas (attempt n = seed calculate_delay(n - 1))', () => {
    expect(computeRetryDelay(RetryPolicies.fixed(5000), 1)).toBe(5000);
    expect(computeRetryDelay(RetryPolicies.fixed(5000), 9)).toBe(5000);
    // Linear { base } : base × (retry_count + 1)
    expect([1, 2, 3].map((n) => computeRetryDelay(RetryPolicies.linear({ baseDelayMs: 1500 }), n))).toEqual([
      1500, 3000, 4500,
    ]);
    expect(computeRetryDelay(RetryPolicies.linear({ baseDelayMs: 1500, maxDelayMs: 4000 }), 3)).toBe(4000);
    // Exponential { base, multiplier, max }: base × multiplier^retry_count, capped
    const exp = RetryPolicies.exponential({ baseDelayMs: 1000, multiplier: 3, maxDelayMs: 20_000 });
    expect([1, 2, 3, 4, 50].map((n) => computeRetryDelay(exp, n))).toEqual([
      1000, 3000, 9000, 20_000, 20_000,
    ]);
    expect(computeRetryDelay(RetryPolicies.exponential({ baseDelayMs: 250, maxDelayMs: 10_000 }), 3)).toBe(
      1000,
    ); // default ×2
  });

  it('a huge attempt never overflows to Infinity or past the cap', () => {
    const exp = RetryPolicies.exponential({ baseDelayMs: 1, multiplier: 1000, maxDelayMs: 60_000 });
    expect(computeRetryDelay(exp, 1_000_000)).toBe(60_000);
    // Uncapped linear stays within the 100-year duration limit, so DATE arithmetic cannot overflow.
    expect(computeRetryDelay({ kind: 'linear', baseDelayMs: MAX_DURATION_MS }, 1_000_000)).toBe(
      MAX_DURATION_MS,
    );
  });

  it('rejects bad policies and attempts with INVALID_ARGUMENT', () => {
    const bad: Array<[unknown, number, string]> = [
      [{ kind: 'fixed', delayMs: -1 }, 1, 'policy.delayMs'],
      [{ kind: 'fibonacci' }, 1, 'policy.kind'],
      [{ kind: 'exponential', baseDelayMs: 10, multiplier: 0.5, maxDelayMs: 100 }, 1, 'policy.multiplier'],
      [{ kind: 'exponential', baseDelayMs: 100, multiplier: 2, maxDelayMs: 10 }, 1, 'policy.maxDelayMs'],
      [{ kind: 'fixed', delayMs: 10 }, 0, 'attempt'],
      [{ kind: 'fixed', delayMs: 10 }, 1.5, 'attempt'],
      [null, 1, 'policy'],
    ];
    for (const [policy, n, argument] of bad) {
      expect(() => computeRetryDelay(policy as RetryPolicySpec, n)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
      );
    }
  });
});

describe('computeRetryDelay: properties', () => {
  it('is a non-negative whole number of ms, never above the policy maximum', () => {
    fc.assert(
      fc.property(anySpec, attempt, fc.integer(), (spec, n, seed) => {
        const delay = computeRetryDelay(spec, n, seededRandom(seed));
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(capOf(spec));
        expect(delay).toBeLessThanOrEqual(MAX_DURATION_MS);
      }),
    );
  });

  it('exponential is non-decreasing in the attempt and exactly base × m^(n-1) before the cap', () => {
    fc.assert(
      fc.property(exponentialSpec('exponential'), fc.integer({ min: 1, max: 60 }), (spec, n) => {
        if (spec.kind !== 'exponential') return;
        const d1 = computeRetryDelay(spec, n);
        const d2 = computeRetryDelay(spec, n + 1);
        expect(d2).toBeGreaterThanOrEqual(d1);
        const raw = spec.baseDelayMs * spec.multiplier ** (n - 1);
        if (raw < spec.maxDelayMs) expect(d1).toBe(Math.round(raw));
        else expect(d1).toBe(spec.maxDelayMs);
      }),
    );
  });

  it('linear grows by baseDelayMs per attempt until its cap', () => {
    fc.assert(
      fc.property(durationMs, fc.integer({ min: 1, max: 1000 }), (baseDelayMs, n) => {
        const spec: RetryPolicySpec = { kind: 'linear', baseDelayMs };
        expect(computeRetryDelay(spec, n + 1) - computeRetryDelay(spec, n)).toBe(baseDelayMs);
      }),
    );
  });

  it('jitter stays within [d/2, d] of the un-jittered exponential delay', () => {
    fc.assert(
      fc.property(
        exponentialSpec('exponential-jitter'),
        attempt,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (spec, n, r) => {
          if (spec.kind !== 'exponential-jitter') return;
          const d = computeRetryDelay({ ...spec, kind: 'exponential' }, n);
          const jittered = computeRetryDelay(spec, n, () => r);
          expect(jittered).toBeGreaterThanOrEqual(d / 2);
          expect(jittered).toBeLessThanOrEqual(d);
        },
      ),
    );
  });

  it('jitter spreads values out (not a constant)', () => {
    const spec = RetryPolicies.exponentialWithJitter({ baseDelayMs: 10_000, maxDelayMs: 1_000_000 });
    const random = seededRandom(42);
    const values = new Set(Array.from({ length: 50 }, () => computeRetryDelay(spec, 3, random)));
    expect(values.size).toBeGreaterThan(10);
  });

  it('a random source outside [0, 1) is clamped, never escaping the bounds', () => {
    const spec = RetryPolicies.exponentialWithJitter({ baseDelayMs: 1000, maxDelayMs: 8000 });
    for (const r of [-5, 7, Number.NaN, Number.POSITIVE_INFINITY]) {
      const delay = computeRetryDelay(spec, 2, () => r);
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });

  it('is deterministic under a seeded source', () => {
    fc.assert(
      fc.property(
        anySpec,
        fc.array(attempt, { minLength: 1, maxLength: 10 }),
        fc.integer(),
        (spec, attempts, seed) => {
          const a = seededRandom(seed);
          const b = seededRandom(seed);
          expect(attempts.map((n) => computeRetryDelay(spec, n, a))).toEqual(
            attempts.map((n) => computeRetryDelay(spec, n, b)),
          );
        },
      ),
    );
  });

  it('seededRandom yields values in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const random = seededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const x = random();
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
        }
      }),
    );
  });
});

describe('RetryPolicies builders', () => {
  it('build validated specs', () => {
    expect(RetryPolicies.fixed(100)).toEqual({ kind: 'fixed', delayMs: 100 });
    expect(RetryPolicies.linear({ baseDelayMs: 5 })).toEqual({ kind: 'linear', baseDelayMs: 5 });
    expect(RetryPolicies.exponential({ baseDelayMs: 5, maxDelayMs: 50 })).toEqual({
      kind: 'exponential',
      baseDelayMs: 5,
      multiplier: 2,
      maxDelayMs: 50,
    });
    expect(
      RetryPolicies.exponentialWithJitter({ baseDelayMs: 5, multiplier: undefined, maxDelayMs: 50 }).kind,
    ).toBe('exponential-jitter');
  });

  it.each([
    [() => RetryPolicies.fixed(-1), 'delayMs'],
    [() => RetryPolicies.fixed(Number.POSITIVE_INFINITY), 'delayMs'],
    [() => RetryPolicies.linear({ baseDelayMs: 1.5 }), 'options.baseDelayMs'],
    [() => RetryPolicies.linear(undefined as never), 'options.baseDelayMs'],
    [() => RetryPolicies.exponential({ baseDelayMs: 10, maxDelayMs: 5 }), 'options.maxDelayMs'],
    [
      () => RetryPolicies.exponentialWithJitter({ baseDelayMs: 10, multiplier: Number.NaN, maxDelayMs: 50 }),
      'options.multiplier',
    ],
    [() => RetryPolicies.exponential('fast' as never), 'options'],
  ])('%# rejects bad input naming %s', (build, argument) => {
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }));
  });
});
