import { performance } from 'node:perf_hooks';
import { jobsPerSecond } from '../stats/stopwatch.js';

/** Rounds of {@link interleavedRates}: enough to spread noise from other load over both sides. */
export const INTERLEAVE_ROUNDS = 5;

/** One side of an interleaved comparison: runs the jobs `from` (inclusive) to `to` (exclusive). */
export type RangeRunner = (from: number, to: number) => Promise<void>;

/**
 * Measures two implementations of the same work in alternating rounds (raw, celers, celers, raw, …), summing
 * each side's time. On a shared machine, load from other processes then falls on both sides alike instead of
 * on whichever ran second.
 *
 * @returns jobs/s of each side over its `total` jobs.
 */
export async function interleavedRates(
  total: number,
  sides: { raw: RangeRunner; celers: RangeRunner },
  rounds = INTERLEAVE_ROUNDS,
): Promise<{ raw: number; celers: number }> {
  const spent = { raw: 0, celers: 0 };
  const perRound = Math.ceil(total / rounds);
  for (let r = 0; r < rounds; r++) {
    const from = r * perRound;
    const to = Math.min(total, from + perRound);
    if (from >= to) break;
    const order: Array<'raw' | 'celers'> = r % 2 === 0 ? ['raw', 'celers'] : ['celers', 'raw'];
    for (const side of order) {
      const start = performance.now();
      await sides[side](from, to);
      spent[side] += performance.now() - start;
    }
  }
  return { raw: jobsPerSecond(total, spent.raw), celers: jobsPerSecond(total, spent.celers) };
}
