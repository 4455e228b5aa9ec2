import type { AckItem, AckOutcome, Broker } from '@celers/core';

interface PendingAck {
  item: AckItem;
  resolve: (result: AckOutcome) => void;
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

  /**
   * Queues an ack; resolves with its own outcome from the batch (`acked`, `stale`, `missing`) once the batch
   * committed. Rejects when the batch failed (e.g. database down).
   */
  ack(item: AckItem): Promise<AckOutcome> {
    return new Promise<AckOutcome>((resolve, reject) => {
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
    let outcomes: readonly AckOutcome[];
    try {
      ({ outcomes } = await this.#broker.ackBatch(batch.map((p) => p.item)));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(outcomes[i] ?? 'missing');
  }
}
