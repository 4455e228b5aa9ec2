// results.wait: resolve when a task's result is final, without a polling storm. A local settle (an ack,
// reject or cancel through this broker, e.g. by a Worker in the same process) wakes the waiter at once;
// otherwise it polls with backoff (10 ms doubling to 500 ms), so a waiter costs at most 2 reads per 500 ms.
import { CelersError, type TaskId } from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import { readResults } from './results.sql.js';
import type { TaskResult } from './results-types.js';

/** First and longest pause between two polls of a waited-for task. */
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 500;

/** How long {@link waitForResult} waits. */
export interface WaitForResultOptions {
  /** Give up after this long with `TIMEOUT`. Default 30 s. */
  timeoutMs?: number;
  /** Stop waiting (rejects with the signal's reason) when aborted. */
  signal?: AbortSignal;
}

/** Wakes the waiters of tasks settled through this broker (one listener set per broker, not per waiter). */
export class SettleNotifier {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Calls `wake` when `taskId` is settled through this broker, until the returned function is called. */
  watch(taskId: string, wake: () => void): () => void {
    const set = this.#waiters.get(taskId) ?? new Set<() => void>();
    this.#waiters.set(taskId, set);
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0) this.#waiters.delete(taskId);
    };
  }

  /** Wakes every waiter of these tasks. */
  notify(taskIds: readonly string[]): void {
    if (this.#waiters.size === 0) return;
    for (const id of taskIds) for (const wake of this.#waiters.get(id) ?? []) wake();
  }
}

const FINAL_STATES = new Set(['completed', 'failed', 'cancelled']);

/**
 * Waits until `taskId` has a final result: resolves with it on SUCCESS; rejects with `TASK_FAILED` (FAILURE,
 * REVOKED, or a failed/cancelled task without a result), `TASK_NOT_FOUND`, `INVALID_STATE` (completed but no
 * result stored: run the Worker with `storeResults: true`) or `TIMEOUT`.
 * @internal
 */
export async function waitForResult(
  ctx: BrokerContext,
  notifier: SettleNotifier,
  taskId: TaskId,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<TaskResult> {
  const deadline = performance.now() + timeoutMs;
  let pause = FIRST_POLL_MS;
  let woken = false;
  let wake: (() => void) | undefined;
  const unwatch = notifier.watch(taskId, () => {
    woken = true;
    wake?.();
  });
  try {
    for (;;) {
      woken = false;
      const outcome = await ctx.run('results.wait', () => readOutcome(ctx, taskId));
      if (outcome) return outcome;
      const left = deadline - performance.now();
      if (left <= 0)
        throw new CelersError('TIMEOUT', `No final result for task ${taskId} within ${timeoutMs} ms`);
      if (signal?.aborted) throw signal.reason ?? new CelersError('CLOSED', 'results.wait aborted');
      if (!woken) await sleepUntilWoken(Math.min(pause, left), signal, (fn) => (wake = fn));
      wake = undefined;
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  } finally {
    unwatch();
  }
}

async function readOutcome(ctx: BrokerContext, taskId: TaskId): Promise<TaskResult | null> {
  const [result] = await readResults(ctx.db, ctx.queue, [taskId]);
  if (result?.status === 'SUCCESS') return result;
  if (result?.status === 'FAILURE' || result?.status === 'REVOKED') {
    throw new CelersError(
      'TASK_FAILED',
      `Task ${taskId} ended with ${result.status}: ${result.error ?? ''}`,
      {
        details: { result },
      },
    );
  }
  const row = await ctx.db
    .selectFrom('celers_tasks')
    .select(['state'])
    .where('queue_name', '=', ctx.queue)
    .where('id', '=', taskId)
    .executeTakeFirst();
  if (!row) {
    if (result) return null; // a result written before (or without) the task row: keep waiting
    throw new CelersError('TASK_NOT_FOUND', `Task ${taskId} is not in queue "${ctx.queue}"`);
  }
  if (!FINAL_STATES.has(row.state)) return null;
  // The task is final; its result (written in the same transaction as the ack) would have been read above.
  const again = (await readResults(ctx.db, ctx.queue, [taskId]))[0];
  if (again?.status === 'SUCCESS') return again;
  if (row.state === 'completed') {
    throw new CelersError(
      'INVALID_STATE',
      `Task ${taskId} completed without a stored result (run the Worker with storeResults: true)`,
    );
  }
  throw new CelersError('TASK_FAILED', `Task ${taskId} is ${row.state}`, {
    details: { result: again ?? null },
  });
}

function sleepUntilWoken(
  ms: number,
  signal: AbortSignal | undefined,
  setWake: (wake: () => void) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    setWake(done);
    signal?.addEventListener('abort', done);
  });
}
