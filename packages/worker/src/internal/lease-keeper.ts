import { type Broker, CelersError } from '@celers/core';

/** Callbacks of a {@link LeaseKeeper}. @internal */
export interface LeaseKeeperEvents {
  /** The receipt no longer owns the task (recovered and possibly re-claimed): stop and do not ack. */
  onLost(error: CelersError): void;
  /** An extension failed for another reason (database down); the keeper tries again next period. */
  onError(error: unknown): void;
}

/**
 * Keeps a claimed task's lease alive while its handler runs and until its ack or reject is through (also
 * while those are retried across an outage): `extendLease(leaseMs)` every `leaseMs / 3`, so two extensions can
 * fail in a row before the lease lapses. Stops itself once the lease is lost.
 * @internal
 */
export class LeaseKeeper {
  readonly #timer: NodeJS.Timeout;
  #stopped = false;
  #extending = false;
  #lost = false;
  #expiresAt: number;

  /** @param expiresAt - when the current lease ends (epoch ms), as the claim reported it */
  constructor(
    broker: Broker,
    taskId: string,
    receiptHandle: string,
    leaseMs: number,
    events: LeaseKeeperEvents,
    expiresAt: number = Date.now() + leaseMs,
  ) {
    this.#expiresAt = expiresAt;
    const periodMs = Math.max(1, Math.floor(leaseMs / 3));
    this.#timer = setInterval(() => {
      if (this.#stopped || this.#extending) return; // never stack extensions behind a slow database
      this.#extending = true;
      const sentAt = Date.now(); // the new expiry is at least this + leaseMs
      broker
        .extendLease(taskId, receiptHandle, leaseMs)
        .then(() => {
          this.#expiresAt = Math.max(this.#expiresAt, sentAt + leaseMs);
        })
        .catch((error: unknown) => {
          if (this.#stopped) return;
          if (
            CelersError.isInstance(error) &&
            (error.code === 'STALE_RECEIPT' || error.code === 'TASK_NOT_FOUND')
          ) {
            this.#lost = true;
            this.stop();
            events.onLost(error);
          } else events.onError(error);
        })
        .finally(() => {
          this.#extending = false;
        });
    }, periodMs);
    this.#timer.unref();
  }

  /** When the lease ends unless extended again (epoch ms, a conservative local estimate). */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** Whether an extension found the receipt stale (the task belongs to someone else now). */
  get lost(): boolean {
    return this.#lost;
  }

  /** Stops extending (the task was settled, or its lease was lost). */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }
}
