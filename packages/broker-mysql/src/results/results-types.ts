import type { TaskResultStatus } from '@celers/core';

/**
 * A stored Celery-style result (the seed's `TaskResult`).
 *
 * @example
 * ```ts
 * const r = await broker.results.get(taskId);
 * if (r?.status === 'SUCCESS') console.log(r.result, r.runtimeMs);
 * ```
 */
export interface TaskResult {
  taskId: string;
  queue: string;
  taskName: string;
  status: TaskResultStatus;
  /** The handler's return value (any JSON value), or `null`. */
  result: unknown;
  error: string | null;
  traceback: string | null;
  createdAt: Date;
  /** Set for finished statuses (SUCCESS, FAILURE, REVOKED). */
  completedAt: Date | null;
  runtimeMs: number | null;
}

/** What `broker.results.store` writes for one task. */
export interface StoreResultInput {
  taskName: string;
  /** One of Celery's states: PENDING, STARTED, SUCCESS, FAILURE, RETRY, REVOKED. */
  status: TaskResultStatus;
  /** Any JSON value. */
  result?: unknown;
  error?: string | null;
  traceback?: string | null;
  /** How long the handler ran, in ms (integer ≥ 0). */
  runtimeMs?: number | null;
}

/** One entry of `broker.results.storeBatch` (the seed's `BatchResultInput`). */
export interface BatchResultInput extends StoreResultInput {
  taskId: string;
}
