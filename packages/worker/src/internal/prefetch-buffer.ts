import type { BrokerMessage } from '@celers/core';
import { PrefetchSizer } from './prefetch-sizer.js';

/** A claimed task waiting for a free slot. */
interface Prefetched {
  message: BrokerMessage;
  /** `performance.now()` when the claim returned. */
  claimedAt: number;
}

/**
 * The worker's prefetch: tasks claimed ahead of a free slot, oldest first, each under its lease, plus the
 * {@link PrefetchSizer} that decides how many to hold.
 * @internal
 */
export class PrefetchBuffer {
  readonly #sizer: PrefetchSizer;
  #items: Prefetched[] = [];

  constructor(max: number, windowMs: number) {
    this.#sizer = new PrefetchSizer(max, windowMs);
  }

  /** Tasks waiting. */
  get length(): number {
    return this.#items.length;
  }

  /** How many tasks to hold beyond the free slots right now (adaptive, see {@link PrefetchSizer}). */
  target(): number {
    return this.#sizer.target();
  }

  /** Counts one finished handler (feeds the rate behind {@link target}). */
  noteCompleted(): void {
    this.#sizer.noteCompleted();
  }

  /** Adds a claim's tasks. */
  add(messages: readonly BrokerMessage[]): void {
    const claimedAt = performance.now();
    for (const message of messages) this.#items.push({ message, claimedAt });
  }

  /** The oldest task and how long it waited (ms), or undefined when empty. */
  next(): { message: BrokerMessage; waitedMs: number } | undefined {
    const item = this.#items.shift();
    return item && { message: item.message, waitedMs: performance.now() - item.claimedAt };
  }

  /** Removes and returns the tasks that waited longer than `ms`. */
  takeOlderThan(ms: number): BrokerMessage[] {
    const cutoff = performance.now() - ms;
    const stale = this.#items.filter((p) => p.claimedAt < cutoff);
    if (stale.length > 0) this.#items = this.#items.filter((p) => p.claimedAt >= cutoff);
    return stale.map((p) => p.message);
  }

  /** Removes and returns every waiting task. */
  takeAll(): BrokerMessage[] {
    const all = this.#items.map((p) => p.message);
    this.#items = [];
    return all;
  }
}
