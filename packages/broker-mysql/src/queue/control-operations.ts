import {
  assertDurationMs,
  assertName,
  assertPercent,
  assertTaskId,
  assertTaskIds,
  CelersError,
  TelemetryAttributes,
} from '@celers/core';
import { publicTaskState } from '@celers/schema';
import { type SqlBool, sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { dbNowPlusMs } from '../internal/db-time.js';
import { inCandidateChunks } from '../internal/locked-chunks.js';
import { explainMissingOwnership } from './ack.sql.js';
import { cancelLiveTasks, LIVE_STATES } from './cancel.sql.js';
import { recordTransitions } from './history.sql.js';
import {
  extendOwnedLease,
  findTaskIdsWhere,
  findTimedOutTaskIds,
  lockTaskIdsWhere,
  lockTimedOutTaskIds,
  readLease,
  releaseOwnedTask,
  requeueTasks,
} from './lease.sql.js';
import { countTasksInState } from './queue-counts.sql.js';
import { updateEitherTable } from './task-moves.sql.js';

/** Tasks recovered per transaction, so a huge recovery never holds one giant lock set. */
export const RECOVERY_CHUNK_SIZE = 500;

/** Cancels pending/processing tasks; returns how many changed. @internal */
export async function cancelTasks(
  ctx: BrokerContext,
  taskIds: readonly string[],
  operation = 'cancelBatch',
): Promise<number> {
  const ids = assertTaskIds(taskIds, 'taskIds');
  if (ids.length === 0) return 0;
  const n = await ctx.run(operation, async () => {
    if (!ctx.options.recordHistory) return cancelLiveTasks(ctx.db, ctx.queue, ids);
    return ctx.db.transaction().execute(async (trx) => {
      const live = await trx
        .selectFrom('celers_live_tasks')
        .select(['id', 'state'])
        .where('id', 'in', ids)
        .where('queue_name', '=', ctx.queue)
        .where('state', 'in', LIVE_STATES)
        .forUpdate()
        .execute();
      const changed = await cancelLiveTasks(
        trx,
        ctx.queue,
        live.map((r) => r.id),
      );
      await recordTransitions(
        trx,
        ctx.queue,
        live.map((r) => ({ taskId: r.id, from: publicTaskState(r.state), to: 'cancelled' })),
      );
      return changed;
    });
  });
  if (n > 0) ctx.emit('task:cancelled', { queue: ctx.queue, taskIds: ids });
  return n;
}

/** Cancels one task; `false` when it was finished or absent. @internal */
export async function cancelTask(ctx: BrokerContext, taskId: string): Promise<boolean> {
  return (await cancelTasks(ctx, [assertTaskId(taskId, 'taskId')], 'cancel')) === 1;
}

/** Pending tasks of the queue (delayed ones included). @internal */
export async function countPending(ctx: BrokerContext): Promise<number> {
  return ctx.run('queueSize', () => countTasksInState(ctx.db, ctx.queue, 'pending'));
}

/** Extends an owned lease; returns the new expiry. @internal */
export async function extendLease(
  ctx: BrokerContext,
  taskId: string,
  receiptHandle: string,
  leaseMs: number,
): Promise<Date> {
  const id = assertTaskId(taskId, 'taskId');
  const receipt = assertTaskId(receiptHandle, 'receiptHandle');
  const ms = assertDurationMs(leaseMs, 'leaseMs', 1);
  return ctx.run('extendLease', async () => {
    if ((await extendOwnedLease(ctx.db, ctx.queue, id, receipt, ms)) !== 1) {
      const code = await explainMissingOwnership(ctx.db, ctx.queue, id);
      throw new CelersError(code, `Cannot extend the lease of task ${id}: ${code}`, {
        details: { taskId: id },
      });
    }
    return (await readLease(ctx.db, id)) ?? new Date(Date.now() + ms);
  });
}

/** Gives an owned, unstarted task back to `pending` without counting a retry. @internal */
export async function releaseTask(
  ctx: BrokerContext,
  taskId: string,
  receiptHandle: string,
): Promise<boolean> {
  const id = assertTaskId(taskId, 'taskId');
  const receipt = assertTaskId(receiptHandle, 'receiptHandle');
  return ctx.run('release', async () => (await releaseOwnedTask(ctx.db, ctx.queue, id, receipt)) === 1, {
    [TelemetryAttributes.TaskId]: id,
  });
}

/** Records progress on a task (0–100, optional step label). @internal */
export async function updateProgress(
  ctx: BrokerContext,
  taskId: string,
  percent: number,
  step?: string,
): Promise<boolean> {
  const id = assertTaskId(taskId, 'taskId');
  const pct = assertPercent(percent, 'percent');
  const label = step === undefined ? null : assertName(step, 'step');
  return ctx.run('updateProgress', async () => {
    const n = await updateEitherTable((table) =>
      ctx.db
        .updateTable(table)
        .set({ progress_percent: pct, progress_step: label })
        .where('id', '=', id)
        .where('queue_name', '=', ctx.queue)
        .executeTakeFirstOrThrow(),
    );
    return n === 1;
  });
}

/**
 * Returns `processing` tasks whose lease expired, or whose worker stopped heartbeating, to `pending`
 * (retry count kept), in chunks of {@link RECOVERY_CHUNK_SIZE}. Their old receipts become stale. Candidates
 * are found with a non-locking read and only they are locked (by primary key, SKIP LOCKED), so recovery never
 * holds a lock on a live lease that a worker is acking.
 * @internal
 */
export async function recoverTimedOut(ctx: BrokerContext): Promise<number> {
  const staleMs = ctx.options.workerStaleAfterMs;
  const recovered = await ctx.run('recoverTimedOutTasks', () =>
    inCandidateChunks(
      ctx,
      'recoverTimedOutTasks',
      RECOVERY_CHUNK_SIZE,
      (afterId, limit) => findTimedOutTaskIds(ctx.db, ctx.queue, staleMs, afterId, limit),
      (trx, candidates) => lockTimedOutTaskIds(trx, ctx.queue, staleMs, candidates),
      async (trx, ids) => {
        await requeueTasks(trx, ids);
        if (ctx.options.recordHistory) {
          await recordTransitions(
            trx,
            ctx.queue,
            ids.map((id) => ({ taskId: id, from: 'processing', to: 'pending', note: 'recovered' })),
          );
        }
      },
    ),
  );
  if (recovered.length > 0) ctx.emit('task:recovered', { queue: ctx.queue, count: recovered.length });
  return recovered.length;
}

/**
 * Returns tasks that have been `processing` for longer than `olderThanMs` to `pending`, whatever their lease
 * (the seed's `recover_stuck_tasks`, for operators who know those workers are gone).
 * @internal
 */
export async function recoverStuck(ctx: BrokerContext, olderThanMs: number): Promise<number> {
  const ms = assertDurationMs(olderThanMs, 'olderThanMs');
  const stuck = sql<SqlBool>`t.queue_name = ${ctx.queue} AND t.state = 'processing'
    AND t.started_at < ${dbNowPlusMs(-ms)}`;
  const recovered = await ctx.run('recoverStuckTasks', () =>
    inCandidateChunks(
      ctx,
      'recoverStuckTasks',
      RECOVERY_CHUNK_SIZE,
      (afterId, limit) => findTaskIdsWhere(ctx.db, stuck, afterId, limit),
      (trx, candidates) => lockTaskIdsWhere(trx, candidates, stuck),
      (trx, ids) => requeueTasks(trx, ids),
    ),
  );
  if (recovered.length > 0) ctx.emit('task:recovered', { queue: ctx.queue, count: recovered.length });
  return recovered.length;
}
