import { describe, expect, it } from 'vitest';
import { perJob, statusDelta } from '../src/env/server-status.js';
import { ConsumerProgress } from '../src/workloads/consumer-progress.js';
import { interleavedRates } from '../src/workloads/interleaved-rates.js';

describe('interleavedRates', () => {
  it('covers every job exactly once per side, alternating which side goes first', async () => {
    const calls: string[] = [];
    const seen = { raw: new Set<number>(), celers: new Set<number>() };
    const runner = (side: 'raw' | 'celers') => async (from: number, to: number) => {
      calls.push(`${side}:${from}-${to}`);
      for (let i = from; i < to; i++) seen[side].add(i);
    };
    const rates = await interleavedRates(23, { raw: runner('raw'), celers: runner('celers') }, 5);
    expect(calls).toEqual([
      'raw:0-5',
      'celers:0-5',
      'celers:5-10',
      'raw:5-10',
      'raw:10-15',
      'celers:10-15',
      'celers:15-20',
      'raw:15-20',
      'raw:20-23',
      'celers:20-23',
    ]);
    expect(seen.raw.size).toBe(23);
    expect(seen.celers.size).toBe(23);
    expect(rates.raw).toBeGreaterThan(0);
    expect(rates.celers).toBeGreaterThan(0);
  });
});

describe('ConsumerProgress', () => {
  it('resolves waiters when their target is reached, in any order', async () => {
    const p = new ConsumerProgress();
    const order: number[] = [];
    const a = p.reached(10).then(() => order.push(10));
    const b = p.reached(3).then(() => order.push(3));
    p.add(2);
    await Promise.resolve();
    expect(order).toEqual([]);
    p.add(2);
    await b;
    p.add(6);
    await a;
    expect(order).toEqual([3, 10]);
    await expect(p.reached(1)).resolves.toBeUndefined();
    expect(p.count).toBe(10);
  });

  it('rejects current and later waiters after a failure', async () => {
    const p = new ConsumerProgress();
    const waiting = p.reached(5);
    p.fail(new Error('loop crashed'));
    await expect(waiting).rejects.toThrow('loop crashed');
    await expect(p.reached(1)).rejects.toThrow('loop crashed');
  });
});

describe('status counters', () => {
  it('subtracts snapshots and divides per job', () => {
    const delta = statusDelta(
      { Questions: 100, Com_commit: 10, Gone: 1 },
      { Questions: 400, Com_commit: 40, New: 5 },
    );
    expect(delta).toEqual({ Questions: 300, Com_commit: 30 });
    expect(perJob(delta, 200)).toEqual({ Questions: 1.5, Com_commit: 0.15 });
  });
});

describe('pause', () => {
  it('resolves true when the time passes and false as soon as the signal aborts', async () => {
    const { pause } = await import('../src/stats/stopwatch.js');
    expect(await pause(1)).toBe(true);
    const controller = new AbortController();
    const pending = pause(60_000, controller.signal);
    controller.abort();
    expect(await pending).toBe(false);
    expect(await pause(60_000, controller.signal)).toBe(false);
  });
});

describe('capNote', () => {
  it('says how much of the target a capped drain covered, and nothing otherwise', async () => {
    const { capNote } = await import('../src/workloads/drain-measure.js');
    const base = { rate: 1, elapsedMs: 40_000, perJob: {} };
    expect(capNote({ ...base, processed: 12_000, capped: true }, 50_000, 40_000)).toBe(
      ' (capped at 40 s: 12000 of 50000 drained)',
    );
    expect(capNote({ ...base, processed: 50_000, capped: false }, 50_000, 40_000)).toBe('');
  });
});
