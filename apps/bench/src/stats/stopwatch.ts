import { performance } from 'node:perf_hooks';

/** Runs `fn` and returns its result with the elapsed wall time in ms (monotonic clock). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, elapsedMs: performance.now() - start };
}

/** Jobs per second for `jobs` processed in `elapsedMs`. */
export function jobsPerSecond(jobs: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) throw new RangeError(`elapsed time must be positive, got ${elapsedMs}`);
  return (jobs * 1000) / elapsedMs;
}

/**
 * Resolves after `ms` with `true`, or early with `false` when `signal` aborts. Used only for pacing (idle
 * polls, the steady producer) and time caps, never to wait for an outcome.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
