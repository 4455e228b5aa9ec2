import {
  assertDurationMs,
  assertName,
  assertOneOf,
  assertOptionalObject,
  CelersError,
  FINISHED_TASK_STATES,
  TASK_STATES,
  type TaskState,
} from '@celers/core';
import { STORED_TASK_STATES, storedStatesOf } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { dbNowPlusMs } from '../internal/db-time.js';
import { deleteOrphanLinks } from '../queue/task-links.sql.js';
import { deleteTasksWhere } from './chunked-delete.js';

/** Options for `maintenance.deleteByCriteria` (the seed's `delete_tasks_by_criteria`). */
export interface DeleteCriteria {
  /** Only tasks in this state; any state when omitted. */
  state?: TaskState;
  /** Only tasks created more than this long ago (database clock). */
  olderThanMs: number;
}

/**
 * Deletes finished tasks (completed, failed, cancelled) of the queue that finished more than `olderThanMs` ago,
 * in chunks (the seed's `archive_completed_tasks`). Served by idx_tasks_completed_at. Then sweeps the
 * `celers_task_links` rows whose task no longer exists in either table (every queue's).
 * @internal
 */
export async function archiveCompleted(
  ctx: BrokerContext,
  options: { olderThanMs: number },
): Promise<number> {
  const o = assertOptionalObject(options, 'options');
  if (!o) throw CelersError.invalidArgument('options', 'expected { olderThanMs }');
  const ms = assertDurationMs(o.olderThanMs, 'options.olderThanMs');
  return ctx.run('maintenance.archiveCompleted', async () => {
    const deleted = await deleteTasksWhere(ctx, (eb) =>
      eb.and([eb('completed_at', '<', dbNowPlusMs(-ms)), eb('state', 'in', [...FINISHED_TASK_STATES])]),
    );
    // The links rows of tasks deleted here, by purges or by keepCompleted:false acks (which spend no
    // statement on them).
    await deleteOrphanLinks(ctx.db);
    return deleted;
  });
}

/** Deletes every task of the queue, in any state, in chunks (the seed's `purge_all`). @internal */
export async function purgeAll(ctx: BrokerContext): Promise<number> {
  return ctx.run('maintenance.purgeAll', () =>
    deleteTasksWhere(ctx, (eb) => eb('state', 'in', STORED_TASK_STATES)),
  );
}

/** Deletes the queue's tasks in `state`, in chunks (the seed's `purge_by_state`). @internal */
export async function purgeByState(
  ctx: BrokerContext,
  state: TaskState,
  operation = 'maintenance.purgeByState',
): Promise<number> {
  const st = assertOneOf(state, TASK_STATES, 'state');
  return ctx.run(operation, () => deleteTasksWhere(ctx, (eb) => eb('state', 'in', storedStatesOf(st))));
}

/** Deletes the queue's tasks named `taskName`, in any state, in chunks (the seed's `purge_by_task_name`). @internal */
export async function purgeByTaskName(ctx: BrokerContext, taskName: string): Promise<number> {
  const name = assertName(taskName, 'taskName');
  return ctx.run('maintenance.purgeByTaskName', () =>
    deleteTasksWhere(ctx, (eb) => eb('task_name', '=', name)),
  );
}

/** Deletes tasks created more than `olderThanMs` ago, optionally only in one state, in chunks. @internal */
export async function deleteByCriteria(ctx: BrokerContext, criteria: DeleteCriteria): Promise<number> {
  const c = assertOptionalObject(criteria, 'criteria');
  if (!c) throw CelersError.invalidArgument('criteria', 'expected { olderThanMs, state? }');
  const ms = assertDurationMs(c.olderThanMs, 'criteria.olderThanMs');
  const state = c.state === undefined ? undefined : assertOneOf(c.state, TASK_STATES, 'criteria.state');
  return ctx.run('maintenance.deleteByCriteria', () =>
    deleteTasksWhere(ctx, (eb) =>
      eb.and([
        eb('created_at', '<', dbNowPlusMs(-ms)),
        eb('state', 'in', state === undefined ? STORED_TASK_STATES : storedStatesOf(state)),
      ]),
    ),
  );
}
