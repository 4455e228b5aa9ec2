// Where task rows live (migration 0013). A task is in exactly one of two tables:
// - celers_live_tasks: pending (due or delayed) and processing rows, and completed rows for the moment until the
//   broker's archiver moves them (an ack is one UPDATE; the move is batched, off the ack's path). Small and hot:
//   enqueue inserts here, claims lock here. It carries only the indexes the hot path reads.
// - celers_finished_tasks: completed, failed and cancelled rows, with the admin indexes (created, completed,
//   worker, task name, group). Failures and cancels move here at once; completions in bulk, or never
//   (keepCompleted: false deletes them at ack).
// celers_tasks is a read-only UNION ALL view of both, so every reader (SQL, dashboards, operators) keeps one name.
// Writes name a table; a write to the view fails loudly.

/** The hot table: pending and processing tasks (and completed ones until archived). */
export const LIVE_TASKS_TABLE = 'celers_live_tasks';
/** The finished table: completed, failed and cancelled tasks. */
export const FINISHED_TASKS_TABLE = 'celers_finished_tasks';
/** The read-only view over both task tables. */
export const TASKS_VIEW = 'celers_tasks';

/**
 * The links of tasks that have a group, a parent or a dedup key (migration 0015): the lookups few tasks use, kept
 * off the live table's indexes. A row whose task is no longer live is stale and harmless (dedup ignores it).
 */
export const TASK_LINKS_TABLE = 'celers_task_links';
/** The unique key of `celers_task_links` holding one live task per `(queue_name, dedup_key)`. */
export const LINK_DEDUP_INDEX = 'uq_task_links_dedup';

/** Either task table. */
export type TaskTableName = typeof LIVE_TASKS_TABLE | typeof FINISHED_TASKS_TABLE;

/**
 * The stored (writable) columns of a task row, identical in both tables, in table order. A move between the
 * tables copies exactly these; the generated columns are computed again by the target table.
 */
export const STORED_TASK_COLUMNS = [
  'id',
  'queue_name',
  'task_name',
  'payload',
  'content_type',
  'content_encoding',
  'state',
  'priority',
  'retry_count',
  'max_retries',
  'timeout_ms',
  'retry_policy',
  'created_at',
  'scheduled_at',
  'started_at',
  'completed_at',
  'lease_expires_at',
  'receipt_handle',
  'worker_id',
  'error_message',
  'progress_percent',
  'progress_step',
  'metadata',
  'delivery_count',
] as const;

/**
 * The generated columns of a task row (computed from `metadata` and `state`), as the view shows them. Since
 * migration 0015 the live table has only the first two; the view computes `live_dedup_key` for live rows. The
 * live table's VIRTUAL `run_phase` (migration 0016) and `claim_priority` (0017), index keys, are not in the view.
 */
export const GENERATED_TASK_COLUMNS = ['group_id', 'parent_task_id', 'live_dedup_key'] as const;

/** One stored task column. */
export type StoredTaskColumn = (typeof STORED_TASK_COLUMNS)[number];
