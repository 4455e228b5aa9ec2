/**
 * A long-running companion of a broker (e.g. the MySQL broker's `Maintainer`: recovery, retention, cleanup),
 * started and stopped by whoever runs the workers.
 */
export interface BackgroundService {
  /** Starts the service's timers; returns at once. */
  start(): void;
  /** Stops the timers and waits for running work to finish. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * What a worker tells `Broker.createMaintenanceService` about itself, so the service can fit its schedule
 * to the worker (the MySQL broker's `MaintainerOptions` accepts the same shape).
 */
export interface MaintenanceServiceOptions {
  /**
   * The lease-recovery job (returning expired leases to `pending`): its interval in ms, or `false` for none.
   * A worker derives the interval from its lease length.
   */
  recoverTimedOut?: { intervalMs?: number } | false;
}
