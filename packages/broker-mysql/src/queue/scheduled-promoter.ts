import { PROMOTE_INTERVAL_MS } from '@celers/schema';

/**
 * Runs one broker's promotion of its queue's scheduled tasks at most once per `intervalMs` (its claims and idle
 * polls ask before each claim; the first ask always runs). Callers that ask while a run is in flight wait for
 * that run, so no claim starts before the promotion it depends on has committed. A failed run is forgotten: the
 * next ask runs again.
 *
 * Why this keeps delayed tasks on time: promotion takes every task due within `PROMOTE_AHEAD_MS` (2 s), and it
 * ran at most `intervalMs` (1 s) before any claim, so every task due within the next second is already
 * `pending` when a claim looks.
 * @internal
 */
export class ScheduledPromoter {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastRunAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | null = null;

  constructor(intervalMs: number = PROMOTE_INTERVAL_MS, now: () => number = () => performance.now()) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Runs `promote` unless a run started less than the interval ago; waits for a run in flight. */
  promoteIfDue(promote: () => Promise<unknown>): Promise<void> {
    if (this.#inFlight) return this.#inFlight;
    const now = this.#now();
    if (now - this.#lastRunAt < this.#intervalMs) return Promise.resolve();
    this.#lastRunAt = now;
    const run = promote().then(
      () => undefined,
      (error: unknown) => {
        this.#lastRunAt = Number.NEGATIVE_INFINITY;
        throw error;
      },
    );
    this.#inFlight = run;
    const clear = () => {
      this.#inFlight = null;
    };
    run.then(clear, clear);
    return run;
  }
}
