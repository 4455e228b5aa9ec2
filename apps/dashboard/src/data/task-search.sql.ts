import type { TaskState } from '@celers/core';
import { parseJsonColumn, publicTaskState, stateIs } from '@celers/schema';
import type { CelersKysely } from '../dashboard-options.js';
import { errorMessageContains, type PageWindow, readPage } from './search-page.sql.js';

/** Validated filters of the task list (see `parseTaskFilters`). */
export interface TaskFilters extends PageWindow {
  state?: TaskState;
  /** Exact task name. */
  name?: string;
  /** Text contained in the error message. */
  error?: string;
  /** Inclusive lower bound on `created_at`. */
  from?: Date;
  /** Exclusive upper bound on `created_at`. */
  to?: Date;
  /** A plain `$.a.b` JSON path, together with {@link TaskFilters.metaValue}. */
  metaPath?: string;
  metaValue?: string;
}

/** One row of the task list: what the table shows, without payload bytes. */
export interface TaskListRow {
  id: string;
  taskName: string;
  state: TaskState;
  priority: number;
  retryCount: number;
  maxRetries: number;
  createdAt: Date;
  scheduledAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  workerId: string | null;
  errorMessage: string | null;
  progressPercent: number | null;
  metadata: Record<string, unknown>;
}

/** A page of the task list and the number of rows matching the filters. */
export interface TaskPage {
  tasks: TaskListRow[];
  total: number;
  limit: number;
  offset: number;
}

function filtered(db: CelersKysely, queue: string, f: TaskFilters) {
  let q = db.selectFrom('celers_tasks').where('queue_name', '=', queue);
  if (f.state !== undefined) q = q.where(stateIs(f.state));
  if (f.name !== undefined) q = q.where('task_name', '=', f.name);
  if (f.error !== undefined) q = q.where(errorMessageContains(f.error));
  if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('created_at', '<', f.to);
  const { metaPath, metaValue } = f;
  if (metaPath !== undefined && metaValue !== undefined) {
    // The path is validated as `$.a.b` and bound as a parameter, like broker.tasks.queryByMetadata.
    q = q.where((eb) =>
      eb(
        eb.fn<string>('JSON_UNQUOTE', [eb.fn('JSON_EXTRACT', [eb.ref('metadata'), eb.val(metaPath)])]),
        '=',
        metaValue,
      ),
    );
  }
  return q;
}

/** Tasks of `queue` matching every given filter, newest first, with the total count for pagination. */
export async function searchTasks(db: CelersKysely, queue: string, f: TaskFilters): Promise<TaskPage> {
  const page = await readPage(
    filtered(db, queue, f),
    (q) =>
      q
        .select([
          'id',
          'task_name',
          'state',
          'priority',
          'retry_count',
          'max_retries',
          'created_at',
          'scheduled_at',
          'started_at',
          'completed_at',
          'worker_id',
          'error_message',
          'progress_percent',
          'metadata',
        ])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc'),
    f,
  );
  return {
    tasks: page.rows.map((r) => ({
      id: r.id,
      taskName: r.task_name,
      state: publicTaskState(r.state),
      priority: r.priority,
      retryCount: r.retry_count,
      maxRetries: r.max_retries,
      createdAt: r.created_at,
      scheduledAt: r.scheduled_at,
      startedAt: r.started_at,
      completedAt: r.completed_at,
      workerId: r.worker_id,
      errorMessage: r.error_message,
      progressPercent: r.progress_percent == null ? null : Number(r.progress_percent),
      metadata: parseJsonColumn<Record<string, unknown>>(r.metadata) ?? {},
    })),
    total: page.total,
    limit: page.limit,
    offset: page.offset,
  };
}
