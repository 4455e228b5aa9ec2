import type { TaskState } from '@celers/core';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import type { QueueStatistics, TaskNameCount } from '../types/queue-statistics.js';

/** `COALESCE(SUM(CASE WHEN state = <s> THEN 1 ELSE 0 END), 0)` for a constant state. */
function countState(state: string) {
  return sql<number>`COALESCE(SUM(CASE WHEN state = ${state} THEN 1 ELSE 0 END), 0)`;
}

/**
 * Per-state counts of one queue in ONE statement: a single pass over the queue's rows of idx_tasks_dequeue
 * (SUM(CASE …)) plus a scalar subquery for the DLQ, instead of one COUNT per state.
 * @internal
 */
export async function readQueueStatistics(db: Executor, queue: string): Promise<QueueStatistics> {
  const row = await db
    .selectFrom('celers_tasks')
    .select([
      countState('pending').as('pending'),
      countState('processing').as('processing'),
      countState('completed').as('completed'),
      countState('failed').as('failed'),
      countState('cancelled').as('cancelled'),
      sql<number>`COALESCE(SUM(CASE WHEN state = 'pending' AND scheduled_at > UTC_TIMESTAMP(6) THEN 1 ELSE 0 END), 0)`.as(
        'scheduled',
      ),
      sql<number>`COUNT(*)`.as('total'),
      sql<number>`(SELECT COUNT(*) FROM celers_dead_letter_queue WHERE queue_name = ${queue})`.as('dlq'),
    ])
    .where('queue_name', '=', queue)
    .executeTakeFirstOrThrow();
  return {
    pending: Number(row.pending),
    processing: Number(row.processing),
    completed: Number(row.completed),
    failed: Number(row.failed),
    cancelled: Number(row.cancelled),
    dlq: Number(row.dlq),
    scheduled: Number(row.scheduled),
    total: Number(row.total),
  };
}

/** Counts by task name and state (served by idx_tasks_task_name_state), sorted by name. @internal */
export async function readCountsByTaskName(db: Executor, queue: string): Promise<TaskNameCount[]> {
  const rows = await db
    .selectFrom('celers_tasks')
    .select([
      'task_name',
      countState('pending').as('pending'),
      countState('processing').as('processing'),
      countState('completed').as('completed'),
      countState('failed').as('failed'),
      countState('cancelled').as('cancelled'),
      sql<number>`COUNT(*)`.as('total'),
    ])
    .where('queue_name', '=', queue)
    .groupBy('task_name')
    .orderBy('task_name')
    .execute();
  return rows.map((r) => ({
    taskName: r.task_name,
    pending: Number(r.pending),
    processing: Number(r.processing),
    completed: Number(r.completed),
    failed: Number(r.failed),
    cancelled: Number(r.cancelled),
    total: Number(r.total),
  }));
}

/** Tasks of one queue in one state (an index range count on idx_tasks_dequeue's prefix). @internal */
export async function countTasksInState(db: Executor, queue: string, state: TaskState): Promise<number> {
  const row = await db
    .selectFrom('celers_tasks')
    .select(sql<number>`COUNT(*)`.as('n'))
    .where('queue_name', '=', queue)
    .where('state', '=', state)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Pending tasks not yet due (by the database clock). @internal */
export async function countScheduledTasks(db: Executor, queue: string): Promise<number> {
  const row = await db
    .selectFrom('celers_tasks')
    .select(sql<number>`COUNT(*)`.as('n'))
    .where('queue_name', '=', queue)
    .where('state', '=', 'pending')
    .where('scheduled_at', '>', sql<Date>`UTC_TIMESTAMP(6)`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
