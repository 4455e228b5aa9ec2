import { CelersError } from '@celers/core';
import { decodePickle } from '../pickle/pickle-decoder.js';
import type { PickleValue } from '../pickle/pickle-value.js';
import type { AnyDb } from '../sql/kombu-schema.sql.js';
import { selectTaskMeta } from '../sql/taskmeta.sql.js';
import { assertTaskId } from '../validate.js';
import { CELERY_READY_STATES } from './celery-states.js';

/** A task's state as `celery_taskmeta` holds it. */
export interface CeleryResult {
  taskId: string;
  /** `PENDING` when no row exists yet, as Celery reports unknown ids. */
  status: string;
  /**
   * The decoded result: the return value on SUCCESS, `{ exc_type, exc_message, exc_module }` on
   * FAILURE/RETRY/REVOKED, `{ pid, hostname }` on STARTED, null when PENDING.
   */
  result: PickleValue;
  traceback: string | null;
  dateDone: Date | null;
  /** True for SUCCESS, FAILURE and REVOKED. */
  ready: boolean;
}

/**
 * Reads a task's result from `celery_taskmeta` (written by a Python worker or by celers). The pickled
 * `result` is decoded with a restricted reader: a pickle outside the JSON-like subset (e.g. a worker with
 * `result_serializer='pickle'`) is a `CORRUPT_DATA` error, never code run.
 */
export async function getCeleryResult(db: AnyDb, taskId: string): Promise<CeleryResult> {
  assertTaskId(taskId, 'taskId');
  let row: Awaited<ReturnType<typeof selectTaskMeta>>;
  try {
    row = await selectTaskMeta(db, taskId);
  } catch (error) {
    // No table yet: no Celery worker or celers consumer has stored anything, so the task is PENDING.
    if ((error as { errno?: number }).errno !== 1146) throw error;
  }
  if (!row) return { taskId, status: 'PENDING', result: null, traceback: null, dateDone: null, ready: false };
  let result: PickleValue = null;
  if (row.result) {
    try {
      result = decodePickle(row.result);
    } catch (error) {
      if (CelersError.isInstance(error))
        throw new CelersError(error.code, `celery_taskmeta result of ${taskId}: ${error.message}`, {
          details: { taskId },
        });
      throw error;
    }
  }
  return {
    taskId,
    status: row.status,
    result,
    traceback: row.traceback,
    dateDone: row.date_done,
    ready: CELERY_READY_STATES.has(row.status),
  };
}

/** Options for {@link waitCeleryResult}. */
export interface WaitCeleryResultOptions {
  /** Give up after this long with a `TIMEOUT` CelersError. @defaultValue 30_000 */
  timeoutMs?: number;
  /** First poll interval; it doubles up to 1 s. @defaultValue 25 */
  initialIntervalMs?: number;
}

/**
 * Polls {@link getCeleryResult} with backoff until the task is ready and returns it. A FAILURE or
 * REVOKED result is returned, not thrown: check `status`.
 */
export async function waitCeleryResult(
  db: AnyDb,
  taskId: string,
  options: WaitCeleryResultOptions = {},
): Promise<CeleryResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
    throw CelersError.invalidArgument('options.timeoutMs', 'must be a non-negative number');
  let interval = options.initialIntervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await getCeleryResult(db, taskId);
    if (result.ready) return result;
    const left = deadline - Date.now();
    if (left <= 0)
      throw new CelersError(
        'TIMEOUT',
        `Celery task ${taskId} not ready after ${timeoutMs} ms (${result.status})`,
        {
          details: { taskId, status: result.status },
        },
      );
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
    interval = Math.min(interval * 2, 1000);
  }
}
