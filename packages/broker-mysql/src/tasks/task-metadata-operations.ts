import {
  assertJsonPath,
  assertOneOf,
  assertOptionalObject,
  assertTaskId,
  assertTaskIds,
  assertTime,
  CelersError,
  TASK_STATES,
  type TaskState,
} from '@celers/core';
import { stateIs, storedStatesOf } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext, Executor } from '../broker-context.js';
import { assertJsonFits } from '../internal/assert-fits.js';
import { dbNow } from '../internal/db-time.js';
import { type PageOptions, resolvePage } from '../internal/page-options.js';
import { assertMetadataPathValue } from '../internal/validate-metadata.js';
import { linkLiveTasks, unlinkTasks } from '../queue/task-links.sql.js';
import { finishLiveTasks, reviveFinishedTasks, updateEitherTable } from '../queue/task-moves.sql.js';

/** Metadata paths copied into a task's `celers_task_links` row. */
const LINK_PATHS: ReadonlySet<string> = new Set(['$.group_id', '$.parent_task_id', '$.dedup_key']);

import { newestFirstPage, selectTaskInfos } from './task-info.sql.js';
import type { TaskInfo } from './task-types.js';

/** A task's progress (the seed's `TaskProgress`), as recorded by `broker.updateProgress`. */
export interface TaskProgress {
  /** 0–100. */
  percent: number;
  /** The step label, when one was given. */
  step: string | null;
  /** When it was recorded; not stored by this schema (no column), so always `undefined` for now. */
  updatedAt?: Date;
}

/** Options for `tasks.searchByDateRange` (the seed's `search_tasks_by_date_range`). */
export interface DateRangeSearch extends PageOptions {
  /** Inclusive lower bound on `created_at`. */
  from: Date | number;
  /** Exclusive upper bound on `created_at`. */
  to: Date | number;
  /** Only tasks in this state. */
  state?: TaskState;
}

/** States `updateBatchState` may set: `processing` only comes from a claim (it needs a lease and receipt). */
export const SETTABLE_TASK_STATES = ['pending', 'completed', 'failed', 'cancelled'] as const;
/** One of {@link SETTABLE_TASK_STATES}. */
export type SettableTaskState = (typeof SETTABLE_TASK_STATES)[number];

/** A JSON scalar to match in `queryByMetadata` (compared as the unquoted text MySQL extracts). */
export type MetadataValue = string | number | boolean;

function metadataText(value: unknown): string {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    return String(value);
  throw CelersError.invalidArgument('value', 'expected a string, finite number or boolean');
}

/**
 * Tasks whose `metadata` at `path` equals `value`, newest first (the seed's `query_tasks_by_metadata`). The path
 * is validated (`$.a.b` only) and bound as a parameter: `JSON_UNQUOTE(JSON_EXTRACT(metadata, ?)) = ?`. Scans the
 * queue's rows (JSON is not indexed except `group_id`/`parent_task_id`/`dedup_key`); page with limit/offset.
 * @internal
 */
export async function queryByMetadata(
  ctx: BrokerContext,
  path: string,
  value: MetadataValue,
  options?: PageOptions,
): Promise<TaskInfo[]> {
  const p = assertJsonPath(path, 'path');
  const text = metadataText(value);
  const { limit, offset } = resolvePage(options);
  return ctx.run('tasks.queryByMetadata', async () => {
    const query = selectTaskInfos(ctx.db, ctx.queue).where(
      sql<boolean>`JSON_UNQUOTE(JSON_EXTRACT(metadata, ${p})) = ${text}`,
    );
    return newestFirstPage(query, { limit, offset });
  });
}

/**
 * Sets `metadata` at `path` to `value` (any JSON value) with `JSON_SET` (the seed's `update_task_metadata`);
 * `false` when the task is not in this queue. Like JSON_SET, a path whose parent object is missing changes
 * nothing. Setting `$.dedup_key` to a key a live task holds fails with `DUPLICATE_TASK`.
 * @internal
 */
export async function updateMetadata(
  ctx: BrokerContext,
  taskId: string,
  path: string,
  value: unknown,
): Promise<boolean> {
  const id = assertTaskId(taskId, 'taskId');
  const p = assertJsonPath(path, 'path');
  const json = assertMetadataPathValue(p, value, 'value');
  assertJsonFits(ctx.limits, 'value', json);
  return ctx.run('tasks.updateMetadata', async () => {
    try {
      // JSON_EXTRACT(?, '$') turns the JSON text into a JSON value on both MySQL and MariaDB (no CAST AS JSON there).
      const update = (db: Executor) =>
        updateEitherTable((table) =>
          db
            .updateTable(table)
            .set({ metadata: sql`JSON_SET(metadata, ${p}, JSON_EXTRACT(${json}, '$'))` })
            .where('id', '=', id)
            .where('queue_name', '=', ctx.queue)
            .executeTakeFirstOrThrow(),
        );
      if (!LINK_PATHS.has(p)) return (await update(ctx.db)) === 1;
      // A group, parent or dedup key changes the task's links row too, in the same transaction.
      return await ctx.db.transaction().execute(async (trx) => {
        const n = await update(trx);
        await unlinkTasks(trx, [id]);
        await linkLiveTasks(trx, [id]);
        return n === 1;
      });
    } catch (error) {
      if ((error as { errno?: number }).errno === 1062) {
        throw new CelersError('DUPLICATE_TASK', 'A live task with this dedup key already exists', {
          cause: error,
        });
      }
      throw error;
    }
  });
}

/** Tasks created in `[from, to)`, optionally in one state, newest first. @internal */
export async function searchByDateRange(ctx: BrokerContext, search: DateRangeSearch): Promise<TaskInfo[]> {
  const s = assertOptionalObject(search, 'search') as DateRangeSearch | undefined;
  if (!s) throw CelersError.invalidArgument('search', 'expected { from, to }');
  const from = assertTime(s.from, 'search.from');
  const to = assertTime(s.to, 'search.to');
  if (from.getTime() > to.getTime())
    throw CelersError.invalidArgument('search.to', 'must not be before search.from');
  const state = s.state === undefined ? undefined : assertOneOf(s.state, TASK_STATES, 'search.state');
  const { limit, offset } = resolvePage({ limit: s.limit, offset: s.offset }, 'search');
  return ctx.run('tasks.searchByDateRange', async () => {
    let q = selectTaskInfos(ctx.db, ctx.queue).where('created_at', '>=', from).where('created_at', '<', to);
    if (state !== undefined) q = q.where(stateIs(state));
    return newestFirstPage(q, { limit, offset });
  });
}

/** A task's recorded progress; `null` when the task is unknown or never reported progress. @internal */
export async function getProgress(ctx: BrokerContext, taskId: string): Promise<TaskProgress | null> {
  const id = assertTaskId(taskId, 'taskId');
  return ctx.run('tasks.getProgress', async () => {
    const row = await ctx.db
      .selectFrom('celers_tasks')
      .select(['progress_percent', 'progress_step'])
      .where('id', '=', id)
      .where('queue_name', '=', ctx.queue)
      .executeTakeFirst();
    if (!row || row.progress_percent == null) return null;
    return { percent: Number(row.progress_percent), step: row.progress_step };
  });
}

/**
 * Sets the state of many tasks in one statement (the seed's `update_batch_state`); returns how many changed.
 * Finishing states stamp `completed_at` and drop any lease and receipt (an in-flight worker's ack then fails
 * with `STALE_RECEIPT`); `pending` also clears the worker so the task can be claimed again.
 * @internal
 */
export async function updateBatchState(
  ctx: BrokerContext,
  taskIds: readonly string[],
  state: SettableTaskState,
): Promise<number> {
  const ids = assertTaskIds(taskIds, 'taskIds');
  const st = assertOneOf(state, SETTABLE_TASK_STATES, 'state');
  if (ids.length === 0) return 0;
  const sorted = [...ids].sort();
  // A change across the live/finished line is a move between the task tables; one within a side, an UPDATE.
  return ctx.run('tasks.updateBatchState', () =>
    ctx.db.transaction().execute(async (trx) => {
      const lock = (table: 'celers_live_tasks' | 'celers_finished_tasks') =>
        trx
          .selectFrom(table)
          .select('id')
          .where('id', 'in', sorted)
          .where('queue_name', '=', ctx.queue)
          // A scheduled task already is `pending`: setting it so changes nothing.
          .where('state', 'not in', storedStatesOf(st))
          .forUpdate()
          .execute()
          .then((rows) => rows.map((r) => r.id));
      const live = await lock('celers_live_tasks');
      const finished = await lock('celers_finished_tasks');
      if (st === 'pending') {
        if (live.length > 0)
          await trx
            .updateTable('celers_live_tasks')
            .set({
              state: st,
              started_at: null,
              lease_expires_at: null,
              receipt_handle: null,
              worker_id: null,
            })
            .where('id', 'in', live)
            .execute();
        // A completed row back to pending re-takes its dedup key (1062 while another live task holds it).
        await linkLiveTasks(trx, live);
        const revived = await reviveFinishedTasks(trx, finished);
        if (revived > 0)
          await trx
            .updateTable('celers_live_tasks')
            .set({ started_at: null })
            .where('id', 'in', finished)
            .execute();
        return live.length + revived;
      }
      const moved = await finishLiveTasks(trx, live, { state: st });
      if (finished.length > 0)
        await trx
          .updateTable('celers_finished_tasks')
          .set({ state: st, completed_at: dbNow() })
          .where('id', 'in', finished)
          .execute();
      return moved + finished.length;
    }),
  );
}
