import type { TaskState } from '@celers/core';
import { type StoredTaskState, stateIs } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';

// Counts the queue itself needs (queue size, capacity checks, scheduled work), on idx_tasks_dequeue's prefix.

/** The table that holds tasks in `state`. @internal */
export function tableForState(state: StoredTaskState): 'celers_live_tasks' | 'celers_finished_tasks' {
  return state === 'pending' || state === 'scheduled' || state === 'processing'
    ? 'celers_live_tasks'
    : 'celers_finished_tasks';
}

/**
 * Tasks of one queue in one state (an index range count on idx_tasks_dequeue's prefix). Live states count the
 * live table alone; finished states count both tables through the view, since completed tasks wait in the live
 * table until the archiver moves them. @internal
 */
export async function countTasksInState(db: Executor, queue: string, state: TaskState): Promise<number> {
  const count = (table: 'celers_live_tasks' | 'celers_finished_tasks') =>
    sql<number>`(SELECT COUNT(*) FROM ${sql.table(table)} WHERE queue_name = ${queue} AND ${stateIs(state)})`;
  const total =
    tableForState(state) === 'celers_live_tasks'
      ? count('celers_live_tasks')
      : sql<number>`${count('celers_live_tasks')} + ${count('celers_finished_tasks')}`;
  const row = await sql<{ n: number }>`SELECT ${total} AS n`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

/** Pending tasks not yet due (by the database clock), whichever their stored state. @internal */
export async function countScheduledTasks(db: Executor, queue: string): Promise<number> {
  const row = await db
    .selectFrom('celers_live_tasks')
    .select(sql<number>`COUNT(*)`.as('n'))
    .where('queue_name', '=', queue)
    .where(stateIs('pending'))
    .where('scheduled_at', '>', sql<Date>`UTC_TIMESTAMP(6)`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
