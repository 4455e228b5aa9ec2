import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  assertDurationMs,
  assertInteger,
  assertName,
  assertOptionalObject,
  type Broker,
  CelersError,
  MAX_CLAIM_TASK_NAMES,
} from '@celers/core';
import { mergeTaskBindings, type WorkerTask } from './task-bindings.js';
import type { TaskHandler, TaskHandlers } from './task-handler.js';
import { consoleWarnLogger, type WorkerLogger } from './worker-logger.js';

/** Default number of handlers running at once. */
export const DEFAULT_CONCURRENCY = 10;
/**
 * Default largest claim (`dequeueBatch` count) per poll. Large, because the database's cost per task falls
 * with the claim size (mariadbd CPU per task of a drain: ~190 µs at claims of ≤ 100, ~120 µs at ≤ 500), and
 * the adaptive prefetch keeps slow tasks from being claimed in bulk anyway.
 */
export const DEFAULT_BATCH_SIZE = 500;
/** Largest {@link WorkerOptions.prefetch}. */
export const MAX_PREFETCH = 10_000;
/**
 * Default {@link WorkerOptions.prefetch} is this many times `concurrency` (Celery uses 4, without an adaptive
 * cap). Only a cap: the worker prefetches what it finishes in {@link PREFETCH_WINDOW_MS}, so this much is held only
 * by a worker that really finishes it that fast.
 */
export const DEFAULT_PREFETCH_MULTIPLIER = 50;
/**
 * The worker prefetches only as many tasks as it finishes in this many ms (measured), so a prefetched task
 * waits about this long at most and slow tasks are not prefetched at all.
 */
export const PREFETCH_WINDOW_MS = 200;
/** Largest claim per poll (the broker's `dequeueBatch` limit). */
export const MAX_BATCH_SIZE = 1_000;
/** Largest `claimConnections`. */
export const MAX_CLAIM_CONNECTIONS = 16;
/**
 * Default wait before polling again after a poll that found less than a full batch. It stays this short for
 * {@link DEFAULT_BUSY_POLL_WINDOW_MS} after work was last found, then doubles with each empty poll up to
 * {@link DEFAULT_MAX_POLL_INTERVAL_MS}. Short, so tasks enqueued one by one by other processes start within ~1 ms
 * of their commit (an empty poll is one indexed SELECT).
 */
export const DEFAULT_POLL_INTERVAL_MS = 1;
/**
 * Default time after a poll found work during which empty polls keep the shortest interval: a queue fed one
 * task at a time stays served at `pollIntervalMs`, at a cost of at most this many ms / `pollIntervalMs` empty
 * polls per burst (20 with the defaults); an idle queue falls back to `maxPollIntervalMs` within ~0.3 s.
 */
export const DEFAULT_BUSY_POLL_WINDOW_MS = 20;
/**
 * Default longest wait between polls of an idle queue: a task enqueued by another process waits at most this
 * long. The MySQL broker polls an idle queue with one plain SELECT, so this costs ~10 queries/s per worker.
 */
export const DEFAULT_MAX_POLL_INTERVAL_MS = 100;
/**
 * Default lease of a Worker's claims (30 s; the broker's own default for bare `dequeue()` calls is
 * `DEFAULT_BROKER_LEASE_MS`, 5 min). The Worker extends it every `leaseMs / 3` while a handler runs, so it can
 * be short: a crashed worker's tasks come back within about 1.5 leases.
 */
export const DEFAULT_WORKER_LEASE_MS = 30_000;
/** Default heartbeat period. Keep it well under the broker's `workerStaleAfterMs` (60 s by default). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
/**
 * Longest default interval of the maintainer's lease recovery; the default is half the lease
 * ({@link deriveRecoveryIntervalMs}), at most this.
 */
export const DEFAULT_RECOVERY_INTERVAL_MS = 30_000;
/** Shortest recovery interval (the maintainer's shortest job interval). */
export const MIN_RECOVERY_INTERVAL_MS = 100;

/**
 * The default recovery interval for a lease: half of it, within [{@link MIN_RECOVERY_INTERVAL_MS},
 * {@link DEFAULT_RECOVERY_INTERVAL_MS}], so a dead worker's task is back in `pending` at most ~1.5 leases after
 * its last extension, and a short lease is not left waiting for a 30 s schedule.
 */
export function deriveRecoveryIntervalMs(leaseMs: number): number {
  return Math.min(DEFAULT_RECOVERY_INTERVAL_MS, Math.max(MIN_RECOVERY_INTERVAL_MS, Math.round(leaseMs / 2)));
}
/** Default time `close()` waits for running handlers before aborting them. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
/** Default window in which finished tasks are acked together through `ackBatch`. */
export const DEFAULT_ACK_BATCH_WINDOW_MS = 5;
/** Largest number of acks sent in one `ackBatch`. */
export const MAX_ACK_BATCH_SIZE = 100;

/** Options for `new Worker(...)`; `broker` is required, and `handlers`, `tasks` or `fallbackHandler`. */
export interface WorkerOptions {
  /** The broker (queue) to consume from. The worker never closes it. */
  broker: Broker;
  /**
   * Handlers by task name. The worker claims only tasks of these names (at most `MAX_CLAIM_TASK_NAMES`), so
   * workers with different handlers can share a queue: a task no worker handles stays `pending`. May be empty
   * when `fallbackHandler` is set, and left out when `tasks` registers the handlers.
   */
  handlers?: TaskHandlers;
  /**
   * Handlers bound to `defineTask` definitions (`sendEmail.handler(fn)`): typed payload and `ctx`, and a name
   * that cannot be misspelled. Merged with `handlers`; a name in both is an `INVALID_ARGUMENT`, and so is a
   * definition whose `queue` is not the broker's.
   */
  tasks?: readonly WorkerTask[];
  /**
   * Runs every claimed task that has no handler in `handlers` (by `ctx.taskName`). With it the worker claims
   * tasks of any name. A separate option rather than a `'*'` key: any string, `'*'` included, is a valid task
   * name. @defaultValue none: only tasks named in `handlers` are claimed
   */
  fallbackHandler?: TaskHandler;
  /**
   * Handlers running at once. The worker claims the next tasks while finished ones wait for their (batched)
   * ack, so it holds at most `concurrency` + max(`batchSize`, `concurrency`) + `prefetch` leases (running, awaiting
   * their ack, prefetched). @defaultValue {@link DEFAULT_CONCURRENCY}
   */
  concurrency?: number;
  /** Most tasks claimed per poll (one `dequeueBatch`). @defaultValue {@link DEFAULT_BATCH_SIZE} */
  batchSize?: number;
  /**
   * Most tasks claimed ahead of a free slot, waiting locally (under their lease) for a handler slot, so fast
   * tasks are claimed in large batches. Adaptive below this cap: the worker holds only what it finishes in
   * {@link PREFETCH_WINDOW_MS} at its measured rate, so slow tasks are never hoarded. `0` claims only for
   * free slots. @defaultValue {@link DEFAULT_PREFETCH_MULTIPLIER} × `concurrency`
   */
  prefetch?: number;
  /**
   * Wait after a poll that found less than a full batch, in ms; past `busyPollWindowMs` it doubles (with jitter)
   * up to `maxPollIntervalMs`. @defaultValue {@link DEFAULT_POLL_INTERVAL_MS}
   */
  pollIntervalMs?: number;
  /** Longest wait between polls of an idle queue, in ms. @defaultValue {@link DEFAULT_MAX_POLL_INTERVAL_MS} */
  maxPollIntervalMs?: number;
  /**
   * Claim loops, each with its own database connection from the broker's pool. The first polls; the others
   * join only while claims come back full (a backlog), so an idle worker costs the same. Raise it when one
   * connection's claim round trips are the bottleneck (a distant database, large batches); the pool needs this
   * many connections plus those for acks and heartbeats. @defaultValue 1
   */
  claimConnections?: number;
  /**
   * How long after a poll found work empty polls keep `pollIntervalMs` before backing off, in ms; `0` backs off
   * at once. @defaultValue {@link DEFAULT_BUSY_POLL_WINDOW_MS}
   */
  busyPollWindowMs?: number;
  /** Lease per claim in ms (at least 30), extended every `leaseMs / 3` while the handler runs. @defaultValue {@link DEFAULT_WORKER_LEASE_MS} */
  leaseMs?: number;
  /** Heartbeat period in ms. @defaultValue {@link DEFAULT_HEARTBEAT_INTERVAL_MS} */
  heartbeatIntervalMs?: number;
  /**
   * Interval in ms of lease recovery (returning a dead worker's expired tasks to `pending`), which the broker's
   * maintenance service runs, once across all hosts; the worker runs no recovery loop of its own. Passed to
   * `createMaintenanceService` by the first worker of a broker; `0` turns recovery off there; ignored with
   * `maintenance: false` (then run a Maintainer elsewhere). At least {@link MIN_RECOVERY_INTERVAL_MS}.
   * @defaultValue half of `leaseMs`, at most {@link DEFAULT_RECOVERY_INTERVAL_MS} ({@link deriveRecoveryIntervalMs})
   */
  recoveryIntervalMs?: number;
  /** Store each handler's return value (and failures) in the results table. @defaultValue false */
  storeResults?: boolean;
  /** This worker's id in heartbeats and on claimed tasks. @defaultValue `<hostname>-<pid>-<6 hex>` */
  workerId?: string;
  /** Where the worker logs. @defaultValue {@link consoleWarnLogger} (warnings and errors only) */
  logger?: WorkerLogger;
  /** How long `close()` waits for running handlers before aborting them, in ms. @defaultValue {@link DEFAULT_SHUTDOWN_TIMEOUT_MS} */
  shutdownTimeoutMs?: number;
  /**
   * Close gracefully on SIGTERM/SIGINT (a second signal aborts running handlers at once), then re-raise the
   * signal when nothing else listens for it, so the process exits as it would have. @defaultValue false
   */
  handleSignals?: boolean;
  /**
   * Start the broker's background maintenance with the worker (for the MySQL broker: the `Maintainer`, which
   * recovers expired leases, prunes finished tasks, results, DLQ entries and idempotency keys after their
   * retention, once across all hosts). Workers sharing a broker in one process share one service, stopped
   * when the last of them closes. Brokers without `createMaintenanceService` ignore it. @defaultValue true
   */
  maintenance?: boolean;
  /** Acks finishing within this many ms share one `ackBatch` transaction; `0` acks each task alone. @defaultValue {@link DEFAULT_ACK_BATCH_WINDOW_MS} */
  ackBatchWindowMs?: number;
}

/** {@link WorkerOptions} after validation and defaults (frozen). */
export interface ResolvedWorkerOptions {
  readonly broker: Broker;
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  readonly fallbackHandler: TaskHandler | null;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly prefetch: number;
  readonly pollIntervalMs: number;
  readonly busyPollWindowMs: number;
  readonly claimConnections: number;
  readonly maxPollIntervalMs: number;
  readonly leaseMs: number;
  readonly heartbeatIntervalMs: number;
  readonly recoveryIntervalMs: number;
  readonly storeResults: boolean;
  readonly workerId: string;
  readonly logger: WorkerLogger;
  readonly shutdownTimeoutMs: number;
  readonly handleSignals: boolean;
  readonly maintenance: boolean;
  readonly ackBatchWindowMs: number;
}

const BROKER_METHODS = [
  'dequeueBatch',
  'ackBatch',
  'reject',
  'extendLease',
  'release',
  'registerWorker',
  'on',
  'off',
] as const;
const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;

/** A worker id unique per process: host, pid and a random suffix (several workers may share a process). */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * Validates worker options and applies defaults. Bad input throws `INVALID_ARGUMENT` naming the option
 * (e.g. `options.concurrency`).
 *
 * @example
 * ```ts
 * const resolved = resolveWorkerOptions({ broker, handlers: { echo: (p) => p }, concurrency: 4 });
 * resolved.batchSize; // 500
 * resolved.prefetch; // 200
 * ```
 */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  if (assertOptionalObject(options, 'options') === undefined)
    throw CelersError.invalidArgument('options', 'expected an object');
  const broker = assertBroker(options.broker);
  const fallbackHandler = assertFallbackHandler(options.fallbackHandler);
  const handlers = assertHandlers(
    mergeTaskBindings(options.handlers, options.tasks, broker.queueName),
    fallbackHandler !== null,
  );
  const concurrency = optionalInteger(
    options.concurrency,
    'options.concurrency',
    1,
    10_000,
    DEFAULT_CONCURRENCY,
  );
  const pollIntervalMs = optionalDuration(
    options.pollIntervalMs,
    'options.pollIntervalMs',
    1,
    DEFAULT_POLL_INTERVAL_MS,
  );
  const maxPollIntervalMs = optionalDuration(
    options.maxPollIntervalMs,
    'options.maxPollIntervalMs',
    1,
    Math.max(DEFAULT_MAX_POLL_INTERVAL_MS, pollIntervalMs),
  );
  if (maxPollIntervalMs < pollIntervalMs) {
    throw CelersError.invalidArgument(
      'options.maxPollIntervalMs',
      `must be at least pollIntervalMs (${pollIntervalMs})`,
    );
  }
  const leaseMs = optionalDuration(options.leaseMs, 'options.leaseMs', 30, DEFAULT_WORKER_LEASE_MS);
  return Object.freeze({
    broker,
    handlers,
    fallbackHandler,
    concurrency,
    batchSize: optionalInteger(options.batchSize, 'options.batchSize', 1, MAX_BATCH_SIZE, DEFAULT_BATCH_SIZE),
    prefetch: optionalInteger(
      options.prefetch,
      'options.prefetch',
      0,
      MAX_PREFETCH,
      DEFAULT_PREFETCH_MULTIPLIER * concurrency,
    ),
    pollIntervalMs,
    maxPollIntervalMs,
    claimConnections: optionalInteger(
      options.claimConnections,
      'options.claimConnections',
      1,
      MAX_CLAIM_CONNECTIONS,
      1,
    ),
    busyPollWindowMs: optionalDuration(
      options.busyPollWindowMs,
      'options.busyPollWindowMs',
      0,
      DEFAULT_BUSY_POLL_WINDOW_MS,
    ),
    leaseMs,
    heartbeatIntervalMs: optionalDuration(
      options.heartbeatIntervalMs,
      'options.heartbeatIntervalMs',
      1,
      DEFAULT_HEARTBEAT_INTERVAL_MS,
    ),
    recoveryIntervalMs: recoveryInterval(options.recoveryIntervalMs, leaseMs),
    storeResults: optionalBoolean(options.storeResults, 'options.storeResults', false),
    workerId:
      options.workerId === undefined ? defaultWorkerId() : assertName(options.workerId, 'options.workerId'),
    logger: options.logger === undefined ? consoleWarnLogger : assertLogger(options.logger),
    shutdownTimeoutMs: optionalDuration(
      options.shutdownTimeoutMs,
      'options.shutdownTimeoutMs',
      0,
      DEFAULT_SHUTDOWN_TIMEOUT_MS,
    ),
    handleSignals: optionalBoolean(options.handleSignals, 'options.handleSignals', false),
    maintenance: optionalBoolean(options.maintenance, 'options.maintenance', true),
    ackBatchWindowMs: optionalDuration(
      options.ackBatchWindowMs,
      'options.ackBatchWindowMs',
      0,
      DEFAULT_ACK_BATCH_WINDOW_MS,
    ),
  });
}

function optionalInteger(
  value: unknown,
  argument: string,
  min: number,
  max: number,
  fallback: number,
): number {
  return value === undefined ? fallback : assertInteger(value, argument, min, max);
}

function optionalDuration(value: unknown, argument: string, min: number, fallback: number): number {
  return value === undefined ? fallback : assertDurationMs(value, argument, min);
}

function recoveryInterval(value: unknown, leaseMs: number): number {
  if (value === undefined) return deriveRecoveryIntervalMs(leaseMs);
  const ms = assertDurationMs(value, 'options.recoveryIntervalMs', 0);
  if (ms > 0 && ms < MIN_RECOVERY_INTERVAL_MS) {
    throw CelersError.invalidArgument(
      'options.recoveryIntervalMs',
      `expected 0 (off) or at least ${MIN_RECOVERY_INTERVAL_MS} ms, got ${ms}`,
    );
  }
  return ms;
}

function optionalBoolean(value: unknown, argument: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw CelersError.invalidArgument(argument, `expected a boolean, got ${typeof value}`);
  return value;
}

function assertBroker(value: unknown): Broker {
  if (typeof value !== 'object' || value === null)
    throw CelersError.invalidArgument('options.broker', 'expected a Broker');
  const record = value as Record<string, unknown>;
  const missing = BROKER_METHODS.filter((m) => typeof record[m] !== 'function');
  if (missing.length > 0) {
    throw CelersError.invalidArgument('options.broker', `not a Broker (missing ${missing.join(', ')})`);
  }
  return value as Broker;
}

function assertFallbackHandler(value: unknown): TaskHandler | null {
  if (value === undefined) return null;
  if (typeof value !== 'function')
    throw CelersError.invalidArgument('options.fallbackHandler', 'expected a function');
  return value as TaskHandler;
}

function assertHandlers(value: unknown, hasFallback: boolean): Readonly<Record<string, TaskHandler>> {
  const handlers = assertOptionalObject(value, 'options.handlers');
  if (handlers === undefined)
    throw CelersError.invalidArgument('options.handlers', 'expected an object of task handlers');
  const entries = Object.entries(handlers).filter(([, fn]) => fn !== undefined);
  if (entries.length === 0 && !hasFallback)
    throw CelersError.invalidArgument(
      'options.handlers',
      'register at least one handler (or a fallbackHandler)',
    );
  if (entries.length > MAX_CLAIM_TASK_NAMES && !hasFallback) {
    throw CelersError.invalidArgument(
      'options.handlers',
      `at most ${MAX_CLAIM_TASK_NAMES} handlers (claims filter on their names); use a fallbackHandler for more`,
    );
  }
  for (const [name, fn] of entries) {
    assertName(name, `options.handlers["${name.slice(0, 40)}"]`);
    if (typeof fn !== 'function')
      throw CelersError.invalidArgument(`options.handlers.${name}`, 'expected a function');
  }
  // A null-prototype copy: a task named "constructor" or "toString" must not find Object.prototype's methods.
  return Object.freeze(
    Object.assign(Object.create(null) as Record<string, TaskHandler>, Object.fromEntries(entries)),
  );
}

function assertLogger(value: unknown): WorkerLogger {
  const record = assertOptionalObject(value, 'options.logger') ?? {};
  const missing = LOGGER_METHODS.filter((m) => typeof record[m] !== 'function');
  if (missing.length > 0)
    throw CelersError.invalidArgument('options.logger', `missing method(s) ${missing.join(', ')}`);
  return value as WorkerLogger;
}
