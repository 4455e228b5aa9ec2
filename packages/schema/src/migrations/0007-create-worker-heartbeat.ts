import { ASCII_SHORT, QUEUE, TABLE_OPTIONS, TIME } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

export const createWorkerHeartbeat = tableMigration(
  'celers_worker_heartbeat',
  `CREATE TABLE IF NOT EXISTS celers_worker_heartbeat (
  worker_id VARCHAR(255) NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  last_heartbeat ${TIME} NOT NULL,
  status ${ASCII_SHORT} NOT NULL,
  task_count INT NOT NULL DEFAULT 0,
  capabilities JSON NULL,
  registered_at ${TIME} NOT NULL,
  updated_at ${TIME} NOT NULL,
  PRIMARY KEY (worker_id, queue_name),
  KEY idx_worker_heartbeat_last (last_heartbeat),
  KEY idx_worker_heartbeat_status (status),
  KEY idx_worker_heartbeat_queue (queue_name, last_heartbeat)
) ${TABLE_OPTIONS}`,
);
