import { ASCII_SHORT, QUEUE, TABLE_OPTIONS, TIME, UUID } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

export const createTaskHistory = tableMigration(
  'celers_task_history',
  `CREATE TABLE IF NOT EXISTS celers_task_history (
  id BIGINT NOT NULL AUTO_INCREMENT,
  task_id ${UUID} NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  from_state ${ASCII_SHORT} NULL,
  to_state ${ASCII_SHORT} NOT NULL,
  worker_id VARCHAR(255) NULL,
  note TEXT NULL,
  created_at ${TIME} NOT NULL,
  PRIMARY KEY (id),
  KEY idx_history_task_id (task_id, id),
  KEY idx_history_timestamp (queue_name, created_at)
) ${TABLE_OPTIONS}`,
);
