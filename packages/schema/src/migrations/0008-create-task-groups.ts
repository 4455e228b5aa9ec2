import { QUEUE, TABLE_OPTIONS, TIME } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

export const createTaskGroups = tableMigration(
  'celers_task_groups',
  `CREATE TABLE IF NOT EXISTS celers_task_groups (
  group_id VARCHAR(255) NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  task_count BIGINT NOT NULL DEFAULT 0,
  metadata JSON NULL,
  created_at ${TIME} NOT NULL,
  PRIMARY KEY (group_id, queue_name),
  KEY idx_task_groups_created (created_at),
  KEY idx_task_groups_queue (queue_name, created_at)
) ${TABLE_OPTIONS}`,
);
