import { assertTaskId, CelersError } from '@celers/core';
import { isDuplicateKeyError } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { type PageOptions, resolvePage } from '../internal/page-options.js';
import {
  DLQ_PURGE_CHUNK_SIZE,
  deleteDlqChunk,
  deleteDlqRows,
  selectDlqInfos,
  toDlqTaskInfo,
} from './dlq.sql.js';
import { requeueDlqRow } from './dlq-requeue.sql.js';
import type { DlqTaskInfo } from './dlq-types.js';

/**
 * `broker.dlq`: the dead letter queue of the broker's queue (tasks whose retries ran out). Inspect entries,
 * requeue them as fresh tasks, or purge them. Entries of other queues are never visible.
 *
 * @example
 * ```ts
 * for (const entry of await broker.dlq.list({ limit: 50 })) {
 *   if (entry.errorMessage?.includes('timeout')) await broker.dlq.requeue(entry.id);
 * }
 * const purged = await broker.dlq.purgeAll();
 * ```
 */
export class DlqFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /** DLQ entries, most recently failed first (the seed's `list_dlq`). */
  async list(options?: PageOptions): Promise<DlqTaskInfo[]> {
    const { limit, offset } = resolvePage(options);
    return this.#ctx.run('dlq.list', async () => {
      const rows = await selectDlqInfos(this.#ctx.db, this.#ctx.queue)
        .orderBy('failed_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map(toDlqTaskInfo);
    });
  }

  /** One DLQ entry by its DLQ id, or `null`. */
  async get(dlqId: string): Promise<DlqTaskInfo | null> {
    const id = assertTaskId(dlqId, 'dlqId');
    return this.#ctx.run('dlq.get', async () => {
      const row = await selectDlqInfos(this.#ctx.db, this.#ctx.queue).where('id', '=', id).executeTakeFirst();
      return row ? toDlqTaskInfo(row) : null;
    });
  }

  /**
   * Requeues a DLQ entry as a fresh pending task (new id, retry count 0, metadata gains
   * `requeued_from_dlq: dlqId`) and deletes the entry, in one transaction (the seed's `requeue_from_dlq`).
   * Returns the new task id. `TASK_NOT_FOUND` for an unknown entry, `QUEUE_DRAINING` in drain mode,
   * `DUPLICATE_TASK` when a live task holds the same dedup key.
   */
  async requeue(dlqId: string): Promise<string> {
    const id = assertTaskId(dlqId, 'dlqId');
    const result = await this.#ctx.run('dlq.requeue', async () => {
      try {
        return await withLockRetry(reportRetries(this.#ctx, 'dlq.requeue'), () =>
          this.#ctx.db.transaction().execute((trx) => requeueDlqRow(trx, this.#ctx.queue, id)),
        );
      } catch (error) {
        if (isDuplicateKeyError(error)) {
          throw new CelersError(
            'DUPLICATE_TASK',
            `A live task with the dedup key of DLQ entry ${id} already exists`,
            { cause: error },
          );
        }
        throw error;
      }
    });
    if (result.status === 'not-found') {
      throw new CelersError(
        'TASK_NOT_FOUND',
        `DLQ entry ${id} does not exist in queue "${this.#ctx.queue}"`,
        { details: { dlqId: id } },
      );
    }
    if (result.status === 'draining') {
      throw new CelersError(
        'QUEUE_DRAINING',
        `Queue "${this.#ctx.queue}" is in drain mode and accepts no new tasks`,
        {
          details: { queue: this.#ctx.queue },
        },
      );
    }
    this.#ctx.emit('task:enqueued', {
      queue: this.#ctx.queue,
      taskIds: [result.taskId],
      taskNames: [result.taskName],
      delayed: false,
    });
    return result.taskId;
  }

  /** Deletes one DLQ entry (the seed's `purge_dlq`); `false` when it does not exist here. */
  async purge(dlqId: string): Promise<boolean> {
    const id = assertTaskId(dlqId, 'dlqId');
    return this.#ctx.run(
      'dlq.purge',
      async () => (await deleteDlqRows(this.#ctx.db, this.#ctx.queue, [id])) === 1,
    );
  }

  /**
   * Deletes every DLQ entry of this queue (the seed's `purge_all_dlq`), {@link DLQ_PURGE_CHUNK_SIZE} rows per
   * statement so no single statement holds a huge lock set. Returns how many were deleted.
   */
  async purgeAll(): Promise<number> {
    return this.#ctx.run('dlq.purgeAll', async () => {
      let total = 0;
      for (;;) {
        const { found, deleted } = await withLockRetry(reportRetries(this.#ctx, 'dlq.purgeAll'), () =>
          deleteDlqChunk(this.#ctx.db, this.#ctx.queue),
        );
        total += deleted;
        if (found < DLQ_PURGE_CHUNK_SIZE) return total;
      }
    });
  }
}
