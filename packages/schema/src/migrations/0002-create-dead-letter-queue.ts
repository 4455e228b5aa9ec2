import { ASCII_SHORT, QUEUE, TABLE_OPTIONS, TIME, UUID } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

export const createDeadLetterQueue = tableMigration(
  'celers_dead_letter_queue',
  `CREATE TABLE IF NOT EXISTS celers_dead_letter_queue (
  id ${UUID} NOT NULL,
  task_id ${UUID} NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  task_name VARCHAR(255) NOT NULL,
  payload MEDIUMBLOB NOT NULL,
  content_type ${ASCII_SHORT} NOT NULL,
  content_encoding ${ASCII_SHORT} NOT NULL,
  priority INT NOT NULL DEFAULT 0,
  retry_count INT NOT NULL,
  max_retries INT NOT NULL,
  retry_policy JSON NULL,
  error_message TEXT NULL,
  metadata JSON NOT NULL,
  created_at ${TIME} NOT NULL,
  failed_at ${TIME} NOT NULL,
  PRIMARY KEY (id),
  KEY idx_dlq_failed_at (queue_name, failed_at),
  KEY idx_dlq_task_id (task_id),
  KEY idx_dlq_task_name (queue_name, task_name)
) ${TABLE_OPTIONS}`,
);
