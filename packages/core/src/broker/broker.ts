import type { BrokerMessage, SerializedTask, TaskId } from '../task/serialized-task.js';
import type { WorkerStatus } from '../task/task-state.js';
import type { BackgroundService, MaintenanceServiceOptions } from './background-service.js';
import type { BrokerEventMap } from './broker-events.js';
import type {
  AckBatchResult,
  AckItem,
  DequeueOptions,
  RejectItem,
  RejectOptions,
  RejectOutcome,
  WorkerRegistration,
} from './broker-options.js';

/**
 * The contract every celers broker fulfils. `@celers/worker` depends on this interface only, never on MySQL.
 * Delivery is at-least-once: a claimed task is leased; `ack`/`reject` need the receipt handle of the current
 * lease, and a task whose lease expires goes back to `pending`.
 */
export interface Broker {
  /** The queue this broker instance produces to and consumes from. */
  readonly queueName: string;

  // ---------------------------------------------------------------- producing
  /** Stores a task as `pending` and returns its id. */
  enqueue(task: SerializedTask): Promise<TaskId>;
  /** Stores a task that becomes visible at `when` (a `Date` or epoch ms). */
  enqueueAt(task: SerializedTask, when: Date | number): Promise<TaskId>;
  /** Stores a task that becomes visible after `delayMs`. */
  enqueueAfter(task: SerializedTask, delayMs: number): Promise<TaskId>;
  /** Stores many tasks in one transaction (multi-row inserts); all or none. */
  enqueueBatch(tasks: readonly SerializedTask[]): Promise<TaskId[]>;

  // ---------------------------------------------------------------- consuming
  /** Claims the next due task (highest priority, then earliest schedule, then FIFO), or `null`. */
  dequeue(options?: DequeueOptions): Promise<BrokerMessage | null>;
  /** Claims up to `count` due tasks in one transaction. */
  dequeueBatch(count: number, options?: DequeueOptions): Promise<BrokerMessage[]>;
  /** Marks a claimed task completed. Throws `STALE_RECEIPT` when the receipt no longer owns the task. */
  ack(taskId: TaskId, receiptHandle: string): Promise<void>;
  /**
   * Acks many tasks (storing results where given), fenced by receipt; returns one outcome per item and the
   * number of tasks acked.
   */
  ackBatch(items: readonly AckItem[]): Promise<AckBatchResult>;
  /** Fails a claimed task: retry with its policy, or dead-letter when retries are exhausted. */
  reject(taskId: TaskId, receiptHandle: string, options?: RejectOptions): Promise<RejectOutcome>;
  /** Rejects many tasks; returns one outcome per item (stale receipts are `null`). */
  rejectBatch(items: readonly RejectItem[]): Promise<Array<RejectOutcome | null>>;
  /** Extends a lease; returns the new expiry. Throws `STALE_RECEIPT` when the receipt lost the task. */
  extendLease(taskId: TaskId, receiptHandle: string, leaseMs: number): Promise<Date>;
  /** Gives a claimed, unstarted task back (state `pending`, retry count unchanged). */
  release(taskId: TaskId, receiptHandle: string): Promise<boolean>;
  /** Records progress (0–100) and an optional step label on a task. */
  updateProgress(taskId: TaskId, percent: number, step?: string): Promise<boolean>;

  // ---------------------------------------------------------------- control
  /** Cancels a pending or processing task; `false` when it was already finished or absent. */
  cancel(taskId: TaskId): Promise<boolean>;
  /** Number of `pending` tasks in this queue (including delayed ones). */
  queueSize(): Promise<number>;
  /** Stops `dequeue` from handing out tasks, for every broker instance on every host. */
  pause(): Promise<void>;
  /** Undoes `pause`. */
  resume(): Promise<void>;
  /** Whether the queue is paused. */
  isPaused(): Promise<boolean>;
  /** Whether the queue is in drain mode (no new tasks accepted; claiming continues). */
  isDrainMode(): Promise<boolean>;
  /** Returns tasks whose lease expired (or whose worker stopped heartbeating) to `pending`. */
  recoverTimedOutTasks(): Promise<number>;

  // ---------------------------------------------------------------- workers
  /** Registers (or re-registers) a worker as `active`. */
  registerWorker(registration: WorkerRegistration): Promise<void>;
  /** Records a heartbeat with the worker's status and number of tasks in flight. */
  workerHeartbeat(workerId: string, status: WorkerStatus, taskCount: number): Promise<void>;
  /** Marks a worker `offline` (graceful shutdown). */
  deregisterWorker(workerId: string): Promise<void>;

  /**
   * Optional: creates this broker's background maintenance (lease recovery, retention, cleanup), which a
   * worker starts unless told not to (once per broker, however many workers share it). It is the only owner
   * of lease recovery: workers run no recovery loop of their own. Brokers without maintenance leave it
   * undefined.
   */
  createMaintenanceService?(options?: MaintenanceServiceOptions): BackgroundService;

  // ---------------------------------------------------------------- events & lifecycle
  /** Subscribes to an event; see {@link BrokerEventMap}. */
  on<K extends keyof BrokerEventMap>(event: K, listener: (payload: BrokerEventMap[K]) => void): this;
  /** Unsubscribes a listener added with `on`. */
  off<K extends keyof BrokerEventMap>(event: K, listener: (payload: BrokerEventMap[K]) => void): this;
  /** Closes the broker (and its pool when it owns it). Safe to call twice. */
  close(): Promise<void>;
}
