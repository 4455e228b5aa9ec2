/** Completion rate samples span at least this long, so one burst does not swing the estimate. */
const SAMPLE_MS = 100;

/**
 * Sizes the worker's prefetch buffer (tasks claimed ahead of a free slot) to what the worker finishes within
 * `windowMs`, capped at `max`. Fast tasks get deep prefetch (few, large claims); slow tasks get none, so a
 * worker never hoards work another worker could start now (Celery's prefetch-multiplier trap), and a
 * buffered task waits about `windowMs` at most, far inside its lease.
 *
 * The rate is an exponentially weighted average of handler completions per ms over samples of at least
 * {@link SAMPLE_MS}; it starts at 0 (no prefetch until the worker has seen how fast its tasks are) and decays
 * to 0 while nothing completes (all slots stuck in slow handlers, or an idle queue).
 * @internal
 */
export class PrefetchSizer {
  readonly #max: number;
  readonly #windowMs: number;
  #completed = 0;
  #sampleStart: number;
  #ratePerMs = 0;

  constructor(max: number, windowMs: number, now: number = performance.now()) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#sampleStart = now;
  }

  /** Counts one finished handler. */
  noteCompleted(): void {
    this.#completed += 1;
  }

  /** How many claimed tasks the worker should hold beyond its free slots right now. */
  target(now: number = performance.now()): number {
    const elapsed = now - this.#sampleStart;
    if (elapsed >= SAMPLE_MS) {
      const sample = this.#completed / elapsed;
      this.#ratePerMs = this.#ratePerMs === 0 ? sample : (this.#ratePerMs + sample) / 2;
      this.#completed = 0;
      this.#sampleStart = now;
    }
    return Math.min(this.#max, Math.floor(this.#ratePerMs * this.#windowMs));
  }
}
