import {
  assertDurationMs,
  assertInteger,
  assertOptionalObject,
  CelersError,
  MAX_PRIORITY,
} from '@celers/core';
import { stateIs } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { dbNowPlusMs } from '../internal/db-time.js';
import { inLockedChunks, lockTaskIds } from '../internal/locked-chunks.js';
import { finishLiveTasks } from '../queue/task-moves.sql.js';
import { PURGE_CHUNK_SIZE } from './chunked-delete.js';

/** Options for `maintenance.applyPriorityAging`. `priorityBoost` is accepted as an alias of `boost`. */
export interface PriorityAgingOptions {
  /** Pending tasks created more than this long ago get the boost (≥ 1 ms). */
  ageThresholdMs: number;
  /** Added to their priority (1–{@link MAX_PRIORITY_BOOST}). */
  boost?: number;
  /** Alias of `boost`. */
  priorityBoost?: number;
}

/** Largest boost per `applyPriorityAging` call: bigger steps invert priorities wholesale (the seed warned past 100). */
export const MAX_PRIORITY_BOOST = 1_000;

/**
 * Cancels tasks that have been due and pending for longer than `ttlMs` (the seed's `expire_pending_tasks`).
 * The TTL runs from `scheduled_at`, so a delayed task or a chain link waiting for its parent does not expire
 * before it could ever run. Chunked: lock a chunk with SKIP LOCKED (a claim in flight wins), cancel it, commit.
 * @internal
 */
export async function expirePending(ctx: BrokerContext, options: { ttlMs: number }): Promise<number> {
  const o = assertOptionalObject(options, 'options');
  if (!o) throw CelersError.invalidArgument('options', 'expected { ttlMs }');
  const ttl = assertDurationMs(o.ttlMs, 'options.ttlMs', 1);
  const expired = await ctx.run('maintenance.expirePending', () =>
    inLockedChunks(
      ctx,
      PURGE_CHUNK_SIZE,
      (trx) =>
        lockTaskIds(
          trx
            .selectFrom('celers_live_tasks')
            .select('id')
            .where('queue_name', '=', ctx.queue)
            .where(stateIs('pending'))
            .where('scheduled_at', '<', dbNowPlusMs(-ttl)),
          PURGE_CHUNK_SIZE,
        ),
      // The lock selected pending rows only, so all of them move.
      (trx, ids) =>
        finishLiveTasks(trx, ids, { state: 'cancelled', error: 'expired: pending longer than its TTL' }),
    ),
  );
  if (expired.length > 0) ctx.emit('task:cancelled', { queue: ctx.queue, taskIds: expired });
  return expired.length;
}

/**
 * Adds `boost` to the priority of pending tasks created more than `ageThresholdMs` ago, capped at the INT
 * maximum (the seed's `apply_priority_aging`, against starvation). Each call boosts once; run it periodically.
 * Walks the primary key in chunks (keyset), so every matching task is boosted exactly once per call.
 * @internal
 */
export async function applyPriorityAging(ctx: BrokerContext, options: PriorityAgingOptions): Promise<number> {
  const o = assertOptionalObject(options, 'options') as PriorityAgingOptions | undefined;
  if (!o) throw CelersError.invalidArgument('options', 'expected { ageThresholdMs, boost }');
  const age = assertDurationMs(o.ageThresholdMs, 'options.ageThresholdMs', 1);
  if (o.boost !== undefined && o.priorityBoost !== undefined)
    throw CelersError.invalidArgument('options.boost', 'give boost or priorityBoost, not both');
  const boost = assertInteger(
    o.boost ?? o.priorityBoost,
    o.boost === undefined && o.priorityBoost !== undefined ? 'options.priorityBoost' : 'options.boost',
    1,
    MAX_PRIORITY_BOOST,
  );
  const boosted = await ctx.run('maintenance.applyPriorityAging', () =>
    inLockedChunks(
      ctx,
      PURGE_CHUNK_SIZE,
      (trx, afterId) =>
        lockTaskIds(
          trx
            .selectFrom('celers_live_tasks')
            .select('id')
            .where('queue_name', '=', ctx.queue)
            .where(stateIs('pending'))
            .where('created_at', '<', dbNowPlusMs(-age))
            .where('id', '>', afterId),
          PURGE_CHUNK_SIZE,
        ),
      (trx, ids) =>
        trx
          .updateTable('celers_live_tasks')
          .set({ priority: sql<number>`LEAST(CAST(priority AS SIGNED) + ${boost}, ${MAX_PRIORITY})` })
          .where('id', 'in', ids)
          .where(stateIs('pending'))
          .execute(),
    ),
  );
  return boosted.length;
}
