import {
  assertDurationMs,
  assertInteger,
  assertName,
  assertOptionalObject,
  assertTaskId,
} from '@celers/core';
import { type MonitorSource, type ResolvedSource, resolveSource } from '../internal/monitor-source.js';
import { runQuery } from '../internal/run-query.js';
import { type DlqStatistics, selectDlqStatistics } from './dlq-statistics.sql.js';
import {
  type DurationPercentiles,
  type DurationStats,
  EXECUTION_TIME,
  QUEUE_WAIT,
  selectDurationPercentiles,
  selectDurationStats,
} from './duration-stats.sql.js';
import { type PriorityStats, selectPriorityStats } from './priority-stats.sql.js';
import { judgeQueueHealth, type QueueHealth } from './queue-health.js';
import {
  type QueueHealthThresholds,
  type ResolvedQueueHealthThresholds,
  resolveQueueHealthThresholds,
} from './queue-health-options.js';
import { selectQueueSnapshot } from './queue-snapshot.sql.js';
import { type RetryStatistics, selectRetryStatistics } from './retry-statistics.sql.js';
import { classifySaturation, type QueueSaturation, selectStateCounts } from './saturation.sql.js';
import { selectStateTransitions, type TaskStateTransition } from './state-transitions.sql.js';
import { selectTaskAgeDistribution, type TaskAgeBucket } from './task-age.sql.js';
import { selectThroughput, type TaskThroughput } from './throughput.sql.js';
import { selectWorkerStatistics, type WorkerActivityStatistics } from './worker-statistics.sql.js';

/** Options for {@link QueueMonitor}. */
export interface QueueMonitorOptions {
  /** Thresholds for {@link QueueMonitor.queueHealth}; see `DEFAULT_QUEUE_HEALTH_THRESHOLDS`. */
  health?: QueueHealthThresholds;
}

/** Execution-time statistics: {@link DurationStats} plus the nearest-rank P95. */
export interface ExecutionStats extends DurationStats {
  p95Ms: number | null;
}

/** Default window of {@link QueueMonitor.throughput}: one hour. */
export const DEFAULT_THROUGHPUT_WINDOW_MS = 3_600_000;

/**
 * Read-only queue analytics computed in SQL (aggregates and window functions; rows never travel to Node).
 * Build it from a broker, or from `{ database, queue }` to read a replica. All durations are milliseconds
 * measured on the database clock; percentiles use the nearest-rank definition (`nearestRankPercentile`).
 *
 * @example
 * ```ts
 * const monitor = new QueueMonitor(broker);
 * const health = await monitor.queueHealth();
 * if (health.status !== 'healthy') console.warn(health.reasons.join('; '));
 * const { p95Ms } = await monitor.latencyPercentiles();
 * ```
 */
export class QueueMonitor {
  readonly #source: ResolvedSource;
  readonly #health: ResolvedQueueHealthThresholds;

  /** @param source a `MysqlBroker`, or `{ database, queue }` (e.g. a Kysely over a read replica). */
  constructor(source: MonitorSource, options: QueueMonitorOptions = {}) {
    this.#source = resolveSource(source);
    const opts = assertOptionalObject(options, 'options') ?? {};
    this.#health = resolveQueueHealthThresholds(opts.health, 'options.health');
  }

  /** The queue this monitor reports on. */
  get queue(): string {
    return this.#source.queue;
  }

  /** Pending tasks by age since creation: < 1 min, 1–5, 5–15, 15–60, > 60 min (the seed's buckets). */
  async taskAgeDistribution(): Promise<TaskAgeBucket[]> {
    return this.#run('taskAgeDistribution', (db, queue) => selectTaskAgeDistribution(db, queue));
  }

  /** Per task name: totals, retried tasks, average/maximum retries and failure rate. */
  async retryStatistics(): Promise<RetryStatistics[]> {
    return this.#run('retryStatistics', (db, queue) => selectRetryStatistics(db, queue));
  }

  /**
   * healthy / degraded / critical, with one reason per crossed threshold: pending backlog, wait of the oldest
   * due task, failure rate over the recent window and DLQ size. Pass `thresholds` to override the monitor's.
   *
   * @example
   * ```ts
   * const h = await monitor.queueHealth({ pendingCritical: 50_000 });
   * // { status: 'degraded', reasons: ['140 pending tasks (warning ≥ 100)'], pending: 140, ... }
   * ```
   */
  async queueHealth(thresholds?: QueueHealthThresholds): Promise<QueueHealth> {
    const resolved =
      thresholds === undefined
        ? this.#health
        : resolveQueueHealthThresholds({ ...this.#health, ...thresholds }, 'thresholds');
    return this.#run('queueHealth', async (db, queue) =>
      judgeQueueHealth(await selectQueueSnapshot(db, queue, resolved.failureRateWindowMs), resolved),
    );
  }

  /** Completed and failed tasks per second/minute/hour over the last `windowMs` (default one hour). */
  async throughput(options: { windowMs?: number } = {}): Promise<TaskThroughput> {
    const opts = assertOptionalObject(options, 'options') ?? {};
    const windowMs = assertDurationMs(opts.windowMs ?? DEFAULT_THROUGHPUT_WINDOW_MS, 'options.windowMs', 1);
    return this.#run('throughput', (db, queue) => selectThroughput(db, queue, windowMs));
  }

  /** Queue wait (`created_at → started_at`) of every started task: min/max/avg/population stddev. */
  async latencyStats(): Promise<DurationStats> {
    return this.#run('latencyStats', (db, queue) => selectDurationStats(db, queue, QUEUE_WAIT));
  }

  /** Nearest-rank P50/P95/P99 of the queue wait of every started task. */
  async latencyPercentiles(): Promise<DurationPercentiles> {
    return this.#run('latencyPercentiles', async (db, queue) => {
      const { count, values } = await selectDurationPercentiles(db, queue, QUEUE_WAIT, [50, 95, 99]);
      return {
        count,
        p50Ms: values.get(50) ?? null,
        p95Ms: values.get(95) ?? null,
        p99Ms: values.get(99) ?? null,
      };
    });
  }

  /** Execution time (`started_at → completed_at`) of completed tasks: min/max/avg/stddev and P95. */
  async executionStats(): Promise<ExecutionStats> {
    return this.#run('executionStats', async (db, queue) => {
      const stats = await selectDurationStats(db, queue, EXECUTION_TIME);
      const { values } = await selectDurationPercentiles(db, queue, EXECUTION_TIME, [95]);
      return { ...stats, p95Ms: values.get(95) ?? null };
    });
  }

  /**
   * Pending backlog against `capacity` (maximum recommended pending tasks): utilization %, `warning` from
   * 80 %, `critical` from 95 %.
   */
  async saturation(capacity: number): Promise<QueueSaturation> {
    const cap = assertInteger(capacity, 'capacity', 1, Number.MAX_SAFE_INTEGER);
    return this.#run('saturation', async (db, queue) =>
      classifySaturation(await selectStateCounts(db, queue), cap),
    );
  }

  /** Per priority (highest first): counts by state and average queue wait. */
  async priorityStats(): Promise<PriorityStats[]> {
    return this.#run('priorityStats', (db, queue) => selectPriorityStats(db, queue));
  }

  /** DLQ total, per task name, average/maximum retries, oldest/newest failure. */
  async dlqStatistics(): Promise<DlqStatistics> {
    return this.#run('dlqStatistics', (db, queue) => selectDlqStatistics(db, queue));
  }

  /** Per worker: tasks processing, completed, failed and average runtime; `{ workerId }` for one worker. */
  async workerStatistics(options: { workerId?: string } = {}): Promise<WorkerActivityStatistics[]> {
    const opts = assertOptionalObject(options, 'options') ?? {};
    const workerId = opts.workerId === undefined ? undefined : assertName(opts.workerId, 'options.workerId');
    return this.#run('workerStatistics', (db, queue) => selectWorkerStatistics(db, queue, workerId));
  }

  /**
   * A task's state changes: from `celers_task_history` when recorded (broker option `recordHistory`), else
   * inferred from its timestamps (created → started → completed/failed/cancelled).
   */
  async stateTransitions(taskId: string): Promise<TaskStateTransition[]> {
    const id = assertTaskId(taskId);
    return this.#run('stateTransitions', (db, queue) => selectStateTransitions(db, queue, id));
  }

  #run<T>(operation: string, fn: (db: ResolvedSource['db'], queue: string) => Promise<T>): Promise<T> {
    return runQuery(`monitor.${operation}`, () => fn(this.#source.db, this.#source.queue));
  }
}
