import { addColumnMigration } from './column-migration.js';

// Claims of a task so far (every claim adds one, whatever ended the previous one), kept apart from retry_count
// so retries-with-backoff keep their meaning. DEFAULT 0 gives existing rows a value without rewriting them.
// Online on a populated table on both servers (see addColumnMigration for how, and what MariaDB needs).
export const addTaskDeliveryCount = addColumnMigration({
  table: 'celers_tasks',
  column: 'delivery_count',
  definition: 'INT NOT NULL DEFAULT 0',
  virtualColumnIndexes: { idx_tasks_group: '(group_id)', idx_tasks_parent: '(parent_task_id)' },
});
