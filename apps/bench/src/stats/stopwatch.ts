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

/** Resolves after `ms`; used only for pacing (idle polls, the steady producer), never to wait for outcomes. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it returns true, failing after `timeoutMs`.
 * Used to wait for a condition (e.g. the queue is empty) instead of sleeping a guessed time.
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(intervalMs);
  }
}
