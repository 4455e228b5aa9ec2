/**
 * An abort switch whose `AbortSignal` is only built when someone asks for it. Most handlers never read
 * `ctx.signal`, and an AbortController with a listener costs ~8 µs per task (plus garbage), a measurable share of
 * a no-op task's whole cost in the worker; the runner itself only needs "was it aborted, and why" and one
 * callback.
 * @internal
 */
export class LazyAbort<R> {
  #controller: AbortController | undefined;
  #reason: R | undefined;
  #aborted = false;
  #callbacks: Array<(reason: R) => void> = [];

  /** Whether {@link abort} was called. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** The reason given to {@link abort} (undefined before). */
  get reason(): R | undefined {
    return this.#reason;
  }

  /** A real AbortSignal, created on first use; already aborted (with the reason) when asked for after abort. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Runs `callback` once on abort (at once when already aborted); the returned function unregisters it. */
  onAbort(callback: (reason: R) => void): () => void {
    if (this.#aborted) {
      callback(this.#reason as R);
      return () => undefined;
    }
    this.#callbacks.push(callback);
    return () => {
      this.#callbacks = this.#callbacks.filter((c) => c !== callback);
    };
  }

  /** Aborts once; later calls do nothing. */
  abort(reason: R): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) callback(reason);
  }
}
