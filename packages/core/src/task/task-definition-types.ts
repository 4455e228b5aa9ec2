// The shapes defineTask works with. The producer and waiter types are structural, so core stays I/O-free and
// any broker with these members (MysqlBroker does) can be passed in.
import type { CompressionMode } from '../codec/payload-codec.js';
import type { RetryPolicySpec } from './retry-policy-spec.js';
import type { SerializedTask, TaskId } from './serialized-task.js';

/** A schema object with a zod/valibot-style `parse` that returns the payload or throws. */
export interface PayloadSchema<P> {
  parse(input: unknown): P;
}

/** Options for `defineTask`: the defaults every task created from the definition gets. */
export interface DefineTaskOptions<P> {
  /** Retries after the first attempt before dead-lettering (`maxRetries`). @defaultValue 3 */
  retries?: number;
  /** Higher runs first. @defaultValue 0 */
  priority?: number;
  /**
   * The queue these tasks belong to. When set, `enqueue` refuses a broker for another queue
   * (`INVALID_ARGUMENT` naming `broker`), and so does a Worker given this task's handler.
   */
  queue?: string;
  /** Per-attempt time limit in ms. */
  timeoutMs?: number;
  /** Retry schedule stored with each task. */
  retryPolicy?: RetryPolicySpec;
  /** Payload compression, as in `createTask`. @defaultValue false */
  compression?: CompressionMode;
  /** A type guard run on every payload before it is enqueued; `false` is an `INVALID_ARGUMENT` naming `payload`. */
  validate?: (payload: unknown) => payload is P;
  /** A schema whose `parse` checks (and may normalize) every payload before it is enqueued. */
  schema?: PayloadSchema<P>;
}

/** Per-call overrides for `TaskDefinition.create` / `enqueue`. */
export interface TaskCallOptions {
  /** Task id; a new UUIDv7 when omitted. */
  id?: string;
  /** Overrides the definition's priority. */
  priority?: number;
  /** Run no earlier than this many ms from now (uses the broker's `enqueueAfter`). */
  delayMs?: number;
  /** Free-form JSON metadata. */
  metadata?: Record<string, unknown>;
}

/** How long `enqueueAndWait` waits for the result. */
export interface WaitOptions {
  /** Give up after this long with `TIMEOUT`. @defaultValue the broker's default (30 s for MysqlBroker) */
  timeoutMs?: number;
  /** Stop waiting when aborted. */
  signal?: AbortSignal;
}

/** Anything that can store tasks for one queue (a `Broker`, a `MysqlBroker`). */
export interface TaskProducer {
  readonly queueName: string;
  enqueue(task: SerializedTask): Promise<TaskId>;
  enqueueAfter(task: SerializedTask, delayMs: number): Promise<TaskId>;
}

/** A producer that can also wait for a task's stored result (a `MysqlBroker`). */
export interface TaskWaiter extends TaskProducer {
  readonly results: {
    wait(taskId: TaskId, options?: WaitOptions): Promise<{ readonly result: unknown }>;
  };
}

/**
 * A handler bound to its definition, made by `TaskDefinition.handler`. `C` is the worker's context type
 * (`TaskContext` in `@celers/worker`), inferred where the binding is passed to a Worker.
 */
export interface TaskBinding<N extends string, P, R, C = unknown> {
  readonly definition: TaskDefinition<N, P, R>;
  readonly run: (payload: P, ctx: C) => R | Promise<R>;
}

/** A typed handle on one task name, made by `defineTask`. */
export interface TaskDefinition<N extends string, P, R = unknown> {
  /** The task name handlers are registered under. */
  readonly name: N;
  /** The queue the tasks belong to, or `undefined` for the broker's queue. */
  readonly queue: string | undefined;
  /** Checks a payload with the definition's `schema` or `validate` and returns it (parsed by the schema). */
  parse(payload: unknown): P;
  /** Creates a task with the definition's defaults, after checking the payload. No I/O. */
  create(payload: P, options?: TaskCallOptions): SerializedTask;
  /** Creates and enqueues a task; resolves with its id. */
  enqueue(broker: TaskProducer, payload: P, options?: TaskCallOptions): Promise<TaskId>;
  /**
   * Enqueues a task and waits for its result (the Worker must store results): resolves with the handler's
   * return value; rejects with the broker's `TASK_FAILED`, `TIMEOUT`, ... errors.
   */
  enqueueAndWait(broker: TaskWaiter, payload: P, options?: TaskCallOptions & WaitOptions): Promise<R>;
  /** Binds a handler to this task, for a Worker's `tasks` option. */
  handler<C = unknown>(run: (payload: P, ctx: C) => R | Promise<R>): TaskBinding<N, P, R, C>;
}
