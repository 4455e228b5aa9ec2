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
