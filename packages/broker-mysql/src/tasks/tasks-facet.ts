import { assertName, assertOneOf, assertTaskId, TASK_STATES, type TaskState } from '@celers/core';
import { stateIs } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { assertText } from '../internal/assert-text.js';
import { type PageOptions, resolvePage } from '../internal/page-options.js';
import { countScheduledTasks, countTasksInState } from '../queue/queue-counts.sql.js';
import { writeErrorMessage, writeWorkerId } from '../queue/task-updates.sql.js';
import { deleteFinishedTasks } from './finished-task-delete.sql.js';
import type { QueueStatistics, TaskNameCount } from './statistics-types.js';
import { newestFirstPage, selectTaskInfos, toTaskInfo } from './task-info.sql.js';
import {
  type DateRangeSearch,
  getProgress,
  type MetadataValue,
  queryByMetadata,
  type SettableTaskState,
  searchByDateRange,
  type TaskProgress,
  updateBatchState,
  updateMetadata,
} from './task-metadata-operations.js';
import { readCountsByTaskName, readQueueStatistics } from './task-statistics.sql.js';
import type { ListTasksOptions, ScheduledTaskInfo, TaskInfo } from './task-types.js';

function resolveListOptions(options: ListTasksOptions | undefined): {
  state: TaskState | undefined;
  limit: number;
  offset: number;
} {
  const page = resolvePage(options);
  const state =
    options?.state === undefined ? undefined : assertOneOf(options.state, TASK_STATES, 'options.state');
  return { state, ...page };
}

/**
 * `broker.tasks`: task inspection and updates (the seed's Task Inspection and Task Updates). Every query is
 * scoped to the broker's queue: tasks of other queues are never visible, even by id.
 *
 * @example
 * ```ts
 * const stats = await broker.tasks.statistics();
 * const failed = await broker.tasks.list({ state: 'failed', limit: 20 });
 * const info = await broker.tasks.get(failed[0]!.id);
 * ```
 */
export class TasksFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /** One task of this queue by id (the seed's `get_task`), or `null` when it does not exist here. */
  async get(taskId: string): Promise<TaskInfo | null> {
    const id = assertTaskId(taskId, 'taskId');
    return this.#ctx.run('tasks.get', async () => {
      const row = await selectTaskInfos(this.#ctx.db, this.#ctx.queue)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toTaskInfo(row) : null;
    });
  }

  /** Tasks of this queue, newest first, optionally in one state (the seed's `list_tasks`). */
  async list(options?: ListTasksOptions): Promise<TaskInfo[]> {
    const { state, limit, offset } = resolveListOptions(options);
    return this.#ctx.run('tasks.list', async () => {
      let query = selectTaskInfos(this.#ctx.db, this.#ctx.queue);
      if (state !== undefined) query = query.where(stateIs(state));
      return newestFirstPage(query, { limit, offset });
    });
  }

  /**
   * Counts by state in one aggregate query (the seed's `get_statistics`), each task in exactly one state (a
   * dead-lettered task is `deadLettered`, not also `failed`), plus DLQ entries and scheduled (pending, not yet
   * due) tasks. See {@link QueueStatistics} for what each number means.
   */
  async statistics(): Promise<QueueStatistics> {
    return this.#ctx.run('tasks.statistics', () => readQueueStatistics(this.#ctx.db, this.#ctx.queue));
  }

  /** Per task name counts by state, sorted by name (the seed's `count_by_task_name`). */
  async countByTaskName(): Promise<TaskNameCount[]> {
    return this.#ctx.run('tasks.countByTaskName', () => readCountsByTaskName(this.#ctx.db, this.#ctx.queue));
  }

  /** Tasks in one state (the seed's `count_by_state_quick`): a single index range count. */
  async countByState(state: TaskState): Promise<number> {
    const st = assertOneOf(state, TASK_STATES, 'state');
    return this.#ctx.run('tasks.countByState', () => countTasksInState(this.#ctx.db, this.#ctx.queue, st));
  }

  /** Processing tasks, longest-running first (the seed's `get_processing_tasks`). */
  async listProcessing(options?: PageOptions): Promise<TaskInfo[]> {
    const { limit, offset } = resolvePage(options);
    return this.#ctx.run('tasks.listProcessing', async () => {
      const rows = await selectTaskInfos(this.#ctx.db, this.#ctx.queue)
        .where('state', '=', 'processing')
        .orderBy('started_at', 'asc')
        .orderBy('id', 'asc')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map(toTaskInfo);
    });
  }

  /**
   * Tasks claimed by `workerId` in this queue, newest first (the seed's `get_tasks_by_worker`); pass
   * `{ state: 'processing' }` for what the worker holds right now.
   */
  async byWorker(workerId: string, options?: ListTasksOptions): Promise<TaskInfo[]> {
    const worker = assertName(workerId, 'workerId');
    const { state, limit, offset } = resolveListOptions(options);
    return this.#ctx.run('tasks.byWorker', async () => {
      let query = selectTaskInfos(this.#ctx.db, this.#ctx.queue).where('worker_id', '=', worker);
      if (state !== undefined) query = query.where(stateIs(state));
      return newestFirstPage(query, { limit, offset });
    });
  }

  /** Pending tasks not yet due, soonest first, with the time left by the database clock (the seed's `list_scheduled_tasks`). */
  async listScheduled(options?: PageOptions): Promise<ScheduledTaskInfo[]> {
    const { limit, offset } = resolvePage(options);
    return this.#ctx.run('tasks.listScheduled', async () => {
      const rows = await selectTaskInfos(this.#ctx.db, this.#ctx.queue)
        .select(sql<number>`TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), scheduled_at)`.as('delay_us'))
        .where(stateIs('pending'))
        .where('scheduled_at', '>', sql<Date>`UTC_TIMESTAMP(6)`)
        .orderBy('scheduled_at', 'asc')
        .orderBy('id', 'asc')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map((row) => ({
        ...toTaskInfo(row),
        delayRemainingMs: Math.max(0, Math.floor(Number(row.delay_us) / 1000)),
      }));
    });
  }

  /** Number of pending tasks not yet due (the seed's `count_scheduled_tasks`). */
  async countScheduled(): Promise<number> {
    return this.#ctx.run('tasks.countScheduled', () => countScheduledTasks(this.#ctx.db, this.#ctx.queue));
  }

  /** Sets (or, with `null`, clears) a task's error message; `false` when the task is not in this queue. */
  async updateErrorMessage(taskId: string, message: string | null): Promise<boolean> {
    const id = assertTaskId(taskId, 'taskId');
    const text = assertText(message, 'message');
    return this.#ctx.run(
      'tasks.updateErrorMessage',
      async () => (await writeErrorMessage(this.#ctx.db, this.#ctx.queue, id, text)) === 1,
    );
  }

  /**
   * Reassigns a processing task to another worker (the seed's `set_worker_id`); `false` unless the task is
   * processing in this queue. The receipt handle is unchanged.
   */
  async setWorkerId(taskId: string, workerId: string): Promise<boolean> {
    const id = assertTaskId(taskId, 'taskId');
    const worker = assertName(workerId, 'workerId');
    return this.#ctx.run(
      'tasks.setWorkerId',
      async () => (await writeWorkerId(this.#ctx.db, this.#ctx.queue, id, worker)) === 1,
    );
  }

  // ---- metadata, progress and bulk state (issue 5) ----

  /** Tasks whose metadata at `path` (`$.a.b`) equals `value`, newest first (the seed's `query_tasks_by_metadata`). */
  async queryByMetadata(path: string, value: MetadataValue, options?: PageOptions): Promise<TaskInfo[]> {
    return queryByMetadata(this.#ctx, path, value, options);
  }

  /** Sets metadata at `path` to any JSON value (JSON_SET); `false` when the task is not in this queue. */
  async updateMetadata(taskId: string, path: string, value: unknown): Promise<boolean> {
    return updateMetadata(this.#ctx, taskId, path, value);
  }

  /** Tasks created in `[from, to)`, optionally in one state, newest first. */
  async searchByDateRange(search: DateRangeSearch): Promise<TaskInfo[]> {
    return searchByDateRange(this.#ctx, search);
  }

  /** Progress recorded by `broker.updateProgress`, or `null`. */
  async getProgress(taskId: string): Promise<TaskProgress | null> {
    return getProgress(this.#ctx, taskId);
  }

  /** Sets the state of many tasks (pending, completed, failed or cancelled); returns how many changed. */
  async updateBatchState(taskIds: readonly string[], state: SettableTaskState): Promise<number> {
    return updateBatchState(this.#ctx, taskIds, state);
  }

  /**
   * Deletes the finished (completed, failed, cancelled) tasks among `taskIds`; returns how many. Pending and
   * processing tasks are left alone (cancel them first), so no worker loses a task it holds.
   */
  async deleteFinished(taskIds: readonly string[]): Promise<number> {
    return deleteFinishedTasks(this.#ctx, taskIds);
  }
}
