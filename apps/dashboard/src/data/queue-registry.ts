import type { MysqlBroker } from '@celers/broker-mysql';
import { assertQueueName } from '@celers/core';
import { QueueMonitor } from '@celers/monitoring';

/** A queue's broker and its monitor, opened once and reused by every request. */
export interface QueueHandle {
  readonly broker: MysqlBroker;
  readonly monitor: QueueMonitor;
}

/**
 * Caches one broker (from `root.forQueue`, sharing the root's pool) and one {@link QueueMonitor} per queue.
 * At most `max` are kept: the least recently used one is closed when a new queue needs room, so request
 * paths naming many queues cannot grow memory without bound.
 */
export class QueueRegistry {
  readonly #root: MysqlBroker;
  readonly #max: number;
  readonly #handles = new Map<string, Promise<QueueHandle>>();
  #closed = false;

  constructor(root: MysqlBroker, max: number) {
    this.#root = root;
    this.#max = max;
  }

  /** The handle of `queue` (validated as a queue name, argument `queue`). */
  get(queue: unknown): Promise<QueueHandle> {
    const name = assertQueueName(queue, 'queue');
    if (this.#closed) return Promise.reject(new Error('dashboard is closed'));
    const cached = this.#handles.get(name);
    if (cached) {
      // Map keeps insertion order: re-inserting marks the entry as most recently used.
      this.#handles.delete(name);
      this.#handles.set(name, cached);
      return cached;
    }
    const opening = this.#open(name);
    this.#handles.set(name, opening);
    opening.catch(() => this.#handles.delete(name));
    this.#evict();
    return opening;
  }

  /** Closes every cached broker (they share the root's pool, which the owner closes). */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#handles.values()];
    this.#handles.clear();
    await Promise.all(all.map(async (h) => (await h.catch(() => null))?.broker.close()));
  }

  async #open(name: string): Promise<QueueHandle> {
    const broker = name === this.#root.queueName ? this.#root : await this.#root.forQueue(name);
    return { broker, monitor: new QueueMonitor(broker) };
  }

  #evict(): void {
    while (this.#handles.size > this.#max) {
      const [oldest, handle] = this.#handles.entries().next().value as [string, Promise<QueueHandle>];
      this.#handles.delete(oldest);
      void handle
        .then((h) => (h.broker === this.#root ? undefined : h.broker.close()))
        .catch(() => undefined);
    }
  }
}
