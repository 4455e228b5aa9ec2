import type { PayloadContentType, PayloadEncoding } from '@celers/core';

/**
 * One dead-lettered task (the seed's `DlqTaskInfo`): a copy of the task as it was when its retries ran out.
 *
 * @example
 * ```ts
 * for (const entry of await broker.dlq.list({ limit: 10 })) console.log(entry.taskName, entry.errorMessage);
 * ```
 */
export interface DlqTaskInfo {
  /** The DLQ row id (pass it to `requeue` / `purge`). */
  id: string;
  /** The id of the task that failed. */
  taskId: string;
  queue: string;
  taskName: string;
  priority: number;
  retryCount: number;
  maxRetries: number;
  contentType: PayloadContentType;
  contentEncoding: PayloadEncoding;
  /** The last error recorded for the task. */
  errorMessage: string | null;
  metadata: Record<string, unknown>;
  /** Size of the stored payload in bytes. */
  payloadBytes: number;
  /** When the original task was created. */
  createdAt: Date;
  /** When it was moved to the DLQ. */
  failedAt: Date;
}
