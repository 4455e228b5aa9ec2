import type { TaskState } from '@celers/core';

/** Format tag of task exports (JSON document and NDJSON lines). */
export const TASK_EXPORT_FORMAT = 'celers.tasks.v1';
/** Format tag of DLQ exports. */
export const DLQ_EXPORT_FORMAT = 'celers.dlq.v1';

/** One exported task: every stored column (generated ones excluded), payload in base64, times in ISO 8601. */
export interface ExportedTask {
  id: string;
  queueName: string;
  taskName: string;
  /** Base64 of the stored payload bytes (compressed bytes stay compressed). */
  payload: string;
  contentType: string;
  contentEncoding: string;
  state: TaskState;
  priority: number;
  retryCount: number;
  /** Claims so far (absent in exports made before migration 0011: imported as 0). */
  deliveryCount: number;
  maxRetries: number;
  timeoutMs: number | null;
  retryPolicy: unknown;
  createdAt: string;
  scheduledAt: string;
  startedAt: string | null;
  completedAt: string | null;
  leaseExpiresAt: string | null;
  receiptHandle: string | null;
  workerId: string | null;
  errorMessage: string | null;
  progressPercent: number | null;
  progressStep: string | null;
  metadata: Record<string, unknown>;
}

/** The document `exportTasks` returns and `importTasks` reads. */
export interface TaskExportDocument {
  format: typeof TASK_EXPORT_FORMAT;
  queue: string;
  exportedAt: string;
  count: number;
  tasks: ExportedTask[];
}

/** One exported DLQ entry. */
export interface ExportedDlqEntry {
  id: string;
  taskId: string;
  queueName: string;
  taskName: string;
  payload: string;
  contentType: string;
  contentEncoding: string;
  priority: number;
  retryCount: number;
  maxRetries: number;
  retryPolicy: unknown;
  errorMessage: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  failedAt: string;
}

/** The document `exportDlq` returns. */
export interface DlqExportDocument {
  format: typeof DLQ_EXPORT_FORMAT;
  queue: string;
  exportedAt: string;
  count: number;
  entries: ExportedDlqEntry[];
}

/** Options for `transfer.exportTasks`. */
export interface ExportTasksOptions {
  /** Only tasks in this state. */
  state?: TaskState;
  /** Most tasks (1–1,000,000). @defaultValue {@link DEFAULT_EXPORT_LIMIT} */
  limit?: number;
}

/** Options for `transfer.exportTasksNdjson`. */
export interface ExportNdjsonOptions {
  /** Only tasks in this state. */
  state?: TaskState;
  /** Rows read per query (keyset pages by id). @defaultValue 1000 */
  pageSize?: number;
}

/** Options for `transfer.importTasks`. */
export interface ImportTasksOptions {
  /** Skip tasks whose id already exists (else the import fails with `DUPLICATE_TASK` and imports nothing). @defaultValue false */
  skipExisting?: boolean;
}

/** Tasks `exportTasks` returns when no limit is given (use `exportTasksNdjson` for more). */
export const DEFAULT_EXPORT_LIMIT = 10_000;
/** Largest `limit` of the in-memory exports. */
export const MAX_EXPORT_LIMIT = 1_000_000;
