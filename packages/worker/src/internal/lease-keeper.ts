import { type Broker, CelersError } from '@celers/core';

/** Callbacks of a {@link LeaseKeeper}. @internal */
export interface LeaseKeeperEvents {
  /** The receipt no longer owns the task (recovered and possibly re-claimed): stop and do not ack. */
  onLost(error: CelersError): void;
  /** An extension failed for another reason (database down); the keeper tries again next period. */
  onError(error: unknown): void;
}

/**
 * Keeps a claimed task's lease alive while its handler runs: `extendLease(leaseMs)` every `leaseMs / 3`, so
 * two extensions can fail in a row before the lease lapses. Stops itself once the lease is lost.
 * @internal
 */
export class LeaseKeeper {
  readonly #timer: NodeJS.Timeout;
  #stopped = false;
  #extending = false;

  constructor(
    broker: Broker,
    taskId: string,
    receiptHandle: string,
    leaseMs: number,
    events: LeaseKeeperEvents,
  ) {
    const periodMs = Math.max(1, Math.floor(leaseMs / 3));
    this.#timer = setInterval(() => {
      if (this.#stopped || this.#extending) return; // never stack extensions behind a slow database
      this.#extending = true;
      broker
        .extendLease(taskId, receiptHandle, leaseMs)
        .catch((error: unknown) => {
          if (this.#stopped) return;
          if (
            CelersError.isInstance(error) &&
            (error.code === 'STALE_RECEIPT' || error.code === 'TASK_NOT_FOUND')
          ) {
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

  /** Stops extending (the task was settled, or its lease was lost). */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }
}
