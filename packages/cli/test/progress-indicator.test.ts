import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  formatProgress,
  PLAIN_PROGRESS_INTERVAL_MS,
  PROGRESS_INTERVAL_MS,
  ProgressIndicator,
} from '../src/output/progress-indicator.js';

/** A stderr stand-in that records what was written. */
function captureStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = {
    isTTY,
    write: (chunk: string) => writes.push(chunk) > 0,
  } as unknown as NodeJS.WritableStream & {
    isTTY: boolean;
  };
  return { stream, writes };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('formatProgress', () => {
  it('shows a bar, count, percent, elapsed time and ETA once the total is known', () => {
    expect(formatProgress({ label: 'exporting tasks', done: 250, total: 1000, elapsedMs: 10_000 })).toBe(
      'exporting tasks [######------------------] 250/1000 25% 10s ETA 30s',
    );
    expect(formatProgress({ label: 'x', done: 1000, total: 1000, elapsedMs: 90_000 })).toBe(
      'x [########################] 1000/1000 100% 1m30s ETA 0s',
    );
    expect(formatProgress({ label: 'x', done: 0, total: 10, elapsedMs: 0 })).toBe(
      'x [------------------------] 0/10 0% 0s ETA ?',
    );
  });

  it('falls back to a count (or the total alone) when it cannot compute a percentage', () => {
    expect(
      formatProgress({ label: 'importing tasks', done: undefined, total: undefined, elapsedMs: 2_000 }),
    ).toBe('importing tasks (2s)');
    expect(formatProgress({ label: 'purging', done: undefined, total: 40, elapsedMs: 0 })).toBe(
      'purging of 40 (0s)',
    );
    expect(formatProgress({ label: 'exporting', done: 7, total: undefined, elapsedMs: 1_000 })).toBe(
      'exporting 7 (1s)',
    );
  });
});

describe('ProgressIndicator', () => {
  it('redraws one line with the bar on a terminal and clears it on stop', () => {
    const { stream, writes } = captureStream(true);
    const progress = new ProgressIndicator('requeueing', stream);
    progress.setTotal(4);
    progress.update(2);
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
    const line = writes.at(-1) ?? '';
    expect(line.startsWith('\r\x1b[2K')).toBe(true);
    expect(line.slice(5)).toMatch(/^. requeueing \[#{12}-{12}\] 2\/4 50% /);
    progress.stop('requeued 4');
    expect(writes.slice(-2)).toEqual(['\r\x1b[2K', 'requeued 4\n']);
  });

  it('writes plain lines, without control characters, when stderr is not a terminal', () => {
    const { stream, writes } = captureStream(false);
    const progress = new ProgressIndicator('exporting tasks', stream);
    progress.setTotal(10);
    progress.update(5);
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS * 5);
    expect(writes).toEqual([]); // short runs print nothing
    vi.advanceTimersByTime(PLAIN_PROGRESS_INTERVAL_MS);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^exporting tasks \[#{12}-{12}\] 5\/10 50% \S+ ETA \S+\n$/);
    progress.stop('done');
    expect(writes).toHaveLength(1);
  });
});
