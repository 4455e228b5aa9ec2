import {
  type AckBatchResult,
  type AckItem,
  assertDurationMs,
  assertOptionalObject,
  assertTime,
  type Broker,
  type BrokerEventMap,
  type BrokerMessage,
  CelersError,
  coerceError,
  type DequeueOptions,
  type RejectItem,
  type RejectOptions,
  type RejectOutcome,
  type SerializedTask,
  type TaskId,
  TypedEmitter,
  type WorkerRegistration,
  type WorkerStatus,
} from '@celers/core';
import { type CircuitBreaker, HookRegistry } from '@celers/resilience';
import {
  assertMigrated,
  type CelersDatabase,
  createDatabase,
  detectServerProfile,
  migrate,
  pendingStateForDelay,
  pendingStateForTime,
  type ServerProfile,
  toCelersError,
  type ValueLimits,
  valueLimitsFor,
} from '@celers/schema';
import type { Kysely, Transaction } from 'kysely';
import type { BrokerContext } from './broker-context.js';
import {
  type MysqlBrokerOptions,
  type ResolvedBrokerOptions,
  resolveBrokerOptions,
} from './broker-options.js';
import { CapacityFacet } from './capacity/capacity-facet.js';
import { DlqFacet } from './dlq/dlq-facet.js';
import { chainCompletionHook } from './groups/chain-links.sql.js';
import { GroupsFacet } from './groups/groups-facet.js';
import { HealthFacet } from './health/health-facet.js';
import { IdempotencyFacet } from './idempotency/idempotency-facet.js';
import { transactionWithAfterCommit } from './internal/after-commit.js';
import { assertWritableServer } from './internal/assert-writable-server.js';
import { createBrokerBreaker } from './internal/broker-breaker.js';
import { dbNowPlusMs } from './internal/db-time.js';
import { type DRAIN_FLAG_CACHE_MS, drainFlagCacheFor } from './internal/drain-flag-cache.js';
import { runOperation } from './internal/run-operation.js';
import { Maintainer } from './maintenance/maintainer/maintainer.js';
import {
  DEFAULT_RECOVERY_INTERVAL_MS,
  type MaintainerOptions,
  MIN_JOB_INTERVAL_MS,
} from './maintenance/maintainer/maintainer-options.js';
import { MaintenanceFacet } from './maintenance/maintenance-facet.js';
import { dequeueTasks } from './queue/claim-operations.js';
import { CompletedArchiver } from './queue/completed-archiver.js';
import {
  cancelTask,
  cancelTasks,
  countPending,
  extendLease,
  recoverTimedOut,
  releaseTask,
  updateProgress,
} from './queue/control-operations.js';
import { type EnqueueOptions, enqueueMany, enqueueOne } from './queue/enqueue-operations.js';
import { HookFreeClaims } from './queue/hook-free-claims.js';
import {
  disableDrain,
  enableDrain,
  readDrain,
  readPaused,
  setPaused,
} from './queue/queue-flags-operations.js';
import { ScheduledPromoter } from './queue/scheduled-promoter.js';
import { ackTask, ackTasks, rejectTask, rejectTasks } from './queue/settle-operations.js';
import { ResultsFacet } from './results/results-facet.js';
import { SettleNotifier } from './results/results-wait.js';
import { RetriesFacet } from './retries/retries-facet.js';
import { SchedulesFacet } from './schedules/schedules-facet.js';
import { TasksFacet } from './tasks/tasks-facet.js';
import { TracingFacet } from './tracing/tracing-facet.js';
import { TransferFacet } from './transfer/transfer-facet.js';
import { WorkersFacet } from './workers/workers-facet.js';
/**
 * The MySQL/MariaDB broker. Flat queue operations implement core's {@link Broker}; everything else lives in
 * facets (`broker.tasks`, `broker.dlq`, `broker.results`, ...), one concern per file.
 *
 * @example
 * ```ts
 * const broker = await MysqlBroker.connect({ url: process.env.CELERS_DATABASE_URL!, queue: 'emails', migrate: true });
 * await broker.enqueue(createTask('emails.send', { to: 'ana@example.com' }));
 * const msg = await broker.dequeue();
 * if (msg) await broker.ack(msg.task.metadata.id, msg.receiptHandle);
 * await broker.close();
 * ```
 */
export class MysqlBroker extends TypedEmitter<BrokerEventMap> implements Broker {
  readonly #ctx: BrokerContext;
  /** Wakes `results.wait` callers when this broker settles their task. */
  readonly #settled = new SettleNotifier();
  readonly #ownsDatabase: boolean;
  #closing: Promise<void> | undefined;

  /** Task inspection, updates, metadata and progress. */
  readonly tasks: TasksFacet;
  /** Dead letter queue: list, requeue, purge. */
  readonly dlq: DlqFacet;
  /** Celery-style results: store, get, batch, archive. */
  readonly results: ResultsFacet;
  /** Archiving, purges, recovery, table maintenance. */
  readonly maintenance: MaintenanceFacet;
  /** Worker registration and heartbeats. */
  readonly workers: WorkersFacet;
  /** Recurring (interval and cron) tasks. */
  readonly schedules: SchedulesFacet;
  /** Task groups, chains and cascade cancel. */
  readonly groups: GroupsFacet;
  /** Idempotency keys with a TTL. */
  readonly idempotency: IdempotencyFacet;
  /** JSON import and export. */
  readonly transfer: TransferFacet;
  /** Health and readiness checks. */
  readonly health: HealthFacet;
  /** W3C trace context on stored tasks. */
  readonly tracing: TracingFacet;
  /** Backpressure: bounded enqueues, rate view, adaptive batch size. */
  readonly capacity: CapacityFacet;
  /** Per-task retry schedules at enqueue and reject. */
  readonly retries: RetriesFacet;
  /** Lifecycle hooks (`beforeEnqueue`, `afterAck`, ...). */
  readonly hooks: HookRegistry;
  /** The circuit breaker guarding every database call, or `null` when disabled. */
  readonly circuitBreaker: CircuitBreaker | null;

  private constructor(
    db: Kysely<CelersDatabase>,
    ownsDatabase: boolean,
    profile: ServerProfile,
    options: ResolvedBrokerOptions,
  ) {
    super();
    this.#ownsDatabase = ownsDatabase;
    this.hooks = new HookRegistry();
    const emit = <K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]) =>
      this.#emitSafely(event, payload);
    this.circuitBreaker =
      options.circuitBreaker === false
        ? null
        : createBrokerBreaker(db, options.queue, options.circuitBreaker, emit);
    const breaker = this.circuitBreaker;
    const run: BrokerContext['run'] = (operation, fn, attributes) =>
      runOperation(options.queue, profile.flavour, breaker, emit, operation, fn, attributes);
    this.#ctx = {
      db,
      queue: options.queue,
      profile,
      limits: valueLimitsFor(profile.maxAllowedPacket),
      options,
      hooks: this.hooks,
      breaker,
      // Chains hook into settle here, so queue/ never imports groups/.
      onCompleted: [chainCompletionHook],
      hookFreeClaims: new HookFreeClaims(),
      archiver: new CompletedArchiver({
        run,
        db,
        queue: options.queue,
        onError: (error) =>
          emit('error', {
            queue: options.queue,
            error: error instanceof Error ? error : new Error(String(error)),
          }),
      }),
      drainFlags: drainFlagCacheFor(db),
      claimFoundNothing: false,
      promoter: new ScheduledPromoter(),
      emit,
      run,
    };
    this.tasks = new TasksFacet(this.#ctx);
    this.dlq = new DlqFacet(this.#ctx);
    this.results = new ResultsFacet(this.#ctx, this.#settled);
    this.maintenance = new MaintenanceFacet(this.#ctx);
    this.workers = new WorkersFacet(this.#ctx);
    this.schedules = new SchedulesFacet(this.#ctx);
    this.groups = new GroupsFacet(this.#ctx);
    this.idempotency = new IdempotencyFacet(this.#ctx);
    this.transfer = new TransferFacet(this.#ctx);
    this.health = new HealthFacet(this.#ctx);
    this.tracing = new TracingFacet(this.#ctx);
    this.capacity = new CapacityFacet(this.#ctx);
    this.retries = new RetriesFacet(this.#ctx);
  }

  /**
   * Connects to the database (or adopts `options.database`), checks (or applies, with `migrate: true`) the
   * migrations and detects the server flavour. Fails with `MIGRATION_REQUIRED` on an unmigrated database
   * and `DATABASE_UNAVAILABLE` when the server cannot be reached.
   */
  static async connect(options: MysqlBrokerOptions): Promise<MysqlBroker> {
    const resolved = resolveBrokerOptions(options);
    const ownsDatabase = options.database === undefined;
    const db =
      options.database ??
      createDatabase({ url: options.url as string, ...(options.pool ? { pool: options.pool } : {}) });
    try {
      await assertWritableServer(db);
      if (options.migrate) await migrate(db);
      else await assertMigrated(db);
      const profile = await detectServerProfile(db);
      return new MysqlBroker(db, ownsDatabase, profile, resolved);
    } catch (error) {
      if (ownsDatabase) await db.destroy().catch(() => undefined);
      throw toCelersError(error, 'connect');
    }
  }

  /** The queue this broker serves. */
  get queueName(): string {
    return this.#ctx.queue;
  }

  /** The Kysely instance (for your own queries and transactions, and for `@celers/monitoring`). */
  get database(): Kysely<CelersDatabase> {
    return this.#ctx.db;
  }

  /** The detected server flavour and version. */
  get serverProfile(): ServerProfile {
    return this.#ctx.profile;
  }

  /**
   * The largest values one write may carry on this server, derived from its `max_allowed_packet` at connect:
   * `maxPayloadBytes` (a task's payload plus its metadata JSON), `maxJsonBytes` (a result, a metadata value).
   * Larger values fail with `PAYLOAD_TOO_LARGE` naming the argument, before any I/O.
   */
  get limits(): ValueLimits {
    return this.#ctx.limits;
  }

  /** The resolved broker options. */
  get options(): ResolvedBrokerOptions {
    return this.#ctx.options;
  }

  /** A broker for another queue sharing this broker's pool (multi-tenant queues). */
  async forQueue(
    queue: string,
    options: Omit<MysqlBrokerOptions, 'url' | 'database' | 'queue' | 'pool'> = {},
  ): Promise<MysqlBroker> {
    return MysqlBroker.connect({ ...options, database: this.#ctx.db, queue });
  }

  // ------------------------------------------------------------------ producing

  /** Stores a task as `pending`; with `{ transaction }`, inside your own transaction. */
  async enqueue(task: SerializedTask, options?: EnqueueOptions): Promise<TaskId> {
    return enqueueOne(this.#ctx, 'enqueue', task, {}, options);
  }

  /** Stores a task that becomes due at `when` (a `Date` or epoch ms). */
  async enqueueAt(task: SerializedTask, when: Date | number, options?: EnqueueOptions): Promise<TaskId> {
    const due = assertTime(when, 'when');
    const state = pendingStateForTime(due);
    return enqueueOne(this.#ctx, 'enqueueAt', task, { due, delayed: true, state }, options);
  }

  /** Stores a task that becomes due after `delayMs` (measured by the database clock). */
  async enqueueAfter(task: SerializedTask, delayMs: number, options?: EnqueueOptions): Promise<TaskId> {
    const ms = assertDurationMs(delayMs, 'delayMs');
    const schedule = { due: dbNowPlusMs(ms), delayed: ms > 0, state: pendingStateForDelay(ms) };
    return enqueueOne(this.#ctx, 'enqueueAfter', task, schedule, options);
  }

  /** Stores many tasks in one transaction with multi-row INSERTs; all or none. */
  async enqueueBatch(tasks: readonly SerializedTask[], options?: EnqueueOptions): Promise<TaskId[]> {
    return enqueueMany(this.#ctx, tasks, {}, options);
  }

  // ------------------------------------------------------------------ consuming

  /** Claims the next due task, or `null` (also while paused). */
  async dequeue(options?: DequeueOptions): Promise<BrokerMessage | null> {
    return (await dequeueTasks(this.#ctx, 1, options))[0] ?? null;
  }

  /** Claims the next due task for `workerId` (the seed's `dequeue_with_worker_id`). */
  async dequeueWithWorkerId(
    workerId: string,
    options: Omit<DequeueOptions, 'workerId'> = {},
  ): Promise<BrokerMessage | null> {
    const o = assertOptionalObject(options, 'options');
    // dequeue validates the id (as options.workerId); only its absence would silently mean "no worker".
    if (workerId === undefined) throw CelersError.invalidArgument('workerId', 'expected a worker id');
    return this.dequeue({ ...o, workerId });
  }

  /** Claims up to `count` (1–1000) due tasks in one transaction. */
  async dequeueBatch(count: number, options?: DequeueOptions): Promise<BrokerMessage[]> {
    return dequeueTasks(this.#ctx, count, options);
  }

  /** Completes a claimed task; `STALE_RECEIPT` when the receipt no longer owns it. */
  async ack(taskId: TaskId, receiptHandle: string): Promise<void> {
    return ackTask(this.#ctx, taskId, receiptHandle);
  }

  /** Completes many tasks (storing results where given), fenced by receipt; one outcome per item and the count. */
  async ackBatch(items: readonly AckItem[]): Promise<AckBatchResult> {
    return ackTasks(this.#ctx, items);
  }

  /** Acks tasks and stores their results in one transaction (the seed's `ack_batch_with_results`). */
  async ackBatchWithResults(
    items: ReadonlyArray<AckItem & { result: NonNullable<AckItem['result']> }>,
  ): Promise<AckBatchResult> {
    return ackTasks(this.#ctx, items, { requireResult: true });
  }

  /** Fails a claimed task: retry with its policy, or dead-letter when retries are exhausted. */
  async reject(taskId: TaskId, receiptHandle: string, options?: RejectOptions): Promise<RejectOutcome> {
    return rejectTask(this.#ctx, taskId, receiptHandle, options);
  }

  /** Rejects many tasks in one transaction; stale items give `null`. */
  async rejectBatch(items: readonly RejectItem[]): Promise<Array<RejectOutcome | null>> {
    return rejectTasks(this.#ctx, items);
  }

  /** Extends the lease of a claimed task; returns the new expiry. */
  async extendLease(taskId: TaskId, receiptHandle: string, leaseMs: number): Promise<Date> {
    return extendLease(this.#ctx, taskId, receiptHandle, leaseMs);
  }

  /** Gives a claimed, unstarted task back to `pending` (retry count unchanged). */
  async release(taskId: TaskId, receiptHandle: string): Promise<boolean> {
    return releaseTask(this.#ctx, taskId, receiptHandle);
  }

  /** Records progress (0–100) and an optional step label. */
  async updateProgress(taskId: TaskId, percent: number, step?: string): Promise<boolean> {
    return updateProgress(this.#ctx, taskId, percent, step);
  }

  // ------------------------------------------------------------------ control

  /** Cancels a pending or processing task; `false` when finished or absent. */
  async cancel(taskId: TaskId): Promise<boolean> {
    return cancelTask(this.#ctx, taskId);
  }

  /** Cancels many tasks in one statement; returns how many changed. */
  async cancelBatch(taskIds: readonly TaskId[]): Promise<number> {
    return cancelTasks(this.#ctx, taskIds);
  }

  /** Pending tasks in this queue (delayed ones included). */
  async queueSize(): Promise<number> {
    return countPending(this.#ctx);
  }

  /** Pauses the queue for every broker instance on every host (persisted in `celers_queue_config`). */
  async pause(): Promise<void> {
    return setPaused(this.#ctx, true);
  }

  /** Resumes a paused queue. */
  async resume(): Promise<void> {
    return setPaused(this.#ctx, false);
  }

  /** Whether the queue is paused. */
  async isPaused(): Promise<boolean> {
    return readPaused(this.#ctx);
  }

  /**
   * Drain mode: enqueues of every kind fail with `QUEUE_DRAINING` while claiming, acks and retries continue
   * (zero-downtime deploys). Persisted in `celers_queue_config`, so it applies to every broker on every host.
   * Enqueues trust the flag they read for up to {@link DRAIN_FLAG_CACHE_MS}, so this resolves that long after
   * the write: once it has resolved, no enqueue that STARTS afterwards succeeds, in any process. An enqueue
   * already running meanwhile may land either way.
   */
  async enableDrainMode(): Promise<void> {
    return enableDrain(this.#ctx);
  }

  /**
   * Leaves drain mode. Brokers on this pool accept enqueues at once; other processes (other pools) within
   * {@link DRAIN_FLAG_CACHE_MS}, when their cached flag expires.
   */
  async disableDrainMode(): Promise<void> {
    return disableDrain(this.#ctx);
  }

  /** Whether drain mode is on (always read from the database, never from the enqueue cache). */
  async isDrainMode(): Promise<boolean> {
    return readDrain(this.#ctx);
  }

  /** Returns tasks with expired leases (or stale workers) to `pending`; returns how many. */
  async recoverTimedOutTasks(): Promise<number> {
    return recoverTimedOut(this.#ctx);
  }

  // ------------------------------------------------------------------ transactions

  /**
   * Runs `fn` in one transaction of this broker's database (the seed's `with_transaction`). Pass the
   * transaction to enqueue methods as `{ transaction: trx }`: the tasks commit or roll back with your writes,
   * and their `task:enqueued` events (which wake workers in this process) fire only after the commit, never
   * for a rollback. In a transaction you open yourself, celers cannot see the commit, so the event fires at
   * once (a local worker may then poll before the tasks are visible and find them on its next poll).
   */
  async transaction<T>(fn: (trx: Transaction<CelersDatabase>) => Promise<T>): Promise<T> {
    return this.#ctx.run('transaction', () => transactionWithAfterCommit(this.#ctx.db, fn));
  }

  // ------------------------------------------------------------------ workers (Broker interface)

  /** Registers a worker (see `broker.workers`). */
  async registerWorker(registration: WorkerRegistration): Promise<void> {
    const r = assertOptionalObject(registration, 'registration') ?? {};
    return this.workers.register(r.workerId as string, 'active', r.capabilities as Record<string, unknown>);
  }

  /** Records a worker heartbeat (see `broker.workers`). */
  async workerHeartbeat(workerId: string, status: WorkerStatus, taskCount: number): Promise<void> {
    return this.workers.heartbeat(workerId, status, taskCount);
  }

  /** Marks a worker offline (see `broker.workers`). */
  async deregisterWorker(workerId: string): Promise<void> {
    return this.workers.deregister(workerId);
  }

  /**
   * A {@link Maintainer} for this queue (recovery, retention, cleanup; once across all hosts), the one owner of
   * lease recovery. `@celers/worker` starts one per broker (shared by every worker on it) unless its
   * `maintenance` option is `false`, passing a recovery interval derived from its lease. Without one, the
   * recovery interval is half this broker's `leaseMs`, at most {@link DEFAULT_RECOVERY_INTERVAL_MS}.
   */
  createMaintenanceService(options: MaintainerOptions = {}): Maintainer {
    if (options?.recoverTimedOut !== undefined) return new Maintainer(this, options);
    const intervalMs = Math.min(
      DEFAULT_RECOVERY_INTERVAL_MS,
      Math.max(MIN_JOB_INTERVAL_MS, Math.round(this.#ctx.options.leaseMs / 2)),
    );
    return new Maintainer(this, { ...options, recoverTimedOut: { intervalMs } });
  }

  // ------------------------------------------------------------------ events & lifecycle

  /** Closes the broker; destroys the pool when the broker created it. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#ctx.archiver.close();
      this.circuitBreaker?.dispose();
      this.removeAllListeners();
      if (this.#ownsDatabase) await this.#ctx.db.destroy();
    })();
    return this.#closing;
  }

  #emitSafely<K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]): void {
    if (this.#closing && event !== 'error') return; // a late probe result after close() has no audience
    try {
      if (event === 'error' && this.listenerCount('error') === 0) {
        process.emitWarning((payload as BrokerEventMap['error']).error, 'CelersBrokerWarning');
        return;
      }
      if (event === 'task:acked' || event === 'task:cancelled')
        this.#settled.notify((payload as BrokerEventMap['task:acked']).taskIds);
      else if (event === 'task:rejected')
        this.#settled.notify([(payload as BrokerEventMap['task:rejected']).taskId]);
      this.emit(event, payload);
    } catch (error) {
      if (event !== 'error') this.#emitSafely('error', { queue: this.#ctx.queue, error: coerceError(error) });
    }
  }
}
