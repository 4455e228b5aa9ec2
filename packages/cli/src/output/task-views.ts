import type { TableColumn } from './format-table.js';

/** The task fields the CLI prints (a subset of broker-mysql's `TaskInfo`). */
export interface TaskRowView {
  id: string;
  taskName: string;
  state: string;
  priority: number;
  retryCount: number;
  maxRetries: number;
  createdAt: Date;
  scheduledAt: Date;
  workerId: string | null;
  errorMessage: string | null;
}

/** Columns of `celers tasks list`. */
export const TASK_COLUMNS: readonly TableColumn<TaskRowView>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'NAME', value: (t) => t.taskName, maxWidth: 32 },
  { header: 'STATE', value: (t) => t.state },
  { header: 'PRI', value: (t) => t.priority },
  { header: 'RETRIES', value: (t) => `${t.retryCount}/${t.maxRetries}` },
  { header: 'CREATED', value: (t) => t.createdAt },
  { header: 'DUE', value: (t) => t.scheduledAt },
  { header: 'WORKER', value: (t) => t.workerId, maxWidth: 24 },
  { header: 'ERROR', value: (t) => t.errorMessage, maxWidth: 40 },
];
