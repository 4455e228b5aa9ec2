import { QUEUE, TABLE_OPTIONS, TIME } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

export const createQueueConfig = tableMigration(
  'celers_queue_config',
  `CREATE TABLE IF NOT EXISTS celers_queue_config (
  queue_name ${QUEUE} NOT NULL,
  config_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  config_value TEXT NOT NULL,
  updated_at ${TIME} NOT NULL,
  PRIMARY KEY (queue_name, config_key),
  KEY idx_queue_config_updated (updated_at)
) ${TABLE_OPTIONS}`,
);
