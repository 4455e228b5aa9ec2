import type { CelersKysely } from '../dashboard-options.js';
import { errorMessageContains, type PageWindow, readPage } from './search-page.sql.js';

/** Validated filters of the DLQ list (see `parseDlqFilters`). */
export interface DlqFilters extends PageWindow {
  /** Exact task name (served by `idx_dlq_task_name`). */
  taskName?: string;
  /** Text contained in the error message (a scan of the queue's DLQ rows). */
  error?: string;
  /** The dead-lettered task's id (served by `idx_dlq_task_id`): the link from a task to its entries. */
  taskId?: string;
}

/** One row of the DLQ list: what the table shows, without payload bytes. */
export interface DlqListRow {
  id: string;
  taskId: string;
  taskName: string;
  priority: number;
  retryCount: number;
  maxRetries: number;
  errorMessage: string | null;
  createdAt: Date;
  failedAt: Date;
}

/** A page of the DLQ list and the number of entries matching the filters. */
export interface DlqPage {
  entries: DlqListRow[];
  total: number;
  limit: number;
  offset: number;
}

function filtered(db: CelersKysely, queue: string, f: DlqFilters) {
  let q = db.selectFrom('celers_dead_letter_queue').where('queue_name', '=', queue);
  if (f.taskName !== undefined) q = q.where('task_name', '=', f.taskName);
  if (f.taskId !== undefined) q = q.where('task_id', '=', f.taskId);
  if (f.error !== undefined) q = q.where(errorMessageContains(f.error));
  return q;
}

/**
 * DLQ entries of `queue` matching every filter, most recently failed first (the order of `broker.dlq.list`),
 * with the total for paging. The DLQ table keeps its shape when hot rows move out of `celers_tasks`.
 */
export async function searchDlq(db: CelersKysely, queue: string, f: DlqFilters): Promise<DlqPage> {
  const page = await readPage(
    filtered(db, queue, f),
    (q) =>
      q
        .select([
          'id',
          'task_id',
          'task_name',
          'priority',
          'retry_count',
          'max_retries',
          'error_message',
          'created_at',
          'failed_at',
        ])
        .orderBy('failed_at', 'desc')
        .orderBy('id', 'desc'),
    f,
  );
  return {
    entries: page.rows.map((r) => ({
      id: r.id,
      taskId: r.task_id,
      taskName: r.task_name,
      priority: r.priority,
      retryCount: r.retry_count,
      maxRetries: r.max_retries,
      errorMessage: r.error_message,
      createdAt: r.created_at,
      failedAt: r.failed_at,
    })),
    total: page.total,
    limit: page.limit,
    offset: page.offset,
  };
}
