import {
  assertDurationMs,
  assertName,
  assertOptionalObject,
  assertTaskId,
  assertTaskIds,
  CelersError,
} from '@celers/core';
import type { ValueLimits } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { assertResultFields } from '../internal/validate-result.js';
import { type ResultUpsert, upsertResults } from '../queue/result-write.sql.js';
import {
  deleteFinishedResultsChunk,
  deleteResults,
  RESULT_ARCHIVE_CHUNK_SIZE,
  readResults,
} from './results.sql.js';
import type { BatchResultInput, StoreResultInput, TaskResult } from './results-types.js';
import { type SettleNotifier, type WaitForResultOptions, waitForResult } from './results-wait.js';

/** Most results `storeBatch` and `getBatch` take per call. */
export const MAX_RESULT_BATCH = 10_000;

function toUpsert(taskId: string, input: unknown, argument: string, limits: ValueLimits): ResultUpsert {
  const o = assertOptionalObject(input, argument);
  if (o === undefined) throw CelersError.invalidArgument(argument, 'expected a result object');
  const taskName = assertName(o.taskName, `${argument}.taskName`);
  return { taskId, taskName, ...assertResultFields(o, argument, limits) };
}

/**
 * `broker.results`: Celery-style task results (the seed's Task Result Storage and Batch Result Operations),
 * scoped to the broker's queue. Acks can store results in the same transaction (`ackBatchWithResults`);
 * these methods read and manage them, or store them on their own.
 *
 * @example
 * ```ts
 * await broker.results.store(taskId, { taskName: 'reports.build', status: 'SUCCESS', result: { rows: 42 }, runtimeMs: 1500 });
 * const r = await broker.results.get(taskId); // r.result → { rows: 42 }
 * await broker.results.archive({ olderThanMs: 30 * 24 * 3600_000 });
 * ```
 */
export class ResultsFacet {
  readonly #ctx: BrokerContext;
  readonly #settled: SettleNotifier;

  /** @internal */
  constructor(ctx: BrokerContext, settled: SettleNotifier) {
    this.#ctx = ctx;
    this.#settled = settled;
  }

  /**
   * Waits for a task's final result (Celery's `AsyncResult.get`, BullMQ's `waitUntilFinished`): resolves with
   * it on SUCCESS; rejects with `TASK_FAILED` (FAILURE/REVOKED, or failed/cancelled; `details.result` holds the
   * result if any), `TASK_NOT_FOUND`, `INVALID_STATE` (completed without a stored result: run the Worker with
   * `storeResults: true`) or `TIMEOUT` after `timeoutMs` (default 30 s). A Worker on this broker in the same
   * process wakes the waiter at once; otherwise it polls with backoff (10 ms doubling to 500 ms).
   *
   * @example
   * ```ts
   * const id = await broker.enqueue(createTask('reports.build', { month: '2026-11' }));
   * const { result } = await broker.results.wait(id, { timeoutMs: 60_000 });
   * ```
   */
  async wait(taskId: string, options: WaitForResultOptions = {}): Promise<TaskResult> {
    const id = assertTaskId(taskId, 'taskId');
    const o = assertOptionalObject(options, 'options') ?? {};
    const timeoutMs =
      o.timeoutMs === undefined ? 30_000 : assertDurationMs(o.timeoutMs, 'options.timeoutMs', 1);
    const signal = o.signal as AbortSignal | undefined;
    if (signal !== undefined && !(signal instanceof AbortSignal))
      throw CelersError.invalidArgument('options.signal', 'expected an AbortSignal');
    return waitForResult(this.#ctx, this.#settled, id, timeoutMs, signal);
  }

  /**
   * Stores (or replaces) the result of a task (the seed's `store_result`, an upsert). `status` must be one of
   * Celery's states; `completedAt` is set for SUCCESS, FAILURE and REVOKED.
   */
  async store(taskId: string, input: StoreResultInput): Promise<void> {
    const upsert = toUpsert(assertTaskId(taskId, 'taskId'), input, 'input', this.#ctx.limits);
    await this.#ctx.run('results.store', () =>
      upsertResults(this.#ctx.db, this.#ctx.queue, [upsert], this.#ctx.limits.maxStatementBytes),
    );
  }

  /** Stores many results in one transaction (the seed's `store_result_batch`); returns how many were written. */
  async storeBatch(results: readonly BatchResultInput[]): Promise<number> {
    if (!Array.isArray(results)) throw CelersError.invalidArgument('results', 'expected an array of results');
    if (results.length > MAX_RESULT_BATCH) {
      throw CelersError.invalidArgument(
        'results',
        `at most ${MAX_RESULT_BATCH} results per call, got ${results.length}`,
      );
    }
    const seen = new Set<string>();
    const upserts = results.map((r, i) => {
      const id = assertTaskId((r as BatchResultInput | null)?.taskId, `results[${i}].taskId`);
      if (seen.has(id))
        throw CelersError.invalidArgument(`results[${i}].taskId`, 'duplicate task id in batch');
      seen.add(id);
      return toUpsert(id, r, `results[${i}]`, this.#ctx.limits);
    });
    if (upserts.length === 0) return 0;
    // Sorted by primary key: concurrent batches lock rows in the same order and cannot deadlock each other.
    upserts.sort((a, b) => (a.taskId < b.taskId ? -1 : 1));
    return this.#ctx.run('results.storeBatch', () =>
      withLockRetry(reportRetries(this.#ctx, 'results.storeBatch'), () =>
        this.#ctx.db
          .transaction()
          .execute((trx) => upsertResults(trx, this.#ctx.queue, upserts, this.#ctx.limits.maxStatementBytes)),
      ),
    );
  }

  /** The stored result of a task in this queue, or `null` (the seed's `get_result`). */
  async get(taskId: string): Promise<TaskResult | null> {
    const id = assertTaskId(taskId, 'taskId');
    return this.#ctx.run(
      'results.get',
      async () => (await readResults(this.#ctx.db, this.#ctx.queue, [id]))[0] ?? null,
    );
  }

  /** Results of many tasks in one query (the seed's `get_result_batch`); tasks without a result are left out. */
  async getBatch(taskIds: readonly string[]): Promise<TaskResult[]> {
    const ids = assertTaskIds(taskIds, 'taskIds', MAX_RESULT_BATCH);
    return this.#ctx.run('results.getBatch', () => readResults(this.#ctx.db, this.#ctx.queue, ids));
  }

  /** Deletes a task's result (the seed's `delete_result`); `false` when there was none in this queue. */
  async delete(taskId: string): Promise<boolean> {
    const id = assertTaskId(taskId, 'taskId');
    return this.#ctx.run(
      'results.delete',
      async () => (await deleteResults(this.#ctx.db, this.#ctx.queue, [id])) === 1,
    );
  }

  /**
   * Deletes results completed more than `olderThanMs` ago by the database clock (the seed's
   * `archive_results`), {@link RESULT_ARCHIVE_CHUNK_SIZE} rows per statement. Unfinished results (PENDING,
   * STARTED, RETRY) are kept. Returns how many were deleted.
   */
  async archive(options: { olderThanMs: number }): Promise<number> {
    const o = assertOptionalObject(options, 'options');
    if (o === undefined) throw CelersError.invalidArgument('options', 'expected { olderThanMs }');
    const olderThanMs = assertDurationMs(o.olderThanMs, 'options.olderThanMs');
    return this.#ctx.run('results.archive', async () => {
      let total = 0;
      for (;;) {
        const { found, deleted } = await withLockRetry(reportRetries(this.#ctx, 'results.archive'), () =>
          deleteFinishedResultsChunk(this.#ctx.db, this.#ctx.queue, olderThanMs),
        );
        total += deleted;
        if (found < RESULT_ARCHIVE_CHUNK_SIZE) return total;
      }
    });
  }
}
