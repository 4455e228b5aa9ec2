import type { TaskState } from '@celers/core';
import { stateIs } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import type { QueueStatistics, TaskNameCount } from './statistics-types.js';

/** `COALESCE(SUM(CASE WHEN <state is s> THEN 1 ELSE 0 END), 0)` for a public state (`pending` counts both stored values). */
function countState(state: TaskState) {
  return sql<number>`COALESCE(SUM(CASE WHEN ${stateIs(state)} THEN 1 ELSE 0 END), 0)`;
}

/** `COALESCE(SUM(CASE WHEN <state is s> THEN <column> ELSE 0 END), 0)`: adds up per-state subtotals. */
function sumForState(state: TaskState, column: 'n' | 'future') {
  return sql<number>`COALESCE(SUM(CASE WHEN ${stateIs(state)} THEN ${sql.ref(column)} ELSE 0 END), 0)`;
}

/** One task table's rows of `queue`, counted per stored state: `n` rows, `future` of them due later. */
function perStateCounts(table: 'celers_live_tasks' | 'celers_finished_tasks', queue: string) {
  return sql`SELECT state, COUNT(*) AS n, SUM(scheduled_at > UTC_TIMESTAMP(6)) AS future
    FROM ${sql.table(table)} WHERE queue_name = ${queue} GROUP BY state`;
}

/**
 * Per-state counts of one queue in ONE statement, each task counted once (see {@link QueueStatistics}): each task
 * table counted per state on its own `idx_tasks_dequeue` (queue_name, state, …, scheduled_at, …), an index-only
 * walk that needs no temporary table, then the few subtotals added up; joined to one aggregate over the queue's DLQ
 * entries, whose task rows it looks up by primary key. (The union of the two tables' rows before counting copied
 * every row of the queue into a temporary table first: 10.6 ms vs 2.3 ms for a plain GROUP BY at 10k tasks, W7.)
 * A dead-lettered task has a `failed` task row AND a DLQ entry; it counts as `deadLettered` only. One statement
 * reads one snapshot, and a move to the DLQ is one transaction, so no task is seen half-moved.
 * @internal
 */
export async function readQueueStatistics(db: Executor, queue: string): Promise<QueueStatistics> {
  const subtotals = sql<{ state: string; n: number; future: number }>`(
    ${perStateCounts('celers_live_tasks', queue)}
    UNION ALL
    ${perStateCounts('celers_finished_tasks', queue)})`;
  const tasks = db
    .selectFrom(subtotals.as('u'))
    .select([
      sumForState('pending', 'n').as('pending'),
      sumForState('processing', 'n').as('processing'),
      sumForState('completed', 'n').as('completed'),
      sumForState('failed', 'n').as('failed_rows'),
      sumForState('cancelled', 'n').as('cancelled'),
      sumForState('pending', 'future').as('scheduled'),
      sql<number>`COALESCE(SUM(n), 0)`.as('task_rows'),
    ])
    .as('t');
  // Every DLQ entry with its task row, if that is still in this queue (a purge may have removed it). Joined
  // to each task table by primary key (a join to the view would materialise it); a failed row is a finished one.
  const dlq = db
    .selectFrom('celers_dead_letter_queue as e')
    .leftJoin('celers_finished_tasks as k', (join) =>
      join.onRef('k.id', '=', 'e.task_id').onRef('k.queue_name', '=', 'e.queue_name'),
    )
    .leftJoin('celers_live_tasks as l', (join) =>
      join.onRef('l.id', '=', 'e.task_id').onRef('l.queue_name', '=', 'e.queue_name'),
    )
    .select([
      sql<number>`COUNT(*)`.as('dlq_entries'),
      sql<number>`COUNT(DISTINCT CASE WHEN (k.id IS NULL AND l.id IS NULL) OR k.state = 'failed' THEN e.task_id END)`.as(
        'dead_lettered',
      ),
      sql<number>`COUNT(DISTINCT CASE WHEN k.state = 'failed' THEN e.task_id END)`.as(
        'dead_lettered_failed_rows',
      ),
      sql<number>`COUNT(DISTINCT CASE WHEN k.id IS NULL AND l.id IS NULL THEN e.task_id END)`.as(
        'dead_lettered_without_row',
      ),
    ])
    .where('e.queue_name', '=', queue)
    .as('d');
  const row = await db.selectFrom([tasks, dlq]).selectAll().executeTakeFirstOrThrow();
  return {
    pending: Number(row.pending),
    processing: Number(row.processing),
    completed: Number(row.completed),
    failed: Number(row.failed_rows) - Number(row.dead_lettered_failed_rows),
    cancelled: Number(row.cancelled),
    deadLettered: Number(row.dead_lettered),
    dlq: Number(row.dlq_entries),
    scheduled: Number(row.scheduled),
    total: Number(row.task_rows) + Number(row.dead_lettered_without_row),
  };
}

/**
 * Counts by task name and state, sorted by name: one GROUP BY over the view. The finished table's
 * idx_tasks_task_name_state covers it; the live table's (keyed on `run_phase` since migration 0016) gives the
 * name order and the row gives `state`.
 * @internal
 */
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
