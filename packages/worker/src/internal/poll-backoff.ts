/**
 * Delay between polls of an empty queue: starts at `minMs`, doubles after each empty poll up to `maxMs`,
 * and is jittered ±25% so a fleet of idle workers does not poll in lockstep.
 * @internal
 */
export class PollBackoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #currentMs: number;

  constructor(minMs: number, maxMs: number, random: () => number = Math.random) {
    this.#minMs = minMs;
    this.#maxMs = maxMs;
    this.#random = random;
    this.#currentMs = minMs;
  }

  /** The next delay (jittered); the one after it is twice as long, up to the maximum. */
  next(): number {
    const base = this.#currentMs;
    this.#currentMs = Math.min(this.#maxMs, this.#currentMs * 2);
    const jittered = base * (0.75 + 0.5 * this.#random());
    return Math.max(1, Math.min(this.#maxMs, Math.round(jittered)));
  }

  /** Back to the shortest delay (after a poll found work). */
  reset(): void {
    this.#currentMs = this.#minMs;
  }
}
