import { assertInteger, type TaskState } from '@celers/core';
import { warmupPool } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import {
  applyDlqRetention,
  type DlqReplayOptions,
  type DlqRetentionOptions,
  replayDlqBatch,
} from '../dlq/dlq-policies.js';
import { recoverStuck } from '../queue/control-operations.js';
import { deleteQueueConfig } from '../queue/queue-config.sql.js';
import { applyPriorityAging, expirePending, type PriorityAgingOptions } from './pending-policies.js';
import {
  archiveCompleted,
  type DeleteCriteria,
  deleteByCriteria,
  purgeAll,
  purgeByState,
  purgeByTaskName,
} from './purge-operations.js';
import {
  analyzeTables,
  optimizeTables,
  type TableMaintenanceOutcome,
  vacuumAnalyze,
} from './table-maintenance.js';

/**
 * `broker.maintenance`: archiving, purges, TTLs, priority aging, DLQ retention and replay, table maintenance
 * (the seed's Health & Maintenance and Production Optimizations). Everything is scoped to the broker's queue
 * except OPTIMIZE/ANALYZE, and every delete runs in bounded chunks through the primary key.
 *
 * @example
 * ```ts
 * await broker.maintenance.archiveCompleted({ olderThanMs: 7 * 24 * 3_600_000 }); // daily
 * await broker.maintenance.recoverStuckTasks(3_600_000);                           // daily
 * await broker.maintenance.vacuumAnalyze();                                        // weekly
 * ```
 */
export class MaintenanceFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /** Deletes completed/failed/cancelled tasks that finished more than `olderThanMs` ago; returns how many. */
  async archiveCompleted(options: { olderThanMs: number }): Promise<number> {
    return archiveCompleted(this.#ctx, options);
  }

  /** Deletes every task of the queue (any state). Dangerous; returns how many (`dlq.purgeAll` empties the DLQ). */
  async purgeAllTasks(): Promise<number> {
    return purgeAll(this.#ctx);
  }

  /** Deletes the queue's tasks in `state`; returns how many. */
  async purgeByState(state: TaskState): Promise<number> {
    return purgeByState(this.#ctx, state);
  }

  /** Deletes completed tasks; returns how many. */
  async purgeCompleted(): Promise<number> {
    return purgeByState(this.#ctx, 'completed', 'maintenance.purgeCompleted');
  }

  /** Deletes failed tasks; returns how many. */
  async purgeFailed(): Promise<number> {
    return purgeByState(this.#ctx, 'failed', 'maintenance.purgeFailed');
  }

  /** Deletes cancelled tasks; returns how many. */
  async purgeCancelled(): Promise<number> {
    return purgeByState(this.#ctx, 'cancelled', 'maintenance.purgeCancelled');
  }

  /** Deletes the queue's tasks named `taskName` (any state); returns how many. */
  async purgeByTaskName(taskName: string): Promise<number> {
    return purgeByTaskName(this.#ctx, taskName);
  }

  /** Deletes tasks created more than `olderThanMs` ago, optionally only in `state`; returns how many. */
  async deleteByCriteria(criteria: DeleteCriteria): Promise<number> {
    return deleteByCriteria(this.#ctx, criteria);
  }

  /** Cancels tasks due and pending for longer than `ttlMs`; returns how many. */
  async expirePending(options: { ttlMs: number }): Promise<number> {
    return expirePending(this.#ctx, options);
  }

  /** Raises the priority of pending tasks older than `ageThresholdMs` by `boost` (≤ 1000); returns how many. */
  async applyPriorityAging(options: PriorityAgingOptions): Promise<number> {
    return applyPriorityAging(this.#ctx, options);
  }

  /** Deletes DLQ entries older than `retentionMs` (≥ 1 hour); returns how many. */
  async applyDlqRetention(options: DlqRetentionOptions): Promise<number> {
    return applyDlqRetention(this.#ctx, options);
  }

  /** Requeues up to `limit` DLQ entries matching a task-name glob and a minimum retry count; returns how many. */
  async replayDlqBatch(options: DlqReplayOptions): Promise<number> {
    return replayDlqBatch(this.#ctx, options);
  }

  /**
   * `OPTIMIZE TABLE` on every celers table (all queues): one outcome per table with the server's
   * `Msg_type`/`Msg_text`; a table the server reports an error for fails with `DATABASE_ERROR`.
   */
  async optimizeTables(): Promise<TableMaintenanceOutcome[]> {
    return optimizeTables(this.#ctx);
  }

  /** `ANALYZE TABLE` on every celers table (all queues): one outcome per table, as {@link optimizeTables}. */
  async analyzeTables(): Promise<TableMaintenanceOutcome[]> {
    return analyzeTables(this.#ctx);
  }

  /** Optimize then analyze every celers table (the seed's `vacuum_analyze`): the optimize outcomes, then the analyze ones. */
  async vacuumAnalyze(): Promise<TableMaintenanceOutcome[]> {
    return vacuumAnalyze(this.#ctx);
  }

  /** Opens `count` pool connections ahead of load (default: the pool's minimum); returns connections open. */
  async warmupPool(count?: number): Promise<number> {
    const n = count === undefined ? undefined : assertInteger(count, 'count', 1, 10_000);
    return this.#ctx.run('maintenance.warmupPool', () => warmupPool(this.#ctx.db, n));
  }

  /** Returns tasks processing for longer than `olderThanMs` to pending . */
  async recoverStuckTasks(olderThanMs: number): Promise<number> {
    return recoverStuck(this.#ctx, olderThanMs);
  }

  /**
   * Deletes the queue's `celers_queue_config` rows (paused, drain mode, custom keys), so a queue without tasks,
   * DLQ entries or schedules no longer shows in queue lists; returns how many rows. The queue is then neither
   * paused nor draining.
   */
  async deleteQueueConfig(): Promise<number> {
    const deleted = await this.#ctx.run('maintenance.deleteQueueConfig', () =>
      deleteQueueConfig(this.#ctx.db, this.#ctx.queue),
    );
    this.#ctx.drainFlags.set(this.#ctx.queue, false);
    return deleted;
  }
}
