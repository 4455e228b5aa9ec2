import { CelersError } from '@celers/core';
import type { AnyDb } from '../sql/kombu-schema.sql.js';
import { assertDuration, assertName, assertPositiveInt } from '../validate.js';
import type { CeleryTaskHandlers } from './celery-handler.js';
import type { CeleryWorkerEvent } from './celery-worker-events.js';

/** Default handlers run at once per worker. */
export const DEFAULT_CELERY_CONCURRENCY = 4;
/** Default lease on a claimed message; kept alive every third of it while the handler runs. */
export const DEFAULT_CELERY_LEASE_MS = 30_000;
/** Default pause between polls of an empty queue (it backs off to 1 s). */
export const DEFAULT_CELERY_POLL_INTERVAL_MS = 50;
/** Celery's `default_retry_delay`: 3 minutes. */
export const DEFAULT_CELERY_RETRY_DELAY_MS = 180_000;
/** Celery's `max_retries` default. */
export const DEFAULT_CELERY_MAX_RETRIES = 3;
/** How long a message for a task with no handler here stays hidden before others may take it. */
export const DEFAULT_UNKNOWN_TASK_DELAY_MS = 5_000;
/** How long shutdown waits for running handlers. */
export const DEFAULT_CELERY_SHUTDOWN_TIMEOUT_MS = 30_000;

/** Options of `runCeleryWorker`. */
export interface CeleryWorkerOptions {
  /** The database, from `createDatabase`. */
  db: AnyDb;
  /** Handlers by Celery task name. */
  handlers: CeleryTaskHandlers;
  /** kombu queues to consume. @defaultValue ['celery'] */
  queues?: readonly string[];
  /** Handlers run at once. @defaultValue {@link DEFAULT_CELERY_CONCURRENCY} */
  concurrency?: number;
  /** @defaultValue {@link DEFAULT_CELERY_LEASE_MS} */
  leaseMs?: number;
  /** @defaultValue {@link DEFAULT_CELERY_POLL_INTERVAL_MS} */
  pollIntervalMs?: number;
  /** Write STARTED when a handler starts (Celery's `task_track_started`). @defaultValue false */
  trackStarted?: boolean;
  /** @defaultValue {@link DEFAULT_CELERY_RETRY_DELAY_MS} */
  defaultRetryDelayMs?: number;
  /** @defaultValue {@link DEFAULT_CELERY_MAX_RETRIES} */
  maxRetries?: number;
  /** @defaultValue {@link DEFAULT_UNKNOWN_TASK_DELAY_MS} */
  unknownTaskDelayMs?: number;
  /** @defaultValue {@link DEFAULT_CELERY_SHUTDOWN_TIMEOUT_MS} */
  shutdownTimeoutMs?: number;
  /** Stops the worker gracefully when aborted. */
  signal?: AbortSignal;
  /** The `celery_taskmeta.worker` value. @defaultValue `celers@<pid>` */
  workerName?: string;
  /** Called for every {@link CeleryWorkerEvent}. */
  onEvent?: (event: CeleryWorkerEvent) => void;
}

/** {@link CeleryWorkerOptions} with every default applied, frozen. */
export type ResolvedCeleryWorkerOptions = Readonly<
  Required<Omit<CeleryWorkerOptions, 'signal' | 'onEvent'>> & Pick<CeleryWorkerOptions, 'signal' | 'onEvent'>
>;

/** Validates options (throwing `INVALID_ARGUMENT` naming the field) and applies defaults. */
export function resolveCeleryWorkerOptions(options: CeleryWorkerOptions): ResolvedCeleryWorkerOptions {
  if (typeof options !== 'object' || options === null)
    throw CelersError.invalidArgument('options', 'must be an object');
  if (typeof options.db !== 'object' || options.db === null)
    throw CelersError.invalidArgument('options.db', 'must be a Kysely from createDatabase');
  const handlers = options.handlers;
  if (typeof handlers !== 'object' || handlers === null || Object.keys(handlers).length === 0)
    throw CelersError.invalidArgument('options.handlers', 'must map at least one task name to a function');
  for (const [name, handler] of Object.entries(handlers))
    if (typeof handler !== 'function')
      throw CelersError.invalidArgument(`options.handlers.${name}`, 'must be a function');
  const queues = options.queues ?? ['celery'];
  if (!Array.isArray(queues) || queues.length === 0)
    throw CelersError.invalidArgument('options.queues', 'must be a non-empty array');
  for (const [i, q] of queues.entries()) assertName(q, `options.queues[${i}]`, 200);
  const resolved = {
    db: options.db,
    handlers,
    queues: [...queues],
    concurrency: options.concurrency ?? DEFAULT_CELERY_CONCURRENCY,
    leaseMs: options.leaseMs ?? DEFAULT_CELERY_LEASE_MS,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_CELERY_POLL_INTERVAL_MS,
    trackStarted: options.trackStarted ?? false,
    defaultRetryDelayMs: options.defaultRetryDelayMs ?? DEFAULT_CELERY_RETRY_DELAY_MS,
    maxRetries: options.maxRetries ?? DEFAULT_CELERY_MAX_RETRIES,
    unknownTaskDelayMs: options.unknownTaskDelayMs ?? DEFAULT_UNKNOWN_TASK_DELAY_MS,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULT_CELERY_SHUTDOWN_TIMEOUT_MS,
    workerName: options.workerName ?? `celers@${process.pid}`,
    signal: options.signal,
    onEvent: options.onEvent,
  };
  assertPositiveInt(resolved.concurrency, 'options.concurrency');
  assertPositiveInt(resolved.leaseMs, 'options.leaseMs');
  if (resolved.leaseMs < 300) throw CelersError.invalidArgument('options.leaseMs', 'must be at least 300');
  assertDuration(resolved.pollIntervalMs, 'options.pollIntervalMs');
  assertDuration(resolved.defaultRetryDelayMs, 'options.defaultRetryDelayMs');
  assertDuration(resolved.unknownTaskDelayMs, 'options.unknownTaskDelayMs');
  assertDuration(resolved.shutdownTimeoutMs, 'options.shutdownTimeoutMs');
  if (!Number.isSafeInteger(resolved.maxRetries) || resolved.maxRetries < 0)
    throw CelersError.invalidArgument('options.maxRetries', 'must be a non-negative integer');
  assertName(resolved.workerName, 'options.workerName', 155);
  return Object.freeze(resolved);
}
