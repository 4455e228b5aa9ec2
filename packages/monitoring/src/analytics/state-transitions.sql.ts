import { type CelersDatabase, publicTaskState } from '@celers/schema';
import type { Kysely } from 'kysely';
import { toDate } from '../internal/numbers.js';

/** One state change of a task (the seed's `TaskStateTransition`). */
export interface TaskStateTransition {
  taskId: string;
  /** `null` for the creation. */
  fromState: string | null;
  toState: string;
  at: Date;
  /** The worker involved, when recorded. */
  workerId: string | null;
  /** `history` when read from `celers_task_history`, `inferred` when rebuilt from the task's timestamps. */
  source: 'history' | 'inferred';
}

/**
 * The task's transitions from `celers_task_history` (oldest first) when any were recorded; otherwise inferred
 * from the task row: created → `pending`, `started_at` → `processing`, `completed_at` → the final state.
 * An unknown task gives an empty list.
 * @internal
 */
export async function selectStateTransitions(
  db: Kysely<CelersDatabase>,
  queue: string,
  taskId: string,
): Promise<TaskStateTransition[]> {
  const history = await db
    .selectFrom('celers_task_history')
    .select(['task_id', 'from_state', 'to_state', 'created_at', 'worker_id'])
    .where('task_id', '=', taskId)
    .where('queue_name', '=', queue)
    .orderBy('id')
    .execute();
  if (history.length > 0) {
    return history.map((row) => ({
      taskId: row.task_id,
      fromState: row.from_state,
      toState: row.to_state,
      at: toDate(row.created_at) as Date,
      workerId: row.worker_id,
      source: 'history' as const,
    }));
  }
  const task = await db
    .selectFrom('celers_tasks')
    .select(['id', 'state', 'created_at', 'started_at', 'completed_at', 'worker_id'])
    .where('id', '=', taskId)
    .where('queue_name', '=', queue)
    .executeTakeFirst();
  if (!task) return [];
  const state = publicTaskState(task.state);
  const transitions: TaskStateTransition[] = [
    {
      taskId,
      fromState: null,
      toState: 'pending',
      at: toDate(task.created_at) as Date,
      workerId: null,
      source: 'inferred',
    },
  ];
  const startedAt = toDate(task.started_at);
  if (startedAt) {
    transitions.push({
      taskId,
      fromState: 'pending',
      toState: 'processing',
      at: startedAt,
      workerId: task.worker_id,
      source: 'inferred',
    });
  }
  const completedAt = toDate(task.completed_at);
  if (completedAt && state !== 'pending' && state !== 'processing') {
    transitions.push({
      taskId,
      fromState: startedAt ? 'processing' : 'pending',
      toState: state,
      at: completedAt,
      workerId: startedAt ? task.worker_id : null,
      source: 'inferred',
    });
  }
  return transitions;
}
