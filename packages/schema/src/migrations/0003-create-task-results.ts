import { ASCII_SHORT, QUEUE, TABLE_OPTIONS, TIME, UUID } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

export const createTaskResults = tableMigration(
  'celers_task_results',
  `CREATE TABLE IF NOT EXISTS celers_task_results (
  task_id ${UUID} NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  task_name VARCHAR(255) NOT NULL,
  status ${ASCII_SHORT} NOT NULL,
  result JSON NULL,
  error TEXT NULL,
  traceback TEXT NULL,
  created_at ${TIME} NOT NULL,
  completed_at ${TIME} NULL,
  runtime_ms BIGINT NULL,
  PRIMARY KEY (task_id),
  KEY idx_results_task_name (queue_name, task_name),
  KEY idx_results_completed_at (queue_name, completed_at),
  KEY idx_results_status (queue_name, status)
) ${TABLE_OPTIONS}`,
);
