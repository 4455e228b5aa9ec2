import type { RecurringTaskRow } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';

/** The database's current UTC time. @internal */
export async function readDbNow(db: Executor): Promise<Date> {
  const row = await sql<{ now: Date }>`SELECT UTC_TIMESTAMP(6) AS now`.execute(db);
  return row.rows[0]?.now ?? new Date();
}

/**
 * Locks up to `limit` due, enabled schedules of `queue`, skipping rows another scheduler holds: that is what
 * lets several schedulers run `process()` at once without enqueuing a run twice. Served by idx_recurring_due.
 * @internal
 */
export async function lockDueSchedules(
  trx: Executor,
  queue: string,
  limit: number,
): Promise<RecurringTaskRow[]> {
  return trx
    .selectFrom('celers_recurring_tasks')
    .selectAll()
    .where('queue_name', '=', queue)
    .where('enabled', '=', 1)
    .where('next_run_at', '<=', dbNow())
    .orderBy('next_run_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Records a run: the next due time, the run time and the task it enqueued. @internal */
export async function advanceSchedule(
  trx: Executor,
  id: string,
  nextRunAt: Date,
  ranAt: Date,
  taskId: string,
): Promise<void> {
  await trx
    .updateTable('celers_recurring_tasks')
    .set({ next_run_at: nextRunAt, last_run_at: ranAt, last_task_id: taskId, updated_at: dbNow() })
    .where('id', '=', id)
    .execute();
}

/** Reads one schedule of `queue` by id, optionally locking it. @internal */
export async function findSchedule(
  db: Executor,
  queue: string,
  id: string,
  lock = false,
): Promise<RecurringTaskRow | undefined> {
  let q = db
    .selectFrom('celers_recurring_tasks')
    .selectAll()
    .where('id', '=', id)
    .where('queue_name', '=', queue);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Reads one schedule of `queue` by name, locked for an upsert. @internal */
export async function lockScheduleByName(
  trx: Executor,
  queue: string,
  name: string,
): Promise<RecurringTaskRow | undefined> {
  return trx
    .selectFrom('celers_recurring_tasks')
    .selectAll()
    .where('queue_name', '=', queue)
    .where('name', '=', name)
    .forUpdate()
    .executeTakeFirst();
}
