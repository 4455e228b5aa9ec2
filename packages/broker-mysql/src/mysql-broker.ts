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
  type CelersDatabase,
  pendingStateForDelay,
  pendingStateForTime,
  type ServerProfile,
  type ValueLimits,
} from '@celers/schema';
import type { Kysely, Transaction } from 'kysely';
import type { BrokerContext } from './broker-context.js';
import type { MysqlBrokerOptions, ResolvedBrokerOptions } from './broker-options.js';
import { createBrokerContext, type OpenedBroker, openBroker, safeBrokerEmit } from './broker-wiring.js';
import { CapacityFacet } from './capacity/capacity-facet.js';
import { DlqFacet } from './dlq/dlq-facet.js';
import { GroupsFacet } from './groups/groups-facet.js';
import { HealthFacet } from './health/health-facet.js';
import { IdempotencyFacet } from './idempotency/idempotency-facet.js';
import { runCallerTransaction, type TransactionOptions } from './internal/caller-transaction.js';
import { dbNowPlusMs } from './internal/db-time.js';
import type { DRAIN_FLAG_CACHE_MS } from './internal/drain-flag-cache.js';
import { Maintainer } from './maintenance/maintainer/maintainer.js';
import {
  type MaintainerOptions,
  maintainerOptionsForLease,
} from './maintenance/maintainer/maintainer-options.js';
import { MaintenanceFacet } from './maintenance/maintenance-facet.js';
import { dequeueTasks } from './queue/claim-operations.js';
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
import {
  disableDrain,
  enableDrain,
  readDrain,
  readPaused,
  setPaused,
} from './queue/queue-flags-operations.js';
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

  private constructor(opened: OpenedBroker) {
    super();
    this.#ownsDatabase = opened.ownsDatabase;
    this.hooks = new HookRegistry();
    const emit = safeBrokerEmit(this, opened.options.queue, this.#settled, () => this.#closing !== undefined);
    this.#ctx = createBrokerContext(opened, this.hooks, emit);
    this.circuitBreaker = this.#ctx.breaker;
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
    return openBroker(options, (opened) => new MysqlBroker(opened));
  }

  /** {@inheritDoc Broker.queueName} */
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
   * The largest values one write may carry (from `max_allowed_packet` at connect): `maxPayloadBytes` (payload
   * plus metadata JSON), `maxJsonBytes` (a result, a metadata value). Larger fail with `PAYLOAD_TOO_LARGE`.
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

  /** Stores a task as `pending` and returns its id; with `{ transaction }`, inside your own transaction. */
  async enqueue(task: SerializedTask, options?: EnqueueOptions): Promise<TaskId> {
    return enqueueOne(this.#ctx, 'enqueue', task, {}, options);
  }

  /** {@inheritDoc Broker.enqueueAt} */
  async enqueueAt(task: SerializedTask, when: Date | number, options?: EnqueueOptions): Promise<TaskId> {
    const due = assertTime(when, 'when');
    const schedule = { due, delayed: true, state: pendingStateForTime(due) };
    return enqueueOne(this.#ctx, 'enqueueAt', task, schedule, options);
  }

  /** Stores a task that becomes visible after `delayMs`, measured by the database clock. */
  async enqueueAfter(task: SerializedTask, delayMs: number, options?: EnqueueOptions): Promise<TaskId> {
    const ms = assertDurationMs(delayMs, 'delayMs');
    const schedule = { due: dbNowPlusMs(ms), delayed: ms > 0, state: pendingStateForDelay(ms) };
    return enqueueOne(this.#ctx, 'enqueueAfter', task, schedule, options);
  }

  /** {@inheritDoc Broker.enqueueBatch} */
  async enqueueBatch(tasks: readonly SerializedTask[], options?: EnqueueOptions): Promise<TaskId[]> {
    return enqueueMany(this.#ctx, tasks, {}, options);
  }

  // ------------------------------------------------------------------ consuming

  /** Claims the next due task (priority, then schedule, then FIFO), or `null` (also while paused). */
  async dequeue(options?: DequeueOptions): Promise<BrokerMessage | null> {
    return (await dequeueTasks(this.#ctx, 1, options))[0] ?? null;
  }

  /** Claims the next due task for `workerId` (seed alias of `dequeue_with_worker_id`). */
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

  /** {@inheritDoc Broker.ack} */
  async ack(taskId: TaskId, receiptHandle: string): Promise<void> {
    return ackTask(this.#ctx, taskId, receiptHandle);
  }

  /** {@inheritDoc Broker.ackBatch} */
  async ackBatch(items: readonly AckItem[]): Promise<AckBatchResult> {
    return ackTasks(this.#ctx, items);
  }

  /** Acks tasks and stores their results in one transaction (seed alias of `ack_batch_with_results`). */
  async ackBatchWithResults(
    items: ReadonlyArray<AckItem & { result: NonNullable<AckItem['result']> }>,
  ): Promise<AckBatchResult> {
    return ackTasks(this.#ctx, items, { requireResult: true });
  }

  // (a combined claim+settle call joins the consuming methods here)

  /** {@inheritDoc Broker.reject} */
  async reject(taskId: TaskId, receiptHandle: string, options?: RejectOptions): Promise<RejectOutcome> {
    return rejectTask(this.#ctx, taskId, receiptHandle, options);
  }

  /** Rejects many tasks in one transaction; one outcome per item (stale receipts are `null`). */
  async rejectBatch(items: readonly RejectItem[]): Promise<Array<RejectOutcome | null>> {
    return rejectTasks(this.#ctx, items);
  }

  /** {@inheritDoc Broker.extendLease} */
  async extendLease(taskId: TaskId, receiptHandle: string, leaseMs: number): Promise<Date> {
    return extendLease(this.#ctx, taskId, receiptHandle, leaseMs);
  }

  /** {@inheritDoc Broker.release} */
  async release(taskId: TaskId, receiptHandle: string): Promise<boolean> {
    return releaseTask(this.#ctx, taskId, receiptHandle);
  }

  /** {@inheritDoc Broker.updateProgress} */
  async updateProgress(taskId: TaskId, percent: number, step?: string): Promise<boolean> {
    return updateProgress(this.#ctx, taskId, percent, step);
  }

  // ------------------------------------------------------------------ control

  /** {@inheritDoc Broker.cancel} */
  async cancel(taskId: TaskId): Promise<boolean> {
    return cancelTask(this.#ctx, taskId);
  }

  /** Cancels many tasks in one statement; returns how many changed. */
  async cancelBatch(taskIds: readonly TaskId[]): Promise<number> {
    return cancelTasks(this.#ctx, taskIds);
  }

  /** {@inheritDoc Broker.queueSize} */
  async queueSize(): Promise<number> {
    return countPending(this.#ctx);
  }

  /** Stops `dequeue` handing out tasks, for every broker on every host (persisted in `celers_queue_config`). */
  async pause(): Promise<void> {
    return setPaused(this.#ctx, true);
  }

  /** {@inheritDoc Broker.resume} */
  async resume(): Promise<void> {
    return setPaused(this.#ctx, false);
  }

  /** {@inheritDoc Broker.isPaused} */
  async isPaused(): Promise<boolean> {
    return readPaused(this.#ctx);
  }

  /**
   * Drain mode, for every broker on every host: enqueues fail with `QUEUE_DRAINING`, claiming and settling go
   * on. Enqueues trust their cached flag for up to {@link DRAIN_FLAG_CACHE_MS}, so this resolves that long after
   * the write: no enqueue that starts afterwards succeeds, in any process.
   */
  async enableDrainMode(): Promise<void> {
    return enableDrain(this.#ctx);
  }

  /** Leaves drain mode: at once on this pool, within {@link DRAIN_FLAG_CACHE_MS} in other processes. */
  async disableDrainMode(): Promise<void> {
    return disableDrain(this.#ctx);
  }

  /** Whether the queue is in drain mode, read from the database (never from the enqueue cache). */
  async isDrainMode(): Promise<boolean> {
    return readDrain(this.#ctx);
  }

  /** {@inheritDoc Broker.recoverTimedOutTasks} */
  async recoverTimedOutTasks(): Promise<number> {
    return recoverTimedOut(this.#ctx);
  }

  /**
   * Runs `fn` in one transaction (the seed's `with_transaction`). Enqueues given `{ transaction: trx }` commit or
   * roll back with your writes, and their `task:enqueued` events fire only after the commit. In a transaction you
   * open yourself, celers cannot see the commit, so the event fires at once.
   *
   * A deadlock or lock wait timeout rolls the whole transaction back; celers cannot know whether `fn` is safe to
   * run twice, so it rejects with `DATABASE_ERROR` unless `options.lockRetries` allows running `fn` again.
   */
  async transaction<T>(
    fn: (trx: Transaction<CelersDatabase>) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    return runCallerTransaction(this.#ctx, fn, options);
  }

  // ------------------------------------------------------------------ workers (see broker.workers)

  /** {@inheritDoc Broker.registerWorker} */
  async registerWorker(registration: WorkerRegistration): Promise<void> {
    const r = assertOptionalObject(registration, 'registration') ?? {};
    return this.workers.register(r.workerId as string, 'active', r.capabilities as Record<string, unknown>);
  }

  /** {@inheritDoc Broker.workerHeartbeat} */
  async workerHeartbeat(workerId: string, status: WorkerStatus, taskCount: number): Promise<void> {
    return this.workers.heartbeat(workerId, status, taskCount);
  }

  /** {@inheritDoc Broker.deregisterWorker} */
  async deregisterWorker(workerId: string): Promise<void> {
    return this.workers.deregister(workerId);
  }

  /**
   * This queue's {@link Maintainer}, the one owner of lease recovery (`@celers/worker` starts one per broker
   * unless its `maintenance` option is `false`). Recovery runs every half `leaseMs` unless `recoverTimedOut` says.
   */
  createMaintenanceService(options: MaintainerOptions = {}): Maintainer {
    return new Maintainer(this, maintainerOptionsForLease(options, this.#ctx.options.leaseMs));
  }

  // ------------------------------------------------------------------ lifecycle

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
}
