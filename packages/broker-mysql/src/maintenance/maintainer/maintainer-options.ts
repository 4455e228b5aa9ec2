import { hostname } from 'node:os';
import { assertDurationMs, assertInteger, assertName, assertOptionalObject, CelersError } from '@celers/core';
import type { RandomSource } from '@celers/resilience';
import { MIN_DLQ_RETENTION_MS } from '../../dlq/dlq-policies.js';
import type { MaintainerLogger } from './maintainer-logger.js';
import type { CustomMaintenanceJob } from './maintenance-job.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Default interval of timed-out task recovery: 30 s. */
export const DEFAULT_RECOVERY_INTERVAL_MS = 30_000;
/** Default interval of the retention jobs (tasks, results, DLQ, idempotency keys): hourly. */
export const DEFAULT_RETENTION_INTERVAL_MS = HOUR;
/** Finished tasks (completed, failed, cancelled) are kept this long: 7 days, as the seed's schedule. */
export const DEFAULT_TASK_RETENTION_MS = 7 * DAY;
/** Results are kept this long: 30 days, as the seed's schedule. */
export const DEFAULT_RESULT_RETENTION_MS = 30 * DAY;
/** DLQ entries are kept this long: 30 days. */
export const DEFAULT_DLQ_RETENTION_MS = 30 * DAY;
/** Default interval of stale-worker marking: 1 minute. */
export const DEFAULT_STALE_WORKER_INTERVAL_MS = MINUTE;
/** Default interval of priority aging, when enabled: 5 minutes. */
export const DEFAULT_PRIORITY_AGING_INTERVAL_MS = 5 * MINUTE;
/** Default age after which pending tasks get a priority boost, when aging is enabled: 10 minutes. */
export const DEFAULT_PRIORITY_AGING_THRESHOLD_MS = 10 * MINUTE;
/** Default priority boost of priority aging. */
export const DEFAULT_PRIORITY_AGING_BOOST = 1;
/** Default interval of ANALYZE TABLE (and of OPTIMIZE TABLE when enabled): weekly, as the seed's schedule. */
export const DEFAULT_TABLE_MAINTENANCE_INTERVAL_MS = 7 * DAY;
/** Default lease length of a running job: 60 s, renewed every third of it while the job runs. */
export const DEFAULT_MAINTAINER_LEASE_MS = MINUTE;
/** The shortest job interval accepted (guards against a tight loop hammering the database). */
export const MIN_JOB_INTERVAL_MS = 100;
/** Fraction of the interval by which each host's timer is jittered, so hosts do not tick in lockstep. */
export const MAINTAINER_JITTER_RATIO = 0.05;

/** Interval of one job. */
export interface JobScheduleOptions {
  /** How often the job runs across all hosts, in ms (at least {@link MIN_JOB_INTERVAL_MS}). */
  intervalMs?: number;
}

/** A job that deletes rows older than a retention period. */
export interface RetentionJobOptions extends JobScheduleOptions {
  /** Rows older than this (in ms) are removed. */
  retentionMs?: number;
}

/** Stale-worker marking. */
export interface StaleWorkersJobOptions extends JobScheduleOptions {
  /** A worker whose last heartbeat is older than this is marked offline. @defaultValue the broker's `workerStaleAfterMs` (60 s) */
  staleAfterMs?: number;
}

/** Priority aging (off unless given). */
export interface PriorityAgingJobOptions extends JobScheduleOptions {
  /** Pending tasks older than this get `priorityBoost`. @defaultValue {@link DEFAULT_PRIORITY_AGING_THRESHOLD_MS} */
  ageThresholdMs?: number;
  /** Added to the priority of each old pending task per run (1–1000). @defaultValue {@link DEFAULT_PRIORITY_AGING_BOOST} */
  priorityBoost?: number;
}

/**
 * Options of {@link Maintainer}. Every job is on by default with safe retention periods except priority aging;
 * pass `false` to turn a job off.
 */
export interface MaintainerOptions {
  /** Identifies this host in `celers_locks.owner` and in events. @defaultValue `<hostname>:<pid>` */
  owner?: string;
  /** Lease length of a running job, renewed every third of it. A crashed holder's job is taken over after this. @defaultValue {@link DEFAULT_MAINTAINER_LEASE_MS} */
  leaseMs?: number;
  /** Receives one line per action (job ran, skipped, failed, lease lost). @defaultValue no logging */
  logger?: MaintainerLogger;
  /** Return tasks with expired leases or dead workers to pending. @defaultValue every {@link DEFAULT_RECOVERY_INTERVAL_MS} */
  recoverTimedOut?: JobScheduleOptions | false;
  /** Remove finished tasks after a retention period. @defaultValue retention {@link DEFAULT_TASK_RETENTION_MS}, hourly */
  archiveCompleted?: RetentionJobOptions | false;
  /** Remove results after a retention period. @defaultValue retention {@link DEFAULT_RESULT_RETENTION_MS}, hourly */
  archiveResults?: RetentionJobOptions | false;
  /** Remove DLQ entries after a retention period (never under {@link MIN_DLQ_RETENTION_MS}). @defaultValue retention {@link DEFAULT_DLQ_RETENTION_MS}, hourly */
  dlqRetention?: RetentionJobOptions | false;
  /** Remove expired idempotency keys. @defaultValue hourly */
  idempotencyCleanup?: JobScheduleOptions | false;
  /** Mark workers whose heartbeat went stale as offline. @defaultValue every {@link DEFAULT_STALE_WORKER_INTERVAL_MS} */
  staleWorkers?: StaleWorkersJobOptions | false;
  /** Boost the priority of old pending tasks so low priorities never starve. @defaultValue false (off) */
  priorityAging?: PriorityAgingJobOptions | false;
  /** `ANALYZE TABLE` on every celers table (fresh optimizer statistics; table-wide, once for all queues). @defaultValue weekly */
  analyzeTables?: JobScheduleOptions | false;
  /** `OPTIMIZE TABLE` on every celers table (rebuilds them to reclaim space; table-wide). @defaultValue false (off: it rewrites whole tables) */
  optimizeTables?: JobScheduleOptions | false;
  /** Your own jobs, run once across hosts with the same leases and events. @defaultValue [] */
  customJobs?: readonly CustomMaintenanceJob[];
  /** Random source for timer jitter (seed it in tests). @defaultValue Math.random */
  random?: RandomSource;
}

/** A built-in job after defaults: its interval and parameters. */
export interface ResolvedJobSettings {
  readonly intervalMs: number;
  /** Retention jobs only. */
  readonly retentionMs?: number;
  /** Stale-worker marking only; absent means the broker's `workerStaleAfterMs`. */
  readonly staleAfterMs?: number;
  /** Priority aging only. */
  readonly ageThresholdMs?: number;
  /** Priority aging only. */
  readonly priorityBoost?: number;
}

/** The names of the built-in jobs, in the order `runOnce()` runs them. */
export const BUILT_IN_JOB_NAMES = [
  'recoverTimedOut',
  'staleWorkers',
  'archiveCompleted',
  'archiveResults',
  'dlqRetention',
  'idempotencyCleanup',
  'priorityAging',
  'analyzeTables',
  'optimizeTables',
] as const;

/** Built-in jobs that act on whole tables (every queue): their lease is shared by all queues' maintainers. */
export const TABLE_WIDE_JOB_NAMES: readonly BuiltInJobName[] = ['analyzeTables', 'optimizeTables'];

/** One of {@link BUILT_IN_JOB_NAMES}. */
export type BuiltInJobName = (typeof BUILT_IN_JOB_NAMES)[number];

/** {@link MaintainerOptions} after validation and defaults; disabled built-in jobs are absent from `jobs`. */
export interface ResolvedMaintainerOptions {
  readonly owner: string;
  readonly leaseMs: number;
  readonly logger: MaintainerLogger | undefined;
  readonly jobs: Readonly<Partial<Record<BuiltInJobName, ResolvedJobSettings>>>;
  readonly customJobs: readonly CustomMaintenanceJob[];
  readonly random: RandomSource;
}

/** Validates {@link MaintainerOptions} and applies the defaults; throws `INVALID_ARGUMENT` naming the option. */
export function resolveMaintainerOptions(options: MaintainerOptions = {}): ResolvedMaintainerOptions {
  assertOptionalObject(options, 'options');
  const owner =
    options.owner === undefined ? `${hostname()}:${process.pid}` : assertName(options.owner, 'options.owner');
  if (owner.length > 200) throw CelersError.invalidArgument('options.owner', 'at most 200 characters');
  const leaseMs =
    options.leaseMs === undefined
      ? DEFAULT_MAINTAINER_LEASE_MS
      : assertDurationMs(options.leaseMs, 'options.leaseMs', 1_000);
  if (options.logger !== undefined) assertLogger(options.logger);
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw CelersError.invalidArgument('options.random', 'expected a function returning [0, 1)');
  }
  const jobs: Partial<Record<BuiltInJobName, ResolvedJobSettings>> = {};
  const set = (name: BuiltInJobName, settings: ResolvedJobSettings | undefined) => {
    if (settings) jobs[name] = Object.freeze(settings);
  };
  set('recoverTimedOut', schedule(options.recoverTimedOut, 'recoverTimedOut', DEFAULT_RECOVERY_INTERVAL_MS));
  set('staleWorkers', staleWorkers(options.staleWorkers));
  set(
    'archiveCompleted',
    retention(options.archiveCompleted, 'archiveCompleted', DEFAULT_TASK_RETENTION_MS, 1),
  );
  set('archiveResults', retention(options.archiveResults, 'archiveResults', DEFAULT_RESULT_RETENTION_MS, 1));
  set(
    'dlqRetention',
    retention(options.dlqRetention, 'dlqRetention', DEFAULT_DLQ_RETENTION_MS, MIN_DLQ_RETENTION_MS),
  );
  set(
    'idempotencyCleanup',
    schedule(options.idempotencyCleanup, 'idempotencyCleanup', DEFAULT_RETENTION_INTERVAL_MS),
  );
  set('priorityAging', aging(options.priorityAging));
  set(
    'analyzeTables',
    schedule(options.analyzeTables, 'analyzeTables', DEFAULT_TABLE_MAINTENANCE_INTERVAL_MS),
  );
  // off unless asked for: OPTIMIZE rewrites whole tables
  if (options.optimizeTables !== undefined && options.optimizeTables !== false) {
    set(
      'optimizeTables',
      schedule(options.optimizeTables, 'optimizeTables', DEFAULT_TABLE_MAINTENANCE_INTERVAL_MS),
    );
  }
  return Object.freeze({
    owner,
    leaseMs,
    logger: options.logger,
    jobs: Object.freeze(jobs),
    customJobs: Object.freeze(resolveCustomJobs(options.customJobs)),
    random: options.random ?? Math.random,
  });
}

/**
 * A broker's Maintainer options: when `recoverTimedOut` is not given, recovery runs every half of the broker's
 * `leaseMs`, at most {@link DEFAULT_RECOVERY_INTERVAL_MS} and at least {@link MIN_JOB_INTERVAL_MS}.
 */
export function maintainerOptionsForLease(options: MaintainerOptions, leaseMs: number): MaintainerOptions {
  if (options?.recoverTimedOut !== undefined) return options;
  const intervalMs = Math.min(
    DEFAULT_RECOVERY_INTERVAL_MS,
    Math.max(MIN_JOB_INTERVAL_MS, Math.round(leaseMs / 2)),
  );
  return { ...options, recoverTimedOut: { intervalMs } };
}

function schedule(value: JobScheduleOptions | false | undefined, name: string, defaultIntervalMs: number) {
  if (value === false) return undefined;
  const opts = assertOptionalObject(value, `options.${name}`) ?? {};
  return { intervalMs: interval(opts.intervalMs, `options.${name}.intervalMs`, defaultIntervalMs) };
}

function retention(
  value: RetentionJobOptions | false | undefined,
  name: string,
  defaultRetentionMs: number,
  minMs: number,
) {
  const base = schedule(value, name, DEFAULT_RETENTION_INTERVAL_MS);
  if (!base || value === false) return undefined;
  const given = value?.retentionMs;
  const retentionMs =
    given === undefined ? defaultRetentionMs : assertDurationMs(given, `options.${name}.retentionMs`, minMs);
  return { ...base, retentionMs };
}

function staleWorkers(value: StaleWorkersJobOptions | false | undefined) {
  const base = schedule(value, 'staleWorkers', DEFAULT_STALE_WORKER_INTERVAL_MS);
  if (!base || value === undefined || value === false || value.staleAfterMs === undefined) return base;
  return {
    ...base,
    staleAfterMs: assertDurationMs(value.staleAfterMs, 'options.staleWorkers.staleAfterMs', 1),
  };
}

function aging(value: PriorityAgingJobOptions | false | undefined) {
  if (value === undefined || value === false) return undefined; // off by default: it changes claim order
  const base = schedule(value, 'priorityAging', DEFAULT_PRIORITY_AGING_INTERVAL_MS);
  if (!base) return undefined;
  return {
    ...base,
    ageThresholdMs:
      value.ageThresholdMs === undefined
        ? DEFAULT_PRIORITY_AGING_THRESHOLD_MS
        : assertDurationMs(value.ageThresholdMs, 'options.priorityAging.ageThresholdMs', 1),
    priorityBoost:
      value.priorityBoost === undefined
        ? DEFAULT_PRIORITY_AGING_BOOST
        : assertInteger(value.priorityBoost, 'options.priorityAging.priorityBoost', 1, 1000),
  };
}

function interval(value: unknown, argument: string, fallback: number): number {
  return value === undefined ? fallback : assertDurationMs(value, argument, MIN_JOB_INTERVAL_MS);
}

function assertLogger(logger: unknown): void {
  if (typeof logger !== 'object' || logger === null) {
    throw CelersError.invalidArgument('options.logger', 'expected an object with info/warn/error methods');
  }
  for (const level of ['info', 'warn', 'error'] as const) {
    if (typeof (logger as Record<string, unknown>)[level] !== 'function') {
      throw CelersError.invalidArgument('options.logger', `missing method "${level}"`);
    }
  }
}

function resolveCustomJobs(jobs: readonly CustomMaintenanceJob[] | undefined): CustomMaintenanceJob[] {
  if (jobs === undefined) return [];
  if (!Array.isArray(jobs)) throw CelersError.invalidArgument('options.customJobs', 'expected an array');
  const seen = new Set<string>(BUILT_IN_JOB_NAMES);
  return jobs.map((job, i) => {
    const arg = `options.customJobs[${i}]`;
    assertOptionalObject(job, arg);
    const name = assertName(job?.name, `${arg}.name`);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(name)) {
      throw CelersError.invalidArgument(
        `${arg}.name`,
        'use 1–64 of letters, digits and _ . : - (starting with a letter or digit)',
      );
    }
    if (seen.has(name)) throw CelersError.invalidArgument(`${arg}.name`, `duplicate job name "${name}"`);
    seen.add(name);
    if (typeof job.run !== 'function') throw CelersError.invalidArgument(`${arg}.run`, 'expected a function');
    return Object.freeze({
      name,
      intervalMs: assertDurationMs(job.intervalMs, `${arg}.intervalMs`, MIN_JOB_INTERVAL_MS),
      run: job.run,
    });
  });
}
