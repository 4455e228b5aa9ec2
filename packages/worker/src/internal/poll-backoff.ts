/**
 * Delay between polls that found less than a full batch. For `warmMs` after the last poll that found work it stays
 * at `minMs` (tasks arriving one by one from other processes are met within ~`minMs`, not after a doubling
 * delay: at 200 tasks/s a doubling backoff waited 2–3 polls between tasks); after that it doubles after each
 * empty poll up to `maxMs`, so an idle queue costs a few polls per second. Jittered ±25% so a fleet of idle
 * workers does not poll in lockstep.
 * @internal
 */
export class PollBackoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #warmMs: number;
  readonly #random: () => number;
  readonly #now: () => number;
  #currentMs: number;
  #lastWorkAt = Number.NEGATIVE_INFINITY;

  constructor(
    minMs: number,
    maxMs: number,
    options: { warmMs?: number; random?: () => number; now?: () => number } = {},
  ) {
    this.#minMs = minMs;
    this.#maxMs = maxMs;
    this.#warmMs = options.warmMs ?? 0;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => performance.now());
    this.#currentMs = minMs;
  }

  /** The next delay (jittered); past the warm window, the one after it is twice as long, up to the maximum. */
  next(): number {
    const base = this.#currentMs;
    if (this.#now() - this.#lastWorkAt >= this.#warmMs)
      this.#currentMs = Math.min(this.#maxMs, this.#currentMs * 2);
    const jittered = base * (0.75 + 0.5 * this.#random());
    return Math.max(1, Math.min(this.#maxMs, Math.round(jittered)));
  }

  /** Back to the shortest delay, and the warm window starts again (after a poll found work). */
  reset(): void {
    this.#currentMs = this.#minMs;
    this.#lastWorkAt = this.#now();
  }
}
