/** Cancels a watched deadline; calling it after the deadline fired does nothing. */
export type CancelDeadline = () => void;

interface Watched {
  readonly deadline: number;
  readonly onExpire: () => void;
}

/**
 * Fires callbacks whose deadline has passed, checked every `tickMs` by ONE interval timer shared by every
 * deadline of a pool, instead of a `setTimeout` per statement and per acquire. Those timers cost ~25 µs of CPU
 * and wall time per query (a Node timer pair in the pool's acquire, mysql2's query timeout timer), a tenth of a
 * single enqueue (measured by `pnpm bench --experiment query-path`, design.md "One timer per pool"). A deadline fires up to `tickMs`
 * late. The interval keeps running while deadlines come and go and stops at the first tick that finds none, so a
 * steady stream of queries does not start and stop it each time; it is unref'd, so it never keeps a process alive.
 * @internal
 */
export class DeadlineWatch {
  readonly #tickMs: number;
  readonly #watched = new Set<Watched>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(tickMs: number) {
    this.#tickMs = Math.max(1, Math.floor(tickMs));
  }

  /** The tick for timeouts of at least `shortestTimeoutMs`: a tenth of it, between 1 ms and 250 ms. */
  static tickFor(shortestTimeoutMs: number): number {
    return Math.min(250, Math.max(1, Math.floor(shortestTimeoutMs / 10)));
  }

  /** Calls `onExpire` once `timeoutMs` have passed, unless the returned function is called first. */
  watch(timeoutMs: number, onExpire: () => void): CancelDeadline {
    const entry: Watched = { deadline: Date.now() + timeoutMs, onExpire };
    this.#watched.add(entry);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#tick(), this.#tickMs);
      this.#timer.unref();
    }
    return () => {
      this.#watched.delete(entry);
    };
  }

  #tick(): void {
    if (this.#watched.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = Date.now();
    for (const entry of this.#watched) {
      if (entry.deadline > now) continue;
      this.#watched.delete(entry);
      entry.onExpire();
    }
  }
}
