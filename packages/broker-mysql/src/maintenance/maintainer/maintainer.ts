import { CelersError, coerceError, TypedEmitter } from '@celers/core';
import { toCelersError } from '@celers/schema';
import { runBuiltInJob } from './built-in-jobs.js';
import { HeldLease, holderOf, maintainerLockName } from './job-lease.js';
import { RELEASED_OWNER, readLease } from './job-lease.sql.js';
import type { MaintainerEventMap } from './maintainer-events.js';
import {
  BUILT_IN_JOB_NAMES,
  MAINTAINER_JITTER_RATIO,
  type MaintainerOptions,
  type ResolvedMaintainerOptions,
  resolveMaintainerOptions,
  TABLE_WIDE_JOB_NAMES,
} from './maintainer-options.js';
import type { JobCounts, JobRunResult, JobSkipReason } from './maintenance-job.js';
import type { MaintenanceTarget } from './maintenance-target.js';

/** After a successful run a job is not due again on any host for this fraction of its interval. */
const COOLDOWN_RATIO = 1 - 2 * MAINTAINER_JITTER_RATIO;
/** The first tick of each job comes within this long after `start()`, spread at random across hosts. */
const START_SPREAD_MS = 5_000;

interface JobDefinition {
  readonly intervalMs: number;
  readonly run: (signal: AbortSignal) => Promise<JobCounts>;
}

/** A job's lease as stored in `celers_locks`, for status pages. */
export interface MaintainerJobStatus {
  readonly job: string;
  /** The `celers_locks.lock_name` of the job. */
  readonly lockName: string;
  /** The owner id of the host running it now, or null. */
  readonly holder: string | null;
  /** When the current or last run started (database clock), or null when it never ran. */
  readonly lastStartedAt: Date | null;
  /** While running: when the lease expires; otherwise when the job is next due on any host. */
  readonly expiresAt: Date | null;
}

/**
 * Runs the maintenance schedule of one queue (recovery of timed-out tasks, retention of finished tasks,
 * results, DLQ entries and idempotency keys, stale-worker marking, optional priority aging) on intervals,
 * **once across all hosts**: each job takes a lease row in `celers_locks` before it runs, renews it while it
 * runs and releases it when done; a crashed holder's lease expires and another host takes over. After a run
 * the job is not due again anywhere until about one interval has passed.
 *
 * Start one per queue on as many hosts as you like (the Worker starts one unless told not to). The timers
 * keep the process alive until {@link Maintainer.stop}.
 *
 * @example
 * ```ts
 * const broker = await MysqlBroker.connect({ url: process.env.CELERS_DATABASE_URL!, queue: 'emails' });
 * const maintainer = new Maintainer(broker, {
 *   archiveCompleted: { retentionMs: 3 * 24 * 3600_000 },   // keep finished tasks 3 days
 *   priorityAging: { ageThresholdMs: 600_000 },               // off unless configured
 *   logger: console,
 * });
 * maintainer.on('job:completed', (e) => console.log(e.job, e.counts, `${Math.round(e.durationMs)} ms`));
 * maintainer.start();
 * // ... on shutdown:
 * await maintainer.stop();
 * ```
 */
export class Maintainer extends TypedEmitter<MaintainerEventMap> {
  readonly #broker: MaintenanceTarget;
  readonly #options: ResolvedMaintainerOptions;
  readonly #jobs = new Map<string, JobDefinition>();
  readonly #running = new Map<string, Promise<JobRunResult>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #started = false;
  /** Bumped by every start(), so a tick of an earlier start/stop cycle never reschedules itself. */
  #generation = 0;
  #stopping: Promise<void> | undefined;

  /** Validates the options (`INVALID_ARGUMENT` naming the option); nothing runs until {@link start}. */
  constructor(broker: MaintenanceTarget, options: MaintainerOptions = {}) {
    super();
    if (
      typeof broker !== 'object' ||
      broker === null ||
      typeof broker.queueName !== 'string' ||
      !broker.database
    ) {
      throw CelersError.invalidArgument('broker', 'expected a MysqlBroker');
    }
    this.#broker = broker;
    this.#options = resolveMaintainerOptions(options);
    for (const name of BUILT_IN_JOB_NAMES) {
      const settings = this.#options.jobs[name];
      if (settings)
        this.#jobs.set(name, {
          intervalMs: settings.intervalMs,
          run: () => runBuiltInJob(name, broker, settings),
        });
    }
    for (const job of this.#options.customJobs) {
      this.#jobs.set(job.name, {
        intervalMs: job.intervalMs,
        run: async (signal) =>
          normalizeCounts(job.name, await job.run({ broker, signal, owner: this.#options.owner })),
      });
    }
  }

  /** The resolved options (defaults applied). */
  get options(): ResolvedMaintainerOptions {
    return this.#options;
  }

  /** This host's owner id, as written to `celers_locks.owner`. */
  get owner(): string {
    return this.#options.owner;
  }

  /** The enabled jobs, built-in first, in run order. */
  get jobNames(): string[] {
    return [...this.#jobs.keys()];
  }

  /** Whether the timers are running. */
  get isStarted(): boolean {
    return this.#started;
  }

  /** Starts every enabled job's timer (first ticks spread over a few seconds). Safe to call twice. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#generation++;
    this.#stopping = undefined;
    for (const [name, job] of this.#jobs) {
      this.#schedule(name, this.#options.random() * Math.min(job.intervalMs, START_SPREAD_MS));
    }
  }

  /** Stops the timers and waits for running jobs to finish and release their leases. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#started = false;
      for (const timer of this.#timers.values()) clearTimeout(timer);
      this.#timers.clear();
      await Promise.allSettled([...this.#running.values()]);
    })();
    return this.#stopping;
  }

  /**
   * Runs one enabled job now (or, without an argument, every enabled job in turn) if no other host is running
   * it, ignoring the "not due yet" cooldown. Never throws for a failing job: the result says what happened.
   */
  runOnce(job: string): Promise<JobRunResult>;
  runOnce(): Promise<JobRunResult[]>;
  async runOnce(job?: string): Promise<JobRunResult | JobRunResult[]> {
    if (job === undefined) {
      const results: JobRunResult[] = [];
      for (const name of this.#jobs.keys()) results.push(await this.#attempt(name, true));
      return results;
    }
    if (typeof job !== 'string' || !this.#jobs.has(job)) {
      throw CelersError.invalidArgument(
        'job',
        `expected one of the enabled jobs (${this.jobNames.join(', ')}), got ${String(job)}`,
      );
    }
    return this.#attempt(job, true);
  }

  /** Reads every enabled job's lease: who runs it now, when it last started, when it is next due. */
  async jobStatus(): Promise<MaintainerJobStatus[]> {
    const out: MaintainerJobStatus[] = [];
    try {
      for (const job of this.#jobs.keys()) {
        const lockName = this.#lockName(job);
        const lease = await readLease(this.#broker.database, lockName);
        out.push({
          job,
          lockName,
          holder: lease?.live && lease.owner !== RELEASED_OWNER ? holderOf(lease.owner) : null,
          lastStartedAt: lease?.acquiredAt ?? null,
          expiresAt: lease?.expiresAt ?? null,
        });
      }
    } catch (error) {
      throw toCelersError(error, 'maintainer.jobStatus');
    }
    return out;
  }

  #lockName(job: string): string {
    const tableWide = (TABLE_WIDE_JOB_NAMES as readonly string[]).includes(job);
    return maintainerLockName(tableWide ? '*' : this.#broker.queueName, job);
  }

  #schedule(name: string, delayMs: number): void {
    const generation = this.#generation;
    const timer = setTimeout(async () => {
      this.#timers.delete(name);
      await this.#attempt(name, false);
      if (!this.#started || generation !== this.#generation) return;
      const interval = (this.#jobs.get(name) as JobDefinition).intervalMs;
      this.#schedule(name, interval * (1 + (this.#options.random() * 2 - 1) * MAINTAINER_JITTER_RATIO));
    }, delayMs);
    this.#timers.set(name, timer);
  }

  #attempt(name: string, force: boolean): Promise<JobRunResult> {
    const inFlight = this.#running.get(name);
    if (inFlight) {
      this.#skipped(name, 'running', this.owner);
      return Promise.resolve({ job: name, status: 'skipped', reason: 'running', holder: this.owner });
    }
    const run = this.#run(name, force).finally(() => this.#running.delete(name));
    this.#running.set(name, run);
    return run;
  }

  async #run(name: string, force: boolean): Promise<JobRunResult> {
    const job = this.#jobs.get(name) as JobDefinition;
    const base = { job: name, queue: this.#broker.queueName, owner: this.owner };
    const log = this.#options.logger;
    const started = performance.now();
    let lease: HeldLease | undefined;
    try {
      const lockName = this.#lockName(name);
      const got = await HeldLease.acquire(
        this.#broker.database,
        lockName,
        this.owner,
        this.#options.leaseMs,
        force,
        (error) =>
          log?.warn(`maintenance ${name}: lease renewal failed`, {
            ...base,
            error: coerceError(error).message,
          }),
      );
      if (!(got instanceof HeldLease)) {
        this.#skipped(name, got.reason, got.holder);
        return { job: name, status: 'skipped', reason: got.reason, holder: got.holder };
      }
      lease = got;
      const startedAt = new Date();
      this.#emit('job:started', { ...base, startedAt });
      const counts = await job.run(lease.signal);
      await this.#release(lease, Math.floor(job.intervalMs * COOLDOWN_RATIO), name);
      const durationMs = performance.now() - started;
      const leaseLost = lease.lost;
      if (leaseLost) log?.warn(`maintenance ${name}: lease was taken over while running`, { ...base });
      log?.info(`maintenance ${name} completed`, { ...base, counts, durationMs: Math.round(durationMs) });
      this.#emit('job:completed', {
        ...base,
        counts,
        durationMs,
        startedAt,
        finishedAt: new Date(),
        leaseLost,
      });
      return { job: name, status: 'completed', counts, durationMs, leaseLost };
    } catch (thrown) {
      const error = toCelersError(thrown, `maintainer.${name}`);
      if (lease) await this.#release(lease, null, name);
      const durationMs = performance.now() - started;
      log?.error(`maintenance ${name} failed: ${error.message}`, { ...base, code: error.code });
      this.#emit('job:failed', { ...base, error, durationMs });
      return { job: name, status: 'failed', error, durationMs };
    }
  }

  async #release(lease: HeldLease, cooldownMs: number | null, name: string): Promise<void> {
    try {
      await lease.release(cooldownMs);
    } catch (error) {
      // the lease expires on its own; the next host just waits a little longer
      this.#options.logger?.warn(`maintenance ${name}: lease release failed`, {
        error: coerceError(error).message,
      });
    }
  }

  #skipped(name: string, reason: JobSkipReason, holder: string | null): void {
    this.#options.logger?.debug?.(`maintenance ${name} skipped (${reason})`, { job: name, holder });
    this.#emit('job:skipped', {
      job: name,
      queue: this.#broker.queueName,
      owner: this.owner,
      reason,
      holder,
    });
  }

  #emit<K extends keyof MaintainerEventMap>(event: K, payload: MaintainerEventMap[K]): void {
    try {
      this.emit(event, payload);
    } catch (error) {
      // a throwing listener must not stop maintenance
      this.#options.logger?.error(`maintainer listener for ${event} threw`, {
        error: coerceError(error).message,
      });
    }
  }
}

function normalizeCounts(job: string, value: JobCounts | number | undefined): JobCounts {
  if (value === undefined) return {};
  if (typeof value === 'number') return { count: value };
  for (const [key, n] of Object.entries(value)) {
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw new CelersError('INTERNAL', `job ${job} returned a non-numeric count "${key}"`);
    }
  }
  return { ...value };
}
