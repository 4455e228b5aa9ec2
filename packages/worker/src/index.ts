// @celers/worker: the worker runtime. Depends on core's Broker interface only, never on MySQL.
export { runWorker } from './run-worker.js';
export type { WorkerTask } from './task-bindings.js';
export type { TaskContext, TaskHandler, TaskHandlers } from './task-handler.js';
export { type CloseWorkerOptions, Worker } from './worker.js';
export type { FinalRejectOutcome, StalledReason, WorkerEventMap } from './worker-events.js';
export { consoleWarnLogger, type LogFields, silentLogger, type WorkerLogger } from './worker-logger.js';
export {
  DEFAULT_ACK_BATCH_WINDOW_MS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_BUSY_POLL_WINDOW_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_POLL_INTERVAL_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_PREFETCH_MULTIPLIER,
  DEFAULT_RECOVERY_INTERVAL_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_WORKER_LEASE_MS,
  defaultWorkerId,
  deriveRecoveryIntervalMs,
  MAX_ACK_BATCH_SIZE,
  MAX_BATCH_SIZE,
  MAX_CLAIM_CONNECTIONS,
  MAX_PREFETCH,
  MIN_RECOVERY_INTERVAL_MS,
  PREFETCH_WINDOW_MS,
  type ResolvedWorkerOptions,
  resolveWorkerOptions,
  type WorkerOptions,
} from './worker-options.js';
