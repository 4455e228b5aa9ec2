import {
  type AckItem,
  type BrokerMessage,
  CelersError,
  coerceError,
  decodePayload,
  type RejectOutcome,
  type TaskMetadata,
} from '@celers/core';
import { context, type Span, SpanStatusCode } from '@opentelemetry/api';
import type { TaskContext, TaskHandler } from '../task-handler.js';
import type { WorkerEventMap } from '../worker-events.js';
import type { ResolvedWorkerOptions } from '../worker-options.js';
import type { AckBatcher } from './ack-batcher.js';
import { LazyAbort } from './lazy-abort.js';
import { LeaseKeeper } from './lease-keeper.js';
import { RunnerTaskContext } from './runner-task-context.js';
import { type SettleRetryLimits, settleWithRetry } from './settle-retry.js';
import { startProcessSpan } from './task-tracing.js';

/** What a task runner needs from its worker. @internal */
export interface TaskRunnerDeps {
  readonly options: ResolvedWorkerOptions;
  readonly acker: AckBatcher;
  emit<K extends keyof WorkerEventMap>(event: K, payload: WorkerEventMap[K]): void;
  reportError(error: unknown, operation: string): void;
  /**
   * Called once per runner, on a microtask, as soon as its handler has finished (before the ack or reject is
   * sent), so the worker can claim the next task while this one's ack is still on its way.
   */
  handlerFinished(): void;
  /** Called once per runner when the task has been acked, rejected, released or given up. */
  runnerSettled(runner: TaskRunner): void;
}

/** How an attempt ended before it was settled with the broker. */
type Ending =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'threw'; error: Error }
  | { kind: 'aborted'; reason: CelersError };

/**
 * One claimed task from start to settlement: decode, run the handler in its span with a lease keeper and
 * a timeout, then ack, reject, release or (lease lost) leave it alone. An ack or reject that fails on a
 * transient error (database unavailable or timing out, circuit open, deadlock) is retried with backoff while
 * the lease keeper keeps the lease alive, until the lease would run out; `STALE_RECEIPT` is final. Never
 * throws: a settlement given up goes to `reportError` and the lease lapses, so the task is recovered later
 * (at-least-once).
 * @internal
 */
export class TaskRunner {
  readonly taskId: string;
  readonly taskName: string;
  readonly #deps: TaskRunnerDeps;
  readonly #message: BrokerMessage;
  readonly #renewLeaseFirst: boolean;
  readonly #abort = new LazyAbort<CelersError>();
  /** When the lease ends (epoch ms) as far as this runner knows; the keeper takes over once the handler runs. */
  #leaseExpiresAt: number;
  #keeper: LeaseKeeper | undefined;
  /** Settles when the task has been acked, rejected, released or given up (after `runnerSettled`). */
  readonly done: Promise<void>;
  #handlerFinished = false;

  /**
   * @param renewLeaseFirst - extend the lease before the handler starts (the task waited long in the
   *   prefetch buffer); a task whose lease was already lost is then not run at all.
   */
  constructor(deps: TaskRunnerDeps, message: BrokerMessage, renewLeaseFirst = false) {
    this.#deps = deps;
    this.#message = message;
    this.#renewLeaseFirst = renewLeaseFirst;
    this.taskId = message.task.metadata.id;
    this.taskName = message.task.metadata.name;
    this.#leaseExpiresAt = message.leaseExpiresAt.getTime();
    // Callbacks into the worker instead of two promises the worker chains on: less garbage per task.
    this.done = this.#run()
      .catch((error: unknown) => deps.reportError(error, 'process'))
      .finally(() => {
        this.#markHandlerDone();
        deps.runnerSettled(this);
      });
  }

  /** Tells the worker, once, that the handler is done (or will never run). */
  #markHandlerDone(): void {
    if (this.#handlerFinished) return;
    this.#handlerFinished = true;
    queueMicrotask(this.#deps.handlerFinished);
  }

  /** Aborts the handler's signal with `reason` (shutdown timeout, lease lost). */
  abort(reason: CelersError): void {
    this.#abort.abort(reason);
  }

  async #run(): Promise<void> {
    const metadata = this.#message.task.metadata;
    // Claims ask for the handlers' names only, so this is for brokers that ignore DequeueOptions.taskNames.
    const handler = this.#deps.options.handlers[metadata.name] ?? this.#deps.options.fallbackHandler;
    if (!handler) {
      const known = Object.keys(this.#deps.options.handlers).join(', ');
      const error = new CelersError(
        'UNSUPPORTED',
        `No handler for task "${metadata.name}" on this worker (handles: ${known})`,
        {
          details: { taskId: this.taskId, taskName: metadata.name },
        },
      );
      return this.#settleFailure(error, false);
    }
    if (this.#renewLeaseFirst && !(await this.#renewLease())) return;
    let payload: unknown;
    try {
      payload = decodePayload(this.#message.task);
    } catch (error) {
      return this.#settleFailure(coerceError(error), false); // bytes that cannot decode never will: no retry
    }
    const attempt = this.#message.retryCount + 1;
    const { span, context: spanContext } = startProcessSpan(
      metadata,
      this.#deps.options.broker.queueName,
      this.#deps.options.workerId,
      attempt,
    );
    const keeper = new LeaseKeeper(
      this.#deps.options.broker,
      this.taskId,
      this.#message.receiptHandle,
      this.#deps.options.leaseMs,
      {
        onLost: (error) => this.abort(error),
        onError: (error) => this.#deps.reportError(error, 'extendLease'),
      },
      this.#leaseExpiresAt,
    );
    this.#keeper = keeper;
    const timeout = this.#startTimeout(metadata);
    const started = performance.now();
    try {
      const ending = await this.#execute(handler, payload, this.#taskContext(metadata, attempt), spanContext);
      const durationMs = performance.now() - started;
      this.#markHandlerDone();
      clearTimeout(timeout); // the keeper runs on until the ack or reject is through
      this.#recordOnSpan(span, ending);
      await this.#settle(ending, durationMs);
    } finally {
      keeper.stop();
      clearTimeout(timeout);
      span.end();
    }
  }

  /** Extends the lease once; false (and `task:stalled`) when the receipt no longer owns the task. */
  async #renewLease(): Promise<boolean> {
    const { broker, leaseMs } = this.#deps.options;
    try {
      const sentAt = Date.now();
      await broker.extendLease(this.taskId, this.#message.receiptHandle, leaseMs);
      this.#leaseExpiresAt = Math.max(this.#leaseExpiresAt, sentAt + leaseMs);
      return true;
    } catch (error) {
      if (
        CelersError.isInstance(error) &&
        (error.code === 'STALE_RECEIPT' || error.code === 'TASK_NOT_FOUND')
      ) {
        this.#deps.emit('task:stalled', {
          taskId: this.taskId,
          taskName: this.taskName,
          reason: 'lease-lost',
        });
        return false;
      }
      this.#deps.reportError(error, 'extendLease'); // database trouble: the lease may still hold, so run
      return true;
    }
  }

  /** Runs the handler in its span's context, racing it against the abort signal. */
  #execute(
    handler: TaskHandler,
    payload: unknown,
    ctx: TaskContext,
    spanContext: ReturnType<typeof startProcessSpan>['context'],
  ): Promise<Ending> {
    const aborted = new Promise<Ending>((resolve) => {
      this.#abort.onAbort((reason) => resolve({ kind: 'aborted', reason }));
    });
    const ran = context
      .with(spanContext, () => Promise.resolve().then(() => handler(payload, ctx)))
      .then(
        (result): Ending => ({ kind: 'succeeded', result }),
        (error: unknown): Ending => ({ kind: 'threw', error: coerceError(error) }),
      );
    // Once aborted the worker stops waiting; a handler that ignores its signal runs on detached, result ignored.
    return Promise.race([aborted, ran]);
  }

  async #settle(ending: Ending, durationMs: number): Promise<void> {
    if (ending.kind === 'succeeded') return this.#settleSuccess(ending.result, durationMs);
    if (ending.kind === 'threw') return this.#settleFailure(ending.error, true);
    const reason = ending.reason;
    if (reason.code === 'TIMEOUT') return this.#settleFailure(reason, true);
    if (reason.code === 'CLOSED') {
      // Shutdown timeout: hand the task straight back instead of waiting for its lease to lapse.
      await this.#deps.options.broker.release(this.taskId, this.#message.receiptHandle);
      this.#deps.options.logger.warn('task aborted by shutdown and released', {
        taskId: this.taskId,
        taskName: this.taskName,
      });
      return;
    }
    this.#deps.emit('task:stalled', { taskId: this.taskId, taskName: this.taskName, reason: 'lease-lost' });
  }

  async #settleSuccess(result: unknown, durationMs: number): Promise<void> {
    const { storeResults } = this.#deps.options;
    const runtimeMs = Math.round(durationMs);
    // Object literals, not `{ ...item, result }`: a spread with added properties takes V8's slow path (~2 µs).
    const stored: AckItem = storeResults
      ? {
          taskId: this.taskId,
          receiptHandle: this.#message.receiptHandle,
          taskName: this.taskName,
          result: storableResult(result, runtimeMs, this.#deps),
        }
      : { taskId: this.taskId, receiptHandle: this.#message.receiptHandle, taskName: this.taskName };
    let tries = 0;
    const outcome = await settleWithRetry(
      () => {
        tries++;
        return this.#deps.acker.ack(stored);
      },
      () => this.#retryLimits('ack'),
    );
    if (outcome === 'acked') {
      this.#deps.emit('task:completed', { taskId: this.taskId, taskName: this.taskName, result, durationMs });
    } else {
      // A retry that finds the receipt spent cannot tell whether the try that got no answer had committed.
      const reason = tries > 1 ? 'ack-unconfirmed' : 'lease-lost';
      this.#deps.emit('task:stalled', { taskId: this.taskId, taskName: this.taskName, reason });
    }
  }

  async #settleFailure(error: Error, requeue: boolean): Promise<void> {
    let outcome: RejectOutcome;
    try {
      outcome = await settleWithRetry(
        () =>
          this.#deps.options.broker.reject(this.taskId, this.#message.receiptHandle, {
            requeue,
            error: error.message,
            ...(error.stack === undefined ? {} : { traceback: error.stack }),
            storeResult: this.#deps.options.storeResults,
          }),
        () => this.#retryLimits('reject'),
      );
    } catch (rejectError) {
      if (CelersError.isInstance(rejectError) && rejectError.code === 'STALE_RECEIPT') {
        this.#deps.emit('task:stalled', {
          taskId: this.taskId,
          taskName: this.taskName,
          reason: 'lease-lost',
        });
        return;
      }
      throw rejectError;
    }
    if (outcome.outcome === 'retried') {
      const { retryCount, retryAt } = outcome;
      this.#deps.emit('task:retried', {
        taskId: this.taskId,
        taskName: this.taskName,
        error,
        retryCount,
        retryAt,
      });
    } else {
      this.#deps.emit('task:failed', { taskId: this.taskId, taskName: this.taskName, error, outcome });
    }
  }

  /**
   * Retry an ack or reject while the lease lasts and the runner was not aborted (lease lost, shutdown). Built
   * only when a settlement fails (see settleWithRetry).
   */
  #retryLimits(operation: 'ack' | 'reject'): SettleRetryLimits {
    return {
      leaseExpiresAt: () => this.#keeper?.expiresAt ?? this.#leaseExpiresAt,
      abort: this.#abort,
      onRetry: (error, attempt, delayMs) =>
        this.#deps.options.logger.debug(`${operation} failed, retrying while the lease lasts`, {
          taskId: this.taskId,
          attempt,
          delayMs,
          error: coerceError(error).message,
        }),
    };
  }

  #startTimeout(metadata: TaskMetadata): NodeJS.Timeout | undefined {
    if (metadata.timeoutMs === undefined) return undefined;
    const ms = metadata.timeoutMs;
    return setTimeout(
      () =>
        this.abort(
          new CelersError('TIMEOUT', `Task ${this.taskId} (${this.taskName}) ran past its ${ms} ms timeout`),
        ),
      ms,
    );
  }

  /** The handler's context (see {@link RunnerTaskContext}); `progress` is the one closure it needs. */
  #taskContext(metadata: TaskMetadata, attempt: number): TaskContext {
    const broker = this.#deps.options.broker;
    const taskId = this.taskId;
    return new RunnerTaskContext({
      metadata,
      attempt,
      deliveryCount: this.#message.deliveryCount,
      retryCount: this.#message.retryCount,
      abort: this.#abort,
      logger: this.#deps.options.logger,
      progress: async (percent: number, step?: string): Promise<void> => {
        await broker.updateProgress(taskId, percent, step);
      },
    });
  }

  #recordOnSpan(span: Span, ending: Ending): void {
    if (ending.kind === 'succeeded') {
      span.setStatus({ code: SpanStatusCode.OK });
      return;
    }
    const error = ending.kind === 'threw' ? ending.error : ending.reason;
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
}

/** The result row for an ack; a value JSON cannot hold is not stored (the work is done; re-running it would be worse). */
function storableResult(result: unknown, runtimeMs: number, deps: TaskRunnerDeps) {
  try {
    JSON.stringify(result);
    return { status: 'SUCCESS' as const, result, runtimeMs };
  } catch (error) {
    const message = `Result not stored: not JSON-serializable (${(error as Error).message})`;
    deps.options.logger.warn(message);
    return { status: 'SUCCESS' as const, error: message, runtimeMs };
  }
}
