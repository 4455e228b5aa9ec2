/**
 * A sleep that can be cut short. `wake()` ends the current `wait()` at once, or, when nobody is waiting,
 * makes the next `wait()` return immediately, so a wake-up that lands while the poll loop is busy claiming
 * is never lost.
 * @internal
 */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** Resolves after `ms` (or never, when omitted) or at the next `wake()`, whichever comes first. */
  wait(ms?: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      if (ms !== undefined) this.#timer = setTimeout(() => this.#settle(), ms);
    });
  }

  /** Ends the current wait, or arms the next one to return at once. */
  wake(): void {
    if (this.#resolve) this.#settle();
    else this.#pending = true;
  }

  #settle(): void {
    clearTimeout(this.#timer);
    const resolve = this.#resolve;
    this.#resolve = undefined;
    this.#timer = undefined;
    resolve?.();
  }
}
