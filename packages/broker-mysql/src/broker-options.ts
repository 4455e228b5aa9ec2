import {
  assertDurationMs,
  assertOptionalObject,
  assertQueueName,
  assertRetryPolicySpec,
  CelersError,
  DEFAULT_RETRY_POLICY,
  type RetryPolicySpec,
} from '@celers/core';
import {
  type CircuitBreakerConfig,
  type RandomSource,
  resolveCircuitBreakerConfig,
} from '@celers/resilience';
import type { CelersDatabase, PoolConfig } from '@celers/schema';
import type { Kysely } from 'kysely';

/** Options for `MysqlBroker.connect`; give `url` (the broker owns a pool) or `database` (share one). */
export interface MysqlBrokerOptions {
  /** `mysql://user:password@host:3306/database`; the broker creates and owns a pool. */
  url?: string;
  /** An existing `createDatabase()` instance; several brokers (queues) can share it. Not closed by `close()`. */
  database?: Kysely<CelersDatabase>;
  /** Pool settings when `url` is given (the seed's `PoolConfig`). */
  pool?: PoolConfig;
  /** The queue this broker serves. @defaultValue {@link DEFAULT_QUEUE} */
  queue?: string;
  /** Run migrations at connect. When false, connect fails with `MIGRATION_REQUIRED` on an unmigrated database. @defaultValue false */
  migrate?: boolean;
  /** Lease length for claimed tasks, in ms. @defaultValue {@link DEFAULT_BROKER_LEASE_MS} */
  leaseMs?: number;
  /** Retry policy for tasks that carry none. @defaultValue exponential with jitter, 1 s doubling up to 1 h */
  retryPolicy?: RetryPolicySpec;
  /**
   * Circuit breaker settings, or `false` to disable it. While open it probes the database with `SELECT 1`
   * (100 ms doubling to 1 s, jittered) and closes at the first answer. @defaultValue enabled, 5 failures, 30 s
   */
  circuitBreaker?: CircuitBreakerConfig | false;
  /** Record every state transition in `celers_task_history`. @defaultValue false (it doubles writes) */
  recordHistory?: boolean;
  /**
   * Keep completed tasks (BullMQ's `removeOnComplete: false`): `true` moves an acked task to
   * `celers_finished_tasks`, where `broker.tasks` and the dashboard see it until the Maintainer's task
   * retention removes it; `false` deletes it at ack (one DELETE per batch, the fastest settle). Results, when
   * stored, are kept either way. Failed and cancelled tasks are always kept. @defaultValue true
   */
  keepCompleted?: boolean;
  /** A worker whose last heartbeat is older than this is considered dead by recovery. @defaultValue 60000 */
  workerStaleAfterMs?: number;
  /** Random source for retry jitter (seed it in tests). @defaultValue Math.random */
  random?: RandomSource;
}

/** The queue used when none is named. */
export const DEFAULT_QUEUE = 'default';
/**
 * Default lease of a bare `dequeue()` (5 min): such a caller may never extend it, so it must outlast the task.
 * The Worker claims with its own, shorter `DEFAULT_WORKER_LEASE_MS` (30 s) and keeps it alive.
 */
export const DEFAULT_BROKER_LEASE_MS = 300_000;
/** Default heartbeat staleness: 60 s. */
export const DEFAULT_WORKER_STALE_AFTER_MS = 60_000;

/** {@link MysqlBrokerOptions} after validation and defaults. */
export interface ResolvedBrokerOptions {
  readonly queue: string;
  readonly leaseMs: number;
  readonly retryPolicy: RetryPolicySpec;
  readonly circuitBreaker: CircuitBreakerConfig | false;
  readonly recordHistory: boolean;
  readonly keepCompleted: boolean;
  readonly workerStaleAfterMs: number;
  readonly random: RandomSource;
}

/** Validates broker options and applies defaults. */
export function resolveBrokerOptions(options: MysqlBrokerOptions): ResolvedBrokerOptions {
  assertOptionalObject(options, 'options');
  if ((options.url === undefined) === (options.database === undefined)) {
    throw CelersError.invalidArgument('options', 'give exactly one of "url" or "database"');
  }
  if (options.circuitBreaker !== undefined && options.circuitBreaker !== false) {
    // Validate every field here, before connect touches the database.
    resolveCircuitBreakerConfig(options.circuitBreaker, 'options.circuitBreaker');
  }
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw CelersError.invalidArgument('options.random', 'expected a function returning [0, 1)');
  }
  for (const flag of ['recordHistory', 'keepCompleted'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean')
      throw CelersError.invalidArgument(`options.${flag}`, 'expected a boolean');
  }
  return Object.freeze({
    queue: options.queue === undefined ? DEFAULT_QUEUE : assertQueueName(options.queue, 'options.queue'),
    leaseMs:
      options.leaseMs === undefined
        ? DEFAULT_BROKER_LEASE_MS
        : assertDurationMs(options.leaseMs, 'options.leaseMs', 1),
    retryPolicy:
      options.retryPolicy === undefined
        ? DEFAULT_RETRY_POLICY
        : assertRetryPolicySpec(options.retryPolicy, 'options.retryPolicy'),
    circuitBreaker: options.circuitBreaker ?? {},
    recordHistory: options.recordHistory ?? false,
    keepCompleted: options.keepCompleted ?? true,
    workerStaleAfterMs:
      options.workerStaleAfterMs === undefined
        ? DEFAULT_WORKER_STALE_AFTER_MS
        : assertDurationMs(options.workerStaleAfterMs, 'options.workerStaleAfterMs', 1),
    random: options.random ?? Math.random,
  });
}
