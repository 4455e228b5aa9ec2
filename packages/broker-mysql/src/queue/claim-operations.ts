import {
  assertDurationMs,
  assertInteger,
  assertName,
  assertOptionalObject,
  assertTaskNames,
  type BrokerMessage,
  type DequeueOptions,
  TelemetryAttributes,
} from '@celers/core';
import { hookContext } from '@celers/resilience';
import { v4 as uuidv4 } from 'uuid';
import type { BrokerContext } from '../broker-context.js';
import { addMs } from '../internal/db-time.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { deadLetterPoisonRow, decodeClaimedRows } from '../internal/poison-rows.js';
import { hasDueTask, lockDueTasks, markClaimed } from './claim.sql.js';
import { recordTransitions } from './history.sql.js';
import { promoteScheduledTasks } from './promote-scheduled.sql.js';

/** Extra claims one dequeue makes when every row it locked was dead-lettered as undecodable. */
const MAX_POISON_RETRIES = 3;

/** Largest `dequeueBatch` count. */
export const MAX_DEQUEUE_BATCH = 1_000;

/**
 * Claims up to `count` due tasks (of `options.taskNames` only, when given) in one short READ COMMITTED
 * transaction (lock with SKIP LOCKED, mark `processing` with a new receipt and lease and count the delivery,
 * commit), then returns them. The task runs outside any transaction. Returns `[]` when nothing is due or the
 * queue is paused.
 * @internal
 */
export async function dequeueTasks(
  ctx: BrokerContext,
  count: number,
  options: DequeueOptions = {},
): Promise<BrokerMessage[]> {
  assertInteger(count, 'count', 1, MAX_DEQUEUE_BATCH);
  assertOptionalObject(options, 'options');
  const workerId = options.workerId === undefined ? null : assertName(options.workerId, 'options.workerId');
  const leaseMs =
    options.leaseMs === undefined
      ? ctx.options.leaseMs
      : assertDurationMs(options.leaseMs, 'options.leaseMs', 1);
  const taskNames =
    options.taskNames === undefined ? undefined : assertTaskNames(options.taskNames, 'options.taskNames');
  if (ctx.hooks.has('beforeDequeue')) await ctx.hooks.runBefore(hookContext('beforeDequeue', ctx.queue));

  const messages = await ctx.run(
    'dequeue',
    async () => {
      // Scheduled tasks due soon become claimable first (at most once a second per broker; see ScheduledPromoter).
      await ctx.promoter.promoteIfDue(() =>
        withLockRetry(reportRetries(ctx, 'promoteScheduled'), () => promoteScheduledTasks(ctx.db, ctx.queue)),
      );
      // An idle queue is polled with one cheap read; only a queue with due work pays for the claim transaction.
      if (ctx.claimFoundNothing && !(await hasDueTask(ctx.db, ctx.queue, taskNames))) return [];
      const claimOnce = () =>
        withLockRetry(reportRetries(ctx, 'dequeue'), () =>
          ctx.db.transaction().execute(async (trx) => {
            const { rows: locked, claimedAt } = await lockDueTasks(trx, ctx.queue, count, taskNames);
            if (locked.length === 0) return { messages: [], poisoned: [] };
            const receiptHandle = uuidv4();
            const leaseExpiresAt = addMs(claimedAt, leaseMs);
            for (const r of locked) r.delivery_count += 1; // what markClaimed writes below
            // Decode before claiming: a row that cannot be decoded is dead-lettered in this transaction instead
            // of making every consumer's dequeue throw on it forever.
            const { decoded, poisoned } = decodeClaimedRows(locked, receiptHandle, leaseExpiresAt, workerId);
            for (const p of poisoned) await deadLetterPoisonRow(trx, ctx.queue, p.row, claimedAt, p.error);
            const rows = decoded.map((d) => d.row);
            await markClaimed(
              trx,
              rows.map((r) => r.id),
              { receiptHandle, claimedAt, leaseExpiresAt, workerId },
            );
            if (ctx.options.recordHistory && rows.length > 0) {
              await recordTransitions(
                trx,
                ctx.queue,
                rows.map((r) => ({ taskId: r.id, from: 'pending', to: 'processing', workerId })),
              );
            }
            const messages = decoded.map((d) => d.message);
            const concerned = messages.some((m) =>
              ctx.onCompleted.some((hook) => hook.concerns(m.task.metadata.custom ?? {})),
            );
            if (!concerned) ctx.hookFreeClaims.add(receiptHandle);
            return { messages, poisoned };
          }),
        );
      let claimed = await claimOnce();
      // A claim that found only poison rows tries again (bounded), so valid tasks behind them still come out.
      for (let retry = 0; ; retry++) {
        for (const p of claimed.poisoned) ctx.emit('error', { queue: ctx.queue, error: p.error });
        if (claimed.messages.length > 0 || claimed.poisoned.length === 0 || retry >= MAX_POISON_RETRIES)
          break;
        claimed = await claimOnce();
      }
      ctx.claimFoundNothing = claimed.messages.length === 0 && claimed.poisoned.length === 0;
      return claimed.messages;
    },
    {
      [TelemetryAttributes.TaskCount]: count,
      ...(workerId ? { [TelemetryAttributes.WorkerId]: workerId } : {}),
    },
  );

  if (messages.length > 0) {
    ctx.emit('task:dequeued', {
      queue: ctx.queue,
      taskIds: messages.map((m) => m.task.metadata.id),
      workerId,
    });
    if (ctx.hooks.has('afterDequeue')) {
      for (const m of messages) {
        await ctx.hooks.runAfter(
          hookContext('afterDequeue', ctx.queue, {
            taskId: m.task.metadata.id,
            taskName: m.task.metadata.name,
            metadata: { ...m.task.metadata.custom },
          }),
          (error) => ctx.emit('error', { queue: ctx.queue, error }),
        );
      }
    }
  }
  return messages;
}
