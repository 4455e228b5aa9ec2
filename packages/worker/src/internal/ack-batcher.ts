import type { AckItem, Broker } from '@celers/core';

/**
 * Whether an ack took: `true` acked, `false` the receipt was stale (the task was recovered), `null` unknown
 * (it went out in a batch that acked fewer tasks than it carried, and `ackBatch` only returns a count).
 * @internal
 */
export type AckResult = boolean | null;

interface PendingAck {
  item: AckItem;
  resolve: (result: AckResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Groups acks that arrive within `windowMs` into one `ackBatch` transaction (one commit instead of many),
 * flushing early when `maxBatch` acks are waiting. Latency per task stays at most `windowMs` plus one round
 * trip. With `windowMs === 0` each ack is sent alone.
 * @internal
 */
export class AckBatcher {
  readonly #broker: Broker;
  readonly #windowMs: number;
  readonly #maxBatch: number;
  readonly #inFlight = new Set<Promise<void>>();
  #pending: PendingAck[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(broker: Broker, windowMs: number, maxBatch: number) {
    this.#broker = broker;
    this.#windowMs = windowMs;
    this.#maxBatch = maxBatch;
  }

  /** Queues an ack; resolves once its batch committed. Rejects when the batch failed (e.g. database down). */
  ack(item: AckItem): Promise<AckResult> {
    return new Promise<AckResult>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#windowMs === 0 || this.#pending.length >= this.#maxBatch) this.#flushNow();
      else this.#timer ??= setTimeout(() => this.#flushNow(), this.#windowMs);
    });
  }

  /** Sends whatever is waiting and resolves when every batch sent so far has settled. */
  async flush(): Promise<void> {
    this.#flushNow();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #flushNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const sending = this.#send(batch).finally(() => this.#inFlight.delete(sending));
    this.#inFlight.add(sending);
  }

  async #send(batch: PendingAck[]): Promise<void> {
    let acked: number;
    try {
      acked = await this.#broker.ackBatch(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    // A full count confirms every item; a single item's count is exact; otherwise we cannot tell which.
    const result: AckResult = acked === batch.length ? true : batch.length === 1 ? false : null;
    for (const p of batch) p.resolve(result);
  }
}
