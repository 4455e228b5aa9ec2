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
import { type DecodedClaim, deadLetterPoisonRow, decodeClaimedRows } from '../internal/poison-rows.js';
import type { MessageRow } from '../internal/task-row-mapper.js';
import {
  type ClaimMark,
  claimPeekedTasks,
  hasDueTask,
  lockDueTasks,
  markClaimed,
  peekDueTasks,
} from './claim.sql.js';
import { recordTransitions } from './history.sql.js';
import { promoteScheduledTasks } from './promote-scheduled.sql.js';

/** Extra claims one dequeue makes when every row it locked was dead-lettered as undecodable. */
const MAX_POISON_RETRIES = 3;

/** Largest `dequeueBatch` count. */
export const MAX_DEQUEUE_BATCH = 1_000;

/** What one claim attempt took: the messages, and the rows it dead-lettered as undecodable. */
interface ClaimOutcome {
  messages: BrokerMessage[];
  poisoned: DecodedClaim['poisoned'];
}

/**
 * Gives rows read for a claim their claim: a new receipt, the lease from the database time of the read, and the
 * delivery the claim's UPDATE counts; then builds their messages, setting undecodable rows apart.
 */
function prepareClaim(
  rows: MessageRow[],
  claimedAt: Date,
  leaseMs: number,
  workerId: string | null,
): DecodedClaim & { claim: ClaimMark } {
  const claim = { receiptHandle: uuidv4(), claimedAt, leaseExpiresAt: addMs(claimedAt, leaseMs), workerId };
  for (const r of rows) r.delivery_count += 1; // what the claim's UPDATE writes
  return { claim, ...decodeClaimedRows(rows, claim.receiptHandle, claim.leaseExpiresAt, workerId) };
}

/**
 * Claims through the locking transaction: lock with SKIP LOCKED, mark `processing` with a new receipt and lease
 * and count the delivery, dead-letter undecodable rows, record history, commit. Concurrent consumers skip each
 * other's rows, which keeps a backlog's claims apart.
 */
function lockingClaim(
  ctx: BrokerContext,
  count: number,
  taskNames: readonly string[] | undefined,
  leaseMs: number,
  workerId: string | null,
): Promise<ClaimOutcome> {
  return withLockRetry(reportRetries(ctx, 'dequeue'), () =>
    ctx.db.transaction().execute(async (trx) => {
      const { rows: locked, claimedAt } = await lockDueTasks(trx, ctx.queue, count, taskNames);
      if (locked.length === 0) return { messages: [], poisoned: [] };
      // Decode before claiming: a row that cannot be decoded is dead-lettered in this transaction instead
      // of making every consumer's dequeue throw on it forever.
      const { claim, decoded, poisoned } = prepareClaim(locked, claimedAt, leaseMs, workerId);
      for (const p of poisoned) await deadLetterPoisonRow(trx, ctx.queue, p.row, claimedAt, p.error);
      const rows = decoded.map((d) => d.row);
      await markClaimed(
        trx,
        rows.map((r) => r.id),
        claim,
      );
      if (ctx.options.recordHistory && rows.length > 0) {
        await recordTransitions(
          trx,
          ctx.queue,
          rows.map((r) => ({ taskId: r.id, from: 'pending', to: 'processing', workerId })),
        );
      }
      const messages = decoded.map((d) => d.message);
      noteHookFreeClaim(ctx, messages, claim.receiptHandle);
      return { messages, poisoned };
    }),
  );
}

/**
 * The claim of a queue that came up short last time (issue 17, W4): one plain SELECT of up to `count` + 1 due
 * tasks; none is an idle poll, up to `count` are taken with one fenced autocommit UPDATE (see
 * claimPeekedTasks), so a claim of a few tasks costs 2 round trips instead of 5. Returns `undefined`, for the
 * locking claim to take over, when the peek found more than `count` (a backlog again: concurrent consumers
 * should skip each other's rows, not wait on them) or an undecodable row (the locking claim dead-letters it).
 */
async function peekClaim(
  ctx: BrokerContext,
  count: number,
  taskNames: readonly string[] | undefined,
  leaseMs: number,
  workerId: string | null,
): Promise<ClaimOutcome | undefined> {
  // One row more than asked tells a queue that holds at most `count` due tasks from a backlog.
  const { rows, claimedAt } = await peekDueTasks(ctx.db, ctx.queue, count + 1, taskNames);
  if (rows.length === 0) return { messages: [], poisoned: [] };
  if (rows.length > count) return undefined;
  const versions = rows.map((r) => ({ id: r.id, delivery_count: r.delivery_count })); // as peeked
  const { claim, decoded, poisoned } = prepareClaim(rows, claimedAt, leaseMs, workerId);
  if (poisoned.length > 0) return undefined;
  const mine = new Set(
    await withLockRetry(reportRetries(ctx, 'dequeue'), () =>
      claimPeekedTasks(ctx.db, ctx.queue, versions, claim),
    ),
  );
  const messages = decoded.filter((d) => mine.has(d.row.id)).map((d) => d.message);
  noteHookFreeClaim(ctx, messages, claim.receiptHandle);
  return { messages, poisoned: [] };
}

/** Remembers a claim none of whose tasks a completion hook concerns, so its acks skip the hooks. */
function noteHookFreeClaim(
  ctx: BrokerContext,
  messages: readonly BrokerMessage[],
  receiptHandle: string,
): void {
  const concerned = messages.some((m) =>
    ctx.onCompleted.some((hook) => hook.concerns(m.task.metadata.custom ?? {})),
  );
  if (!concerned) ctx.hookFreeClaims.add(receiptHandle);
}

/**
 * Claims up to `count` due tasks (of `options.taskNames` only, when given): marks them `processing` with a new
 * receipt and lease and counts the delivery, then returns them. The task runs outside any transaction. A
 * backlog is claimed in one short READ COMMITTED transaction with SKIP LOCKED (see lockingClaim); after a
 * claim that came back short, a peek and one fenced UPDATE take a few tasks in 2 round trips instead (see
 * peekClaim). Returns `[]` when nothing is due or the queue is paused.
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
      let claimed: ClaimOutcome | undefined;
      if (ctx.lastClaim !== 'full') {
        // A queue that came up short last time is polled with one cheap read: the peek, or with history
        // recorded (no peek: the claim and its history rows commit together in the locking claim) hasDueTask.
        if (!ctx.options.recordHistory) claimed = await peekClaim(ctx, count, taskNames, leaseMs, workerId);
        else if (ctx.lastClaim === 'empty' && !(await hasDueTask(ctx.db, ctx.queue, taskNames)))
          claimed = { messages: [], poisoned: [] };
      }
      const claimOnce = () => lockingClaim(ctx, count, taskNames, leaseMs, workerId);
      claimed ??= await claimOnce();
      // A claim that found only poison rows tries again (bounded), so valid tasks behind them still come out.
      for (let retry = 0; ; retry++) {
        for (const p of claimed.poisoned) ctx.emit('error', { queue: ctx.queue, error: p.error });
        if (claimed.messages.length > 0 || claimed.poisoned.length === 0 || retry >= MAX_POISON_RETRIES)
          break;
        claimed = await claimOnce();
      }
      const found = claimed.messages.length + claimed.poisoned.length;
      ctx.lastClaim = found === 0 ? 'empty' : found < count ? 'short' : 'full';
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
