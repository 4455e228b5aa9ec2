import { ASCII_SHORT, QUEUE, TABLE_OPTIONS, TIME, UUID } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

// idx_recurring_due serves the scheduler's `WHERE queue_name=? AND enabled=1 AND next_run_at<=? FOR UPDATE
// SKIP LOCKED`, so schedulers on several hosts each take different due rows and none enqueues one twice.
export const createRecurringTasks = tableMigration(
  'celers_recurring_tasks',
  `CREATE TABLE IF NOT EXISTS celers_recurring_tasks (
  id ${UUID} NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  name VARCHAR(255) NOT NULL,
  task_name VARCHAR(255) NOT NULL,
  payload MEDIUMBLOB NOT NULL,
  content_type ${ASCII_SHORT} NOT NULL,
  content_encoding ${ASCII_SHORT} NOT NULL,
  priority INT NOT NULL DEFAULT 0,
  max_retries INT NOT NULL DEFAULT 3,
  schedule JSON NOT NULL,
  timezone VARCHAR(64) NOT NULL,
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  next_run_at ${TIME} NOT NULL,
  last_run_at ${TIME} NULL,
  last_task_id ${UUID} NULL,
  metadata JSON NOT NULL,
  created_at ${TIME} NOT NULL,
  updated_at ${TIME} NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_recurring_name (queue_name, name),
  KEY idx_recurring_due (queue_name, enabled, next_run_at)
) ${TABLE_OPTIONS}`,
);
