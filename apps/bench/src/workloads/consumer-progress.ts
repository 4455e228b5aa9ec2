/**
 * Counts settled jobs across loops and resolves waiters when a target is reached, so drains wait on an
 * event rather than polling a clock.
 */
export class ConsumerProgress {
  #count = 0;
  #failure: Error | null = null;
  #waiters: Array<{ target: number; resolve: () => void; reject: (e: Error) => void }> = [];

  /** Jobs settled so far. */
  get count(): number {
    return this.#count;
  }

  /** Records `n` settled jobs and wakes the waiters whose target is reached. */
  add(n: number): void {
    this.#count += n;
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#count < w.target) return true;
      w.resolve();
      return false;
    });
  }

  /** Fails every current and future waiter (a loop crashed). */
  fail(error: Error): void {
    this.#failure ??= error;
    for (const w of this.#waiters) w.reject(error);
    this.#waiters = [];
  }

  /** Resolves once `count >= target`. */
  reached(target: number): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#count >= target) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ target, resolve, reject }));
  }
}
