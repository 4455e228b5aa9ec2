import { QUEUE, TABLE_OPTIONS, TIME, UUID } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

// No foreign key to celers_tasks (the seed had one): purging tasks in chunks would cascade into this table
// under the same locks, and a key must outlive its task for its TTL to mean anything.
export const createTaskIdempotency = tableMigration(
  'celers_task_idempotency',
  `CREATE TABLE IF NOT EXISTS celers_task_idempotency (
  id BIGINT NOT NULL AUTO_INCREMENT,
  queue_name ${QUEUE} NOT NULL,
  task_name VARCHAR(255) NOT NULL,
  idempotency_key VARCHAR(255) NOT NULL,
  task_id ${UUID} NOT NULL,
  metadata JSON NULL,
  created_at ${TIME} NOT NULL,
  expires_at ${TIME} NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_idempotency_key (queue_name, task_name, idempotency_key),
  KEY idx_idempotency_expires (expires_at),
  KEY idx_idempotency_task (task_id)
) ${TABLE_OPTIONS}`,
);
