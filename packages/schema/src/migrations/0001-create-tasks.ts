import { ASCII_SHORT, QUEUE, TABLE_OPTIONS, TIME, UUID } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

// The hot table. idx_tasks_dequeue serves the claim query `WHERE queue_name=? AND state='pending'
// AND scheduled_at<=? ORDER BY priority DESC, scheduled_at, id LIMIT n FOR UPDATE SKIP LOCKED` in index order
// (no filesort), and also serves per-state counts and lease recovery (processing rows of one queue).
// Generated columns expose the JSON fields that are queried, with ordinary indexes (MariaDB has no functional
// indexes). live_dedup_key is non-NULL only while a task is pending/processing, so its UNIQUE index admits one
// live task per dedup key per queue and frees the key by itself when the task finishes.
export const createTasks = tableMigration(
  'celers_tasks',
  `CREATE TABLE IF NOT EXISTS celers_tasks (
  id ${UUID} NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  task_name VARCHAR(255) NOT NULL,
  payload MEDIUMBLOB NOT NULL,
  content_type ${ASCII_SHORT} NOT NULL,
  content_encoding ${ASCII_SHORT} NOT NULL,
  state ${ASCII_SHORT} NOT NULL,
  priority INT NOT NULL DEFAULT 0,
  retry_count INT NOT NULL DEFAULT 0,
  max_retries INT NOT NULL DEFAULT 3,
  timeout_ms BIGINT NULL,
  retry_policy JSON NULL,
  created_at ${TIME} NOT NULL,
  scheduled_at ${TIME} NOT NULL,
  started_at ${TIME} NULL,
  completed_at ${TIME} NULL,
  lease_expires_at ${TIME} NULL,
  receipt_handle ${UUID} NULL,
  worker_id VARCHAR(255) NULL,
  error_message TEXT NULL,
  progress_percent DOUBLE NULL,
  progress_step VARCHAR(255) NULL,
  metadata JSON NOT NULL,
  group_id VARCHAR(255) GENERATED ALWAYS AS (JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.group_id'))) VIRTUAL,
  parent_task_id ${UUID} GENERATED ALWAYS AS (JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.parent_task_id'))) VIRTUAL,
  live_dedup_key VARCHAR(255) GENERATED ALWAYS AS (
    CASE WHEN state IN ('pending', 'processing') THEN JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.dedup_key')) END
  ) STORED,
  PRIMARY KEY (id),
  KEY idx_tasks_dequeue (queue_name, state, priority DESC, scheduled_at, id),
  KEY idx_tasks_worker (worker_id, state),
  KEY idx_tasks_task_name_state (queue_name, task_name, state),
  KEY idx_tasks_created_at (queue_name, created_at),
  KEY idx_tasks_completed_at (queue_name, completed_at),
  KEY idx_tasks_group (group_id),
  KEY idx_tasks_parent (parent_task_id),
  UNIQUE KEY uq_tasks_live_dedup (queue_name, live_dedup_key)
) ${TABLE_OPTIONS}`,
);
