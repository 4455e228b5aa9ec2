import { CelersError, type TaskResultStatus, type WorkerStatus } from '@celers/core';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { StoredTaskState } from './stored-task-states.js';

// kysely types for every celers table. Times are DATETIME(6) in UTC. JSON columns are written as JSON text and
// read back as JSON text on both servers (createDatabase sets mysql2's `jsonStrings`), then decoded exactly
// once with `parseJsonColumn`.

/** A JSON column: read and written as JSON text (decode with {@link parseJsonColumn}). */
export type JsonColumn = ColumnType<string, string, string>;
/** A nullable JSON column. */
export type NullableJsonColumn = ColumnType<string | null, string | null, string | null>;
/** A generated (virtual/stored) column: readable, never written. */
export type GeneratedColumn<T> = ColumnType<T, never, never>;

/**
 * A task row: `celers_live_tasks` (pending, processing), `celers_finished_tasks` (completed, failed, cancelled),
 * and the read-only `celers_tasks` view over both (see task-tables.ts).
 */
export interface TasksTable {
  id: string;
  queue_name: string;
  task_name: string;
  payload: Buffer;
  content_type: string;
  content_encoding: string;
  /** The stored state: a public `TaskState`, or `'scheduled'` for a pending task not yet due (see stored-task-states.ts). */
  state: StoredTaskState;
  priority: number;
  retry_count: ColumnType<number, number | undefined, number>;
  max_retries: number;
  timeout_ms: number | null;
  retry_policy: NullableJsonColumn;
  created_at: Date;
  scheduled_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  lease_expires_at: Date | null;
  receipt_handle: string | null;
  worker_id: string | null;
  error_message: string | null;
  progress_percent: number | null;
  progress_step: string | null;
  metadata: JsonColumn;
  /** Claims so far (each claim adds one; retries, releases and recoveries keep it). Migration 0011. */
  delivery_count: ColumnType<number, number | undefined, number>;
  /** `metadata.group_id`, indexed. */
  group_id: GeneratedColumn<string | null>;
  /** `metadata.parent_task_id`, indexed (chains and cascade cancel). */
  parent_task_id: GeneratedColumn<string | null>;
  /**
   * `metadata.dedup_key` while the task is pending/scheduled/processing, else NULL. Read it through the view:
   * since migration 0015 the live table has no such column (the view computes it; uniqueness is in
   * `celers_task_links`).
   */
  live_dedup_key: GeneratedColumn<string | null>;
}

/**
 * `celers_live_tasks`: a task row plus the VIRTUAL columns its claim-stable indexes are keyed on (migration 0016).
 * Readable, never written; the finished table and the view do not have them.
 */
export interface LiveTasksTable extends TasksTable {
  /** `state` coarsened so that a claim leaves it unchanged: see `RUNNABLE_PHASE` and its siblings. */
  run_phase: GeneratedColumn<string>;
  /** `priority`, or 0 for a `'scheduled'` row: the claim index's sort key, so promotion reads one range of it. */
  claim_priority: GeneratedColumn<number>;
}

/**
 * `celers_task_links` (migration 0015): group, parent and live dedup key of the tasks that have any, one row per
 * task, written with the task. A row whose task is no longer live is stale (dedup treats its key as free).
 */
export interface TaskLinksTable {
  task_id: string;
  queue_name: string;
  group_id: string | null;
  parent_task_id: string | null;
  /** UNIQUE per queue; held by a live task, or stale once that task finished or was deleted. */
  dedup_key: string | null;
}

/** `celers_dead_letter_queue`: tasks that exhausted their retries. */
export interface DeadLetterQueueTable {
  id: string;
  task_id: string;
  queue_name: string;
  task_name: string;
  payload: Buffer;
  content_type: string;
  content_encoding: string;
  priority: number;
  retry_count: number;
  max_retries: number;
  retry_policy: NullableJsonColumn;
  error_message: string | null;
  metadata: JsonColumn;
  created_at: Date;
  failed_at: Date;
}

/** `celers_task_results`: Celery-style results, keyed by task id. */
export interface TaskResultsTable {
  task_id: string;
  queue_name: string;
  task_name: string;
  status: TaskResultStatus;
  result: NullableJsonColumn;
  error: string | null;
  traceback: string | null;
  created_at: Date;
  completed_at: Date | null;
  runtime_ms: number | null;
}

/** `celers_task_history`: state transitions, when history recording is on. */
export interface TaskHistoryTable {
  id: Generated<number>;
  task_id: string;
  queue_name: string;
  from_state: string | null;
  to_state: string;
  worker_id: string | null;
  note: string | null;
  created_at: Date;
}

/** `celers_task_idempotency`: idempotency keys with a TTL. */
export interface TaskIdempotencyTable {
  id: Generated<number>;
  queue_name: string;
  task_name: string;
  idempotency_key: string;
  task_id: string;
  metadata: NullableJsonColumn;
  created_at: Date;
  expires_at: Date;
}

/** `celers_queue_config`: per-queue settings shared by every host (paused, drain mode, rate limits). */
export interface QueueConfigTable {
  queue_name: string;
  config_key: string;
  config_value: string;
  updated_at: Date;
}

/** `celers_worker_heartbeat`: registered workers and their last heartbeat. */
export interface WorkerHeartbeatTable {
  worker_id: string;
  queue_name: string;
  last_heartbeat: Date;
  status: WorkerStatus;
  task_count: number;
  capabilities: NullableJsonColumn;
  registered_at: Date;
  updated_at: Date;
}

/** `celers_task_groups`: groups of related tasks. */
export interface TaskGroupsTable {
  group_id: string;
  queue_name: string;
  task_count: number;
  metadata: NullableJsonColumn;
  created_at: Date;
}

/** `celers_recurring_tasks`: interval and cron schedules. */
export interface RecurringTasksTable {
  id: string;
  queue_name: string;
  name: string;
  task_name: string;
  payload: Buffer;
  content_type: string;
  content_encoding: string;
  priority: number;
  max_retries: number;
  schedule: JsonColumn;
  timezone: string;
  enabled: number;
  next_run_at: Date;
  last_run_at: Date | null;
  last_task_id: string | null;
  metadata: JsonColumn;
  created_at: Date;
  updated_at: Date;
}

/** `celers_locks`: named leases for jobs that must run on one host at a time (maintenance, schedulers). */
export interface LocksTable {
  lock_name: string;
  owner: string;
  acquired_at: Date;
  expires_at: Date;
}

/** The kysely `Database` type of all celers tables. */
export interface CelersDatabase {
  /** Read-only view (UNION ALL of the two task tables): never write to it. */
  celers_tasks: TasksTable;
  celers_live_tasks: LiveTasksTable;
  celers_finished_tasks: TasksTable;
  celers_task_links: TaskLinksTable;
  celers_dead_letter_queue: DeadLetterQueueTable;
  celers_task_results: TaskResultsTable;
  celers_task_history: TaskHistoryTable;
  celers_task_idempotency: TaskIdempotencyTable;
  celers_queue_config: QueueConfigTable;
  celers_worker_heartbeat: WorkerHeartbeatTable;
  celers_task_groups: TaskGroupsTable;
  celers_recurring_tasks: RecurringTasksTable;
  celers_locks: LocksTable;
}

/** Row types, for code that reads or writes whole rows. */
export type TaskRow = Selectable<TasksTable>;
export type NewTaskRow = Insertable<TasksTable>;
export type TaskRowUpdate = Updateable<TasksTable>;
export type DlqRow = Selectable<DeadLetterQueueTable>;
export type TaskResultRow = Selectable<TaskResultsTable>;
export type TaskHistoryRow = Selectable<TaskHistoryTable>;
export type IdempotencyRow = Selectable<TaskIdempotencyTable>;
export type WorkerHeartbeatRow = Selectable<WorkerHeartbeatTable>;
export type TaskGroupRow = Selectable<TaskGroupsTable>;
export type RecurringTaskRow = Selectable<RecurringTasksTable>;

/** Every celers base table (the `celers_tasks` view is not one: see {@link CELERS_VIEWS}). */
export const CELERS_TABLES = [
  'celers_live_tasks',
  'celers_finished_tasks',
  'celers_task_links',
  'celers_dead_letter_queue',
  'celers_task_results',
  'celers_task_history',
  'celers_task_idempotency',
  'celers_queue_config',
  'celers_worker_heartbeat',
  'celers_task_groups',
  'celers_recurring_tasks',
  'celers_locks',
] as const satisfies ReadonlyArray<keyof CelersDatabase>;

/** Every celers view. */
export const CELERS_VIEWS = ['celers_tasks'] as const satisfies ReadonlyArray<keyof CelersDatabase>;

/**
 * The JSON text of a JSON column value as read through {@link createDatabase}: mysql2 would parse MySQL's
 * native JSON type and MariaDB's LONGTEXT-with-`format=json` metadata itself, but only where the server sends
 * that metadata (table columns, not every expression), so a JSON *string* such as `"5"` and the text `5` could
 * not be told apart. With `jsonStrings` every JSON value arrives as text on both servers and is decoded here,
 * once. `null` stays `null`. Anything else means the Kysely instance was not made by `createDatabase`.
 */
export function jsonColumnText(value: unknown, column = 'JSON column'): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw new CelersError(
    'UNSUPPORTED',
    `${column} was not read as JSON text: use a database made by createDatabase() (it sets mysql2's jsonStrings)`,
  );
}

/**
 * Decodes a JSON column value exactly once (see {@link jsonColumnText}); SQL `NULL` is `null`. Text the server
 * accepted as JSON always parses; a failure is a `CORRUPT_DATA` CelersError, never a SyntaxError.
 */
export function parseJsonColumn<T = unknown>(value: unknown, column = 'JSON column'): T {
  const text = jsonColumnText(value, column);
  if (text === null) return null as T;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new CelersError('CORRUPT_DATA', `${column} holds text that is not JSON`, { cause });
  }
}
