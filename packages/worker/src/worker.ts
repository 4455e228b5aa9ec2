import { hostname } from 'node:os';
import {
  assertDurationMs,
  assertOptionalObject,
  type BrokerMessage,
  CelersError,
  coerceError,
  type DequeueOptions,
  TypedEmitter,
} from '@celers/core';
import { AckBatcher } from './internal/ack-batcher.js';
import { onDueTasks } from './internal/enqueue-wakeups.js';
import { PeriodicTask } from './internal/periodic-task.js';
import { PollBackoff } from './internal/poll-backoff.js';
import { PrefetchBuffer } from './internal/prefetch-buffer.js';
import { acquireMaintenance } from './internal/shared-maintenance.js';
import { installSignalHandlers } from './internal/signal-handlers.js';
import { TaskRunner, type TaskRunnerDeps } from './internal/task-runner.js';
import { Wakeup } from './internal/wakeup.js';
import type { WorkerEventMap } from './worker-events.js';
import {
  MAX_ACK_BATCH_SIZE,
  PREFETCH_WINDOW_MS,
  type ResolvedWorkerOptions,
  resolveWorkerOptions,
  type WorkerOptions,
} from './worker-options.js';

/** Options for {@link Worker.close}. */
export interface CloseWorkerOptions {
  /** How long to wait for running handlers before aborting them. @defaultValue the worker's `shutdownTimeoutMs` */
  timeoutMs?: number;
}

/** The state of one claim loop (one claim connection). */
interface ClaimLoop {
  readonly backoff: PollBackoff;
  /** Cuts the idle wait short: a local enqueue, recovered tasks, a backlog (for the other loops), shutdown. */
  readonly pollWake: Wakeup;
  /** Cuts the wait for a free slot short: a task finished, shutdown. */
  readonly slotWake: Wakeup;
}

/**
 * Runs task handlers against a {@link Broker}: claims tasks for its free slots plus an adaptive prefetch, runs
 * them with bounded concurrency under leases it keeps extending, acks (batched) or rejects them (retrying
 * across database outages while the lease lasts), heartbeats, starts the broker's maintenance (which owns
 * lease recovery: one per broker, however many workers share it), and shuts down without losing work
 * (prefetched tasks are released). Depends only on core's `Broker` interface.
 *
 * @example
 * ```ts
 * const worker = new Worker({
 *   broker,
 *   concurrency: 8,
 *   storeResults: true,
 *   handlers: {
 *     'emails.send': async (payload, ctx) => {
 *       await ctx.progress(10, 'rendering');
 *       return mailer.send(payload, { signal: ctx.signal });
 *     },
 *   },
 * });
 * worker.on('task:failed', ({ taskId, error }) => console.error(taskId, error));
 * await worker.start();
 * // ... later
 * await worker.close();
 * ```
 */
export class Worker extends TypedEmitter<WorkerEventMap> {
  /** The resolved, frozen options. */
  readonly options: ResolvedWorkerOptions;
  readonly #running = new Set<TaskRunner>(); // not keyed by task id: a recovered task may come back to us
  /** Claimed tasks waiting for a slot. */
  readonly #prefetched: PrefetchBuffer;
  /** Handlers still executing (a subset of #running: the others are only waiting for their ack or reject). */
  #executing = 0;
  readonly #acker: AckBatcher;
  /** Finished tasks that may wait for their batched ack (the largest ack batch). */
  readonly #ackAllowance: number;
  /** One per claim connection (`claimConnections`); the first polls, the others join while there is a backlog. */
  readonly #loops: readonly ClaimLoop[];
  /** Tasks asked for by claims still in flight (counted against the room of the next claim). */
  #claiming = 0;
  /** The last claim came back full: more is probably waiting, so every claim loop claims. */
  #backlog = false;
  readonly #heartbeat: PeriodicTask;
  /** Gives back prefetched tasks that could not start within a third of their lease (slots stuck in slow handlers). */
  readonly #prefetchReturn: PeriodicTask;
  /** Releases this worker's share of the broker's maintenance (see the `maintenance` option). */
  #releaseMaintenance: (() => Promise<void>) | undefined;
  /** Stops the wake-ups on in-process enqueues and recoveries. */
  #stopWakeups: (() => void) | undefined;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #pollLoop: Promise<void> | undefined;
  #stopping = false;
  #isRunning = false;
  #idle = false;
  #processedSinceDrained = 0;
  #removeSignalHandlers: (() => void) | undefined;
  /** What each claim asks for: the handlers' task names, or any task when there is a fallback handler. */
  readonly #claimOptions: DequeueOptions;
  readonly #runnerDeps: TaskRunnerDeps;

  /** Validates `options` (throws `INVALID_ARGUMENT` naming the bad option); does no I/O until `start()`. */
  constructor(options: WorkerOptions) {
    super();
    this.options = resolveWorkerOptions(options);
    const o = this.options;
    this.#claimOptions = Object.freeze({
      workerId: o.workerId,
      leaseMs: o.leaseMs,
      ...(o.fallbackHandler ? {} : { taskNames: Object.freeze(Object.keys(o.handlers)) }),
    });
    this.#ackAllowance = Math.max(o.batchSize, Math.min(o.concurrency, MAX_ACK_BATCH_SIZE));
    this.#acker = new AckBatcher(o.broker, o.ackBatchWindowMs, this.#ackAllowance);
    this.#loops = Array.from({ length: o.claimConnections }, () => ({
      backoff: new PollBackoff(o.pollIntervalMs, o.maxPollIntervalMs, { warmMs: o.busyPollWindowMs }),
      pollWake: new Wakeup(),
      slotWake: new Wakeup(),
    }));
    this.#prefetched = new PrefetchBuffer(o.prefetch, PREFETCH_WINDOW_MS);
    this.#heartbeat = new PeriodicTask(
      () => o.broker.workerHeartbeat(o.workerId, this.#running.size > 0 ? 'busy' : 'idle', this.heldTasks),
      o.heartbeatIntervalMs,
      (error) => this.#reportError(error, 'workerHeartbeat'),
    );
    this.#prefetchReturn = new PeriodicTask(
      () => this.#returnStalePrefetched(),
      Math.max(1, Math.floor(o.leaseMs / 3)),
      (error) => this.#reportError(error, 'release'),
    );
    this.#runnerDeps = this.#makeRunnerDeps();
  }

  /** This worker's id (in heartbeats and on the tasks it claims). */
  get workerId(): string {
    return this.options.workerId;
  }

  /** True between a successful `start()` and `close()`. */
  get isRunning(): boolean {
    return this.#isRunning;
  }

  /** Tasks started and not yet settled (running, or finished and waiting for their ack). */
  get inFlight(): number {
    return this.#running.size;
  }

  /** Tasks this worker holds a lease on: in flight plus prefetched (claimed, waiting for a slot). */
  get heldTasks(): number {
    return this.#running.size + this.#prefetched.length;
  }

  /**
   * Registers the worker, starts heartbeats, the broker's maintenance (shared) and the poll loop. Resolves once registered;
   * safe to call twice (the second call gets the same promise). Fails with `CLOSED` after `close()`.
   */
  start(): Promise<void> {
    if (this.#closing) return Promise.reject(new CelersError('CLOSED', `Worker ${this.workerId} is closed`));
    this.#starting ??= this.#start().catch((error: unknown) => {
      this.#starting = undefined; // a failed start (database down) may be retried
      throw error;
    });
    return this.#starting;
  }

  /**
   * Stops claiming, waits up to `timeoutMs` for running handlers (then aborts their signals and releases their
   * tasks), flushes acks, releases anything claimed but not started, deregisters, and emits `worker:closed`. Safe to
   * call twice. Never closes the broker.
   */
  close(options: CloseWorkerOptions = {}): Promise<void> {
    let timeoutMs: number;
    try {
      assertOptionalObject(options, 'options');
      timeoutMs =
        options.timeoutMs === undefined
          ? this.options.shutdownTimeoutMs
          : assertDurationMs(options.timeoutMs, 'options.timeoutMs');
    } catch (error) {
      return Promise.reject(error); // bad input rejects like every other failure of an async method
    }
    this.#closing ??= this.#close(timeoutMs);
    return this.#closing;
  }

  /** Aborts every running handler now (as after the shutdown timeout); used by a second shutdown signal. */
  abortRunning(): void {
    for (const runner of this.#running) runner.abort(this.#shutdownAbort());
  }

  async #start(): Promise<void> {
    const o = this.options;
    await o.broker.registerWorker({
      workerId: o.workerId,
      capabilities: {
        taskNames: Object.keys(o.handlers),
        concurrency: o.concurrency,
        hostname: hostname(),
        pid: process.pid,
      },
    });
    this.#stopWakeups = onDueTasks(o.broker, () => this.#loops[0]?.pollWake.wake());
    this.#heartbeat.start();
    this.#prefetchReturn.start();
    // The maintainer alone recovers expired leases (once across hosts); its interval follows the lease.
    if (o.maintenance) {
      this.#releaseMaintenance = acquireMaintenance(o.broker, {
        recoverTimedOut: o.recoveryIntervalMs === 0 ? false : { intervalMs: o.recoveryIntervalMs },
      });
    }
    if (o.handleSignals) this.#removeSignalHandlers = installSignalHandlers(this);
    this.#isRunning = true;
    this.#pollLoop = Promise.all(
      this.#loops.map((loop, i) =>
        this.#poll(loop, i === 0).catch((error: unknown) => this.#reportError(error, 'poll')),
      ),
    ).then(() => undefined);
  }

  /**
   * One claim loop. The primary loop polls (backing off on an empty queue); the others (`claimConnections` > 1)
   * claim only while claims come back full, so an idle worker polls as often as with one connection.
   */
  async #poll(loop: ClaimLoop, primary: boolean): Promise<void> {
    const o = this.options;
    while (!this.#stopping) {
      if (!primary && !this.#backlog) {
        await loop.pollWake.wait();
        continue;
      }
      const want = this.#claimSize();
      if (want === 0) {
        await loop.slotWake.wait();
        // Yield one macrotask so slots freed together (one ackBatch settles many tasks) make one claim.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      let messages: BrokerMessage[];
      this.#claiming += want;
      try {
        messages = await o.broker.dequeueBatch(want, this.#claimOptions);
      } catch (error) {
        this.#reportError(error, 'dequeueBatch');
        await loop.pollWake.wait(loop.backoff.next());
        continue;
      } finally {
        this.#claiming -= want;
      }
      if (this.#stopping) {
        await this.#releaseUnstarted(messages); // claimed while shutting down: give them straight back
        break;
      }
      this.#prefetched.add(messages);
      this.#fillSlots();
      this.#backlog = messages.length === want;
      if (this.#backlog) {
        for (const other of this.#loops) if (other !== loop) other.pollWake.wake();
        loop.backoff.reset();
        continue; // a full batch: more is probably waiting, claim again at once
      }
      if (!primary) continue; // back to waiting for a backlog
      if (messages.length > 0) loop.backoff.reset();
      else this.#noteEmptyPoll();
      await loop.pollWake.wait(loop.backoff.next());
    }
  }

  /**
   * How many tasks to claim now: the free slots plus the prefetch target, minus what is already prefetched,
   * within `batchSize` and the lease bound (`concurrency` running + one ack batch of finished tasks awaiting
   * their ack + `prefetch`). 0 means wait for a slot: below the
   * low-water mark (half of slots + target) a claim would be small, so the worker waits unless it has nothing
   * to start at all.
   */
  #claimSize(): number {
    const o = this.options;
    const freeSlots = o.concurrency - this.#executing;
    const target = this.#prefetched.target();
    // Finished tasks waiting for their batched ack hold a lease too; allowing one full ack batch of them keeps a
    // large ack in flight from shrinking the next claim (with room for only `concurrency` of them, claims of 500
    // came back at ~230 while the previous batch's ack was on its way).
    const leaseRoom = o.concurrency + this.#ackAllowance + o.prefetch - this.heldTasks;
    const room = Math.min(freeSlots + target - this.#prefetched.length, leaseRoom) - this.#claiming;
    if (room <= 0) return 0;
    const starving = freeSlots > 0 && this.#prefetched.length === 0;
    if (!starving && room < Math.ceil((o.concurrency + target) / 2)) return 0;
    return Math.min(room, o.batchSize);
  }

  /** Starts prefetched tasks while slots are free (never once shutdown began: those are released). */
  #fillSlots(): void {
    while (!this.#stopping && this.#executing < this.options.concurrency) {
      const next = this.#prefetched.next();
      if (next === undefined) return;
      // A task that waited a third of its lease is renewed before it starts (normally it waits ~ms).
      this.#dispatch(next.message, next.waitedMs > this.options.leaseMs / 3);
    }
  }

  /**
   * Releases prefetched tasks that waited over a third of their lease: the slots are busy with slow handlers,
   * so another worker should run them now (normally a prefetched task waits ~ms; see PrefetchSizer).
   */
  async #returnStalePrefetched(): Promise<void> {
    const stale = this.#prefetched.takeOlderThan(this.options.leaseMs / 3);
    if (stale.length === 0) return;
    this.options.logger.debug('returning prefetched tasks that could not start in time', {
      workerId: this.workerId,
      count: stale.length,
    });
    await this.#releaseUnstarted(stale);
  }

  #dispatch(message: BrokerMessage, renewLeaseFirst: boolean): void {
    this.#idle = false;
    this.#processedSinceDrained += 1;
    this.#executing += 1;
    this.#running.add(new TaskRunner(this.#runnerDeps, message, renewLeaseFirst));
  }

  /** What every {@link TaskRunner} of this worker shares: built once, not per task. */
  #makeRunnerDeps(): TaskRunnerDeps {
    return {
      options: this.options,
      acker: this.#acker,
      emit: (event, payload) => this.#emitSafely(event, payload),
      reportError: (error, operation) => this.#reportError(error, operation),
      handlerFinished: () => {
        this.#executing -= 1;
        this.#prefetched.noteCompleted();
        this.#fillSlots();
        this.#wakeSlotWaiters();
      },
      runnerSettled: (runner) => {
        this.#running.delete(runner);
        this.#wakeSlotWaiters();
        if (this.heldTasks === 0 && this.#processedSinceDrained === 0) this.#noteIdle();
      },
    };
  }

  #wakeSlotWaiters(): void {
    for (const loop of this.#loops) loop.slotWake.wake();
  }

  #noteEmptyPoll(): void {
    if (this.#processedSinceDrained > 0) {
      const processed = this.#processedSinceDrained;
      this.#processedSinceDrained = 0;
      this.#emitSafely('worker:drained', { workerId: this.workerId, processed });
    }
    if (this.heldTasks === 0) this.#noteIdle();
  }

  #noteIdle(): void {
    if (this.#idle || this.#stopping) return;
    this.#idle = true;
    this.#emitSafely('worker:idle', { workerId: this.workerId });
  }

  async #releaseUnstarted(messages: readonly BrokerMessage[]): Promise<void> {
    for (const m of messages) {
      try {
        await this.options.broker.release(m.task.metadata.id, m.receiptHandle);
      } catch (error) {
        this.#reportError(error, 'release'); // its lease will lapse and recovery returns it
      }
    }
  }

  async #close(timeoutMs: number): Promise<void> {
    await this.#starting?.catch(() => undefined);
    this.#stopping = true;
    const o = this.options;
    this.#stopWakeups?.();
    for (const loop of this.#loops) {
      loop.pollWake.wake();
      loop.slotWake.wake();
    }
    await this.#releaseMaintenance?.();
    await this.#pollLoop;
    await this.#prefetchReturn.stop();
    await this.#releaseUnstarted(this.#prefetched.takeAll()); // at once, so other workers can take them
    if (!(await this.#allSettledWithin(timeoutMs))) {
      o.logger.warn('shutdown timeout: aborting running tasks', {
        workerId: this.workerId,
        running: this.#running.size,
      });
      this.abortRunning();
      await Promise.allSettled([...this.#running].map((r) => r.done));
    }
    await this.#acker.flush();
    await this.#heartbeat.stop();
    if (this.#isRunning) {
      try {
        await o.broker.deregisterWorker(o.workerId);
      } catch (error) {
        this.#reportError(error, 'deregisterWorker');
      }
    }
    this.#removeSignalHandlers?.();
    this.#isRunning = false;
    this.#emitSafely('worker:closed', { workerId: this.workerId });
  }

  /** Waits for every running task to settle; false when `timeoutMs` passed first. */
  async #allSettledWithin(timeoutMs: number): Promise<boolean> {
    if (this.#running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const settled = Promise.allSettled([...this.#running].map((r) => r.done)).then(() => true as const);
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #shutdownAbort(): CelersError {
    return new CelersError('CLOSED', `Worker ${this.workerId} is shutting down`);
  }

  #reportError(error: unknown, operation: string): void {
    const err = coerceError(error);
    if (this.listenerCount('error') > 0) this.#emitSafely('error', { error: err, operation });
    else
      this.options.logger.error(`${operation} failed: ${err.message}`, {
        workerId: this.workerId,
        operation,
        error: err,
      });
  }

  #emitSafely<K extends keyof WorkerEventMap>(event: K, payload: WorkerEventMap[K]): void {
    try {
      this.emit(event, payload);
    } catch (error) {
      // A throwing listener must not break the task pipeline; report it (once) instead.
      if (event !== 'error') this.#reportError(error, `listener:${event}`);
      else this.options.logger.error('error listener threw', { error });
    }
  }
}
