import { describe, expect, it } from 'vitest';
import { DeadlineWatch } from '../src/connection/deadline-watch.js';

// The pool's acquire and statement timeouts share one DeadlineWatch (one timer instead of one per query); the
// statement-timeout and pool-config tests prove them end to end against a server, these the watch's own rules.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DeadlineWatch', () => {
  it('fires a deadline once, after its timeout and at most a tick late', async () => {
    const watch = new DeadlineWatch(10);
    const fired: number[] = [];
    const started = Date.now();
    watch.watch(50, () => fired.push(Date.now() - started));
    await sleep(30);
    expect(fired).toEqual([]);
    await sleep(80);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(50);
  });

  it('a cancelled deadline never fires; the others still do', async () => {
    const watch = new DeadlineWatch(5);
    const fired: string[] = [];
    const cancel = watch.watch(20, () => fired.push('cancelled'));
    watch.watch(20, () => fired.push('kept'));
    cancel();
    await sleep(60);
    expect(fired).toEqual(['kept']);
  });

  it('keeps working after its timer stopped for want of deadlines', async () => {
    const watch = new DeadlineWatch(5);
    const fired: string[] = [];
    watch.watch(5, () => fired.push('first'));
    await sleep(40); // fired, then a tick found nothing and stopped the timer
    watch.watch(5, () => fired.push('second'));
    await sleep(40);
    expect(fired).toEqual(['first', 'second']);
  });

  it('ticks at a tenth of the shortest timeout, between 1 ms and 250 ms', () => {
    expect(DeadlineWatch.tickFor(300)).toBe(30);
    expect(DeadlineWatch.tickFor(5)).toBe(1);
    expect(DeadlineWatch.tickFor(30_000)).toBe(250);
  });
});
