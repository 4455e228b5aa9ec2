import { sql } from 'kysely';
import type { AnyDb, CelerySchema } from './kombu-schema.sql.js';

/** One `celery_taskmeta` write; `result` is already pickled. */
export interface TaskMetaWrite {
  taskId: string;
  status: string;
  result: Buffer | null;
  traceback: string | null;
  /** Celery sets `date_done` for ready states only (SUCCESS, FAILURE, REVOKED). */
  done: boolean;
  name: string | null;
  retries: number | null;
  queue: string | null;
  worker: string | null;
}

/** Inserts or overwrites the task's row, as the database backend's `_store_result` does. */
export async function upsertTaskMeta(db: AnyDb, schema: CelerySchema, row: TaskMetaWrite): Promise<void> {
  const dateDone = row.done ? sql`UTC_TIMESTAMP()` : sql`NULL`;
  await sql`INSERT INTO celery_taskmeta
      (id, task_id, status, result, date_done, traceback, name, args, kwargs, worker, retries, queue)
    VALUES (${schema.taskMetaId}, ${row.taskId}, ${row.status}, ${row.result}, ${dateDone}, ${row.traceback},
      ${row.name}, NULL, NULL, ${row.worker}, ${row.retries}, ${row.queue})
    ON DUPLICATE KEY UPDATE status = VALUES(status), result = VALUES(result), date_done = VALUES(date_done),
      traceback = VALUES(traceback), name = VALUES(name), worker = VALUES(worker), retries = VALUES(retries),
      queue = VALUES(queue)`.execute(db);
}

/** A raw `celery_taskmeta` row. */
export interface TaskMetaRow {
  status: string;
  result: Buffer | null;
  traceback: string | null;
  date_done: Date | null;
}

/** Reads the task's row, or undefined when none exists (Celery reports PENDING then). */
export async function selectTaskMeta(db: AnyDb, taskId: string): Promise<TaskMetaRow | undefined> {
  const found = await sql<TaskMetaRow>`SELECT status, result, traceback, date_done FROM celery_taskmeta
    WHERE task_id = ${taskId}`.execute(db);
  return found.rows[0];
}
