import type { Worker, WorkerEventMap } from '../../src/index.js';

/** Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws `message`). */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  {
    timeoutMs = 15_000,
    intervalMs = 20,
    message = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves with the next `event` payload matching `predicate`; rejects after `timeoutMs`. */
export function nextEvent<K extends keyof WorkerEventMap>(
  worker: Worker,
  event: K,
  predicate: (payload: WorkerEventMap[K]) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<WorkerEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.off(event, listener);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for worker event "${event}"`));
    }, timeoutMs);
    const listener = (payload: WorkerEventMap[K]) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      worker.off(event, listener);
      resolve(payload);
    };
    worker.on(event, listener);
  });
}

/** Collects every payload of `event` into an array (for asserting sequences). */
export function collectEvents<K extends keyof WorkerEventMap>(worker: Worker, event: K): WorkerEventMap[K][] {
  const seen: WorkerEventMap[K][] = [];
  worker.on(event, (p) => seen.push(p));
  return seen;
}

/** A promise with its resolver, to hold handlers until the test lets them go. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
