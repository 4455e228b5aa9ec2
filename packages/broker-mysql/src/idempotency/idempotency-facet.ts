import {
  assertDurationMs,
  assertJsonSerializable,
  assertName,
  assertOptionalObject,
  type SerializedTask,
  type TaskId,
} from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { assertJsonFits } from '../internal/assert-fits.js';
import { assertSerializedTask } from '../internal/validate-task.js';
import { deleteInChunks } from '../maintenance/chunked-delete.js';
import { enqueueDeduplicated, enqueueDeduplicatedWindow } from './dedup-operations.js';
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyRecord,
  type IdempotencyStatistics,
  type IdempotentEnqueueOptions,
} from './idempotency-types.js';
import { claimKeyAndEnqueue } from './key-claim.js';

/**
 * `broker.idempotency`: enqueue with an idempotency key and a TTL (the seed's Task Deduplication with
 * Idempotency Keys), in `celers_task_idempotency`. While a key is unexpired, enqueuing under it again returns
 * the first task's id and stores nothing; race-safe across producers and hosts.
 *
 * @example
 * ```ts
 * const order = { id: 'o-1042', amountCents: 1_999 };
 * const id = await broker.idempotency.enqueue(createTask('payments.charge', order), `charge:${order.id}`, { ttlMs: 3_600_000 });
 * const again = await broker.idempotency.enqueue(createTask('payments.charge', order), `charge:${order.id}`);
 * // again === id
 * ```
 */
export class IdempotencyFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /**
   * Enqueues `task` under `key` (scoped to the task's name), or returns the task id the unexpired key already
   * maps to. An expired key is taken over by the new task.
   */
  async enqueue(task: SerializedTask, key: string, options: IdempotentEnqueueOptions = {}): Promise<TaskId> {
    const t = assertSerializedTask(task);
    const k = assertName(key, 'key');
    const o = assertOptionalObject(options, 'options') ?? {};
    const ttlMs =
      o.ttlMs === undefined ? DEFAULT_IDEMPOTENCY_TTL_MS : assertDurationMs(o.ttlMs, 'options.ttlMs', 1);
    const meta = assertOptionalObject(o.metadata, 'options.metadata');
    const metadataJson =
      meta === undefined ? null : assertJsonSerializable(meta, 'options.metadata', { object: true });
    assertJsonFits(this.#ctx.limits, 'options.metadata', metadataJson);
    return claimKeyAndEnqueue(this.#ctx, {
      operation: 'idempotency.enqueue',
      namespace: t.metadata.name,
      key: k,
      ttlMs,
      metadataJson,
      task: t,
    });
  }

  /** The record for `key` under `taskName` (expired or not), or `null`. */
  async get(key: string, taskName: string): Promise<IdempotencyRecord | null> {
    const k = assertName(key, 'key');
    const name = assertName(taskName, 'taskName');
    return this.#ctx.run('idempotency.get', async () => {
      const row = await this.#ctx.db
        .selectFrom('celers_task_idempotency')
        .selectAll()
        .select(sql<number>`expires_at <= UTC_TIMESTAMP(6)`.as('expired'))
        .where('queue_name', '=', this.#ctx.queue)
        .where('task_name', '=', name)
        .where('idempotency_key', '=', k)
        .executeTakeFirst();
      if (!row) return null;
      return {
        id: Number(row.id),
        queueName: row.queue_name,
        taskName: row.task_name,
        key: row.idempotency_key,
        taskId: row.task_id,
        metadata: row.metadata == null ? null : parseJsonColumn<Record<string, unknown>>(row.metadata),
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        expired: Number(row.expired) === 1,
      };
    });
  }

  /** Deletes this queue's expired keys (in chunks); returns how many. */
  async cleanupExpired(): Promise<number> {
    const ctx = this.#ctx;
    return ctx.run('idempotency.cleanupExpired', () =>
      deleteInChunks(async (limit) => {
        const rows = await ctx.db
          .selectFrom('celers_task_idempotency')
          .select('id')
          .where('queue_name', '=', ctx.queue)
          .where('expires_at', '<=', sql<Date>`UTC_TIMESTAMP(6)`)
          .orderBy('id')
          .limit(limit)
          .execute();
        if (rows.length === 0) return { deleted: 0, scanned: 0 };
        const r = await ctx.db
          .deleteFrom('celers_task_idempotency')
          .where(
            'id',
            'in',
            rows.map((row) => row.id),
          )
          .where('expires_at', '<=', sql<Date>`UTC_TIMESTAMP(6)`)
          .executeTakeFirst();
        return { deleted: Number(r.numDeletedRows), scanned: rows.length };
      }),
    );
  }

  /** Key counts per task name (the dedup-window namespace included), by task name. */
  async statistics(): Promise<IdempotencyStatistics[]> {
    return this.#ctx.run('idempotency.statistics', async () => {
      const rows = await this.#ctx.db
        .selectFrom('celers_task_idempotency')
        .select((eb) => [
          'task_name',
          eb.fn.countAll<number>().as('total'),
          sql<number>`SUM(expires_at > UTC_TIMESTAMP(6))`.as('active'),
          eb.fn.min('created_at').as('oldest'),
          eb.fn.max('created_at').as('newest'),
        ])
        .where('queue_name', '=', this.#ctx.queue)
        .groupBy('task_name')
        .orderBy('task_name')
        .execute();
      return rows.map((r) => ({
        taskName: r.task_name,
        totalKeys: Number(r.total),
        activeKeys: Number(r.active ?? 0),
        expiredKeys: Number(r.total) - Number(r.active ?? 0),
        oldestCreatedAt: r.oldest ?? null,
        newestCreatedAt: r.newest ?? null,
      }));
    });
  }

  /**
   * Enqueues `task` unless a pending/processing task of this queue has the same dedup key; returns the live
   * task's id or the new one (the seed's `enqueue_deduplicated`, enforced by a unique index, race-safe).
   */
  async enqueueDeduplicated(task: SerializedTask, key: string): Promise<TaskId> {
    return enqueueDeduplicated(this.#ctx, task, key);
  }

  /** Enqueues `task` unless one with `key` was enqueued in the last `windowMs`, whatever its state; returns the id. */
  async enqueueDeduplicatedWindow(task: SerializedTask, key: string, windowMs: number): Promise<TaskId> {
    return enqueueDeduplicatedWindow(this.#ctx, task, key, windowMs);
  }
}
