import type { TaskState } from '@celers/core';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';

// Counts the queue itself needs (queue size, capacity checks, scheduled work), on idx_tasks_dequeue's prefix.

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
