/**
 * Runs an async job every `intervalMs` (jittered ±`jitter`), never two runs at once: the next run is
 * scheduled only after the previous one settled. Errors go to `onError`; the schedule carries on.
 * @internal
 */
export class PeriodicTask {
  readonly #run: () => Promise<void>;
  readonly #intervalMs: number;
  readonly #jitter: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = true;

  constructor(run: () => Promise<void>, intervalMs: number, onError: (error: unknown) => void, jitter = 0) {
    this.#run = run;
    this.#intervalMs = intervalMs;
    this.#jitter = jitter;
    this.#onError = onError;
  }

  /** Starts the schedule; `runNow` runs the job once right away too. */
  start(runNow = false): void {
    this.#stopped = false;
    if (runNow) this.#tick();
    else this.#schedule();
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#inFlight;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const factor = 1 + this.#jitter * (2 * Math.random() - 1);
    this.#timer = setTimeout(() => this.#tick(), Math.max(1, Math.round(this.#intervalMs * factor)));
    // Housekeeping alone must not keep the process alive; the poll loop does that while the worker runs.
    this.#timer.unref();
  }

  #tick(): void {
    this.#inFlight = this.#run()
      .catch((error: unknown) => this.#onError(error))
      .finally(() => {
        this.#inFlight = undefined;
        this.#schedule();
      });
  }
}
