import { assertInteger, assertName, CelersError, type SerializedTask, type TaskId } from '@celers/core';
import { stateIs } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { assertSerializedTask } from '../internal/validate-task.js';
import { enqueueOne } from './enqueue-operations.js';
import { countTasksInState } from './queue-counts.sql.js';

/** Result of `checkRateLimit` (the seed's `RateLimitStatus`). */
export interface RateLimitStatus {
  /** True while fewer than `limit` tasks of that name were enqueued in the last minute. */
  allowed: boolean;
  /** Tasks of that name enqueued in the last 60 s. */
  current: number;
  limit: number;
  /** Until the oldest task in the window leaves it (0 when the window is empty). */
  resetInMs: number;
}

/** Largest capacity accepted by `hasCapacity`/`enqueueWithCapacity`. */
const MAX_CAPACITY = Number.MAX_SAFE_INTEGER;
/** Rate-limit window: one minute, as in the seed. */
const RATE_WINDOW_MS = 60_000;
/** Default upper bound of `getOptimalBatchSize`. */
export const DEFAULT_MAX_BATCH_SIZE = 100;
/** Largest upper bound accepted by `getOptimalBatchSize` (the seed warned above 10,000). */
export const MAX_OPTIMAL_BATCH_SIZE = 10_000;

function pendingCount(ctx: BrokerContext, operation: string): Promise<number> {
  return ctx.run(operation, () => countTasksInState(ctx.db, ctx.queue, 'pending'));
}

/** Whether fewer than `maxSize` tasks are pending (the seed's `has_capacity`). @internal */
export async function hasCapacity(ctx: BrokerContext, maxSize: number): Promise<boolean> {
  const max = assertInteger(maxSize, 'maxSize', 1, MAX_CAPACITY);
  return (await pendingCount(ctx, 'hasCapacity')) < max;
}

/**
 * Enqueues `task` only while fewer than `maxSize` tasks are pending, else `QUEUE_FULL` (nothing written).
 *
 * Race bound: the count and the insert are two statements, not a lock, so N producers checking at the same
 * instant can together overshoot `maxSize` by at most N - 1 tasks. That is the backpressure the seed offered,
 * without serializing every producer on a queue-wide lock.
 * @internal
 */
export async function enqueueWithCapacity(
  ctx: BrokerContext,
  task: SerializedTask,
  maxSize: number,
): Promise<TaskId> {
  const t = assertSerializedTask(task);
  const max = assertInteger(maxSize, 'maxSize', 1, MAX_CAPACITY);
  const pending = await pendingCount(ctx, 'enqueueWithCapacity.count');
  if (pending >= max) {
    throw new CelersError(
      'QUEUE_FULL',
      `Queue "${ctx.queue}" holds ${pending} pending tasks (capacity ${max})`,
      {
        details: { queue: ctx.queue, pending, maxSize: max },
      },
    );
  }
  return enqueueOne(ctx, 'enqueueWithCapacity', t);
}

/**
 * Counts tasks named `taskName` enqueued in this queue during the last minute (database clock) and compares
 * with `maxPerMinute` (the seed's `check_rate_limit`). Read-only: it reports, callers decide.
 * @internal
 */
export async function checkRateLimit(
  ctx: BrokerContext,
  taskName: string,
  maxPerMinute: number,
): Promise<RateLimitStatus> {
  const name = assertName(taskName, 'taskName');
  const limit = assertInteger(maxPerMinute, 'maxPerMinute', 1, MAX_CAPACITY);
  return ctx.run('checkRateLimit', async () => {
    const row = await ctx.db
      .selectFrom('celers_tasks')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        sql<
          number | null
        >`TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), DATE_ADD(MIN(created_at), INTERVAL ${RATE_WINDOW_MS * 1000} MICROSECOND))`.as(
          'reset_us',
        ),
      ])
      .where('queue_name', '=', ctx.queue)
      .where('task_name', '=', name)
      .where(
        'created_at',
        '>',
        sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ${RATE_WINDOW_MS * 1000} MICROSECOND)`,
      )
      .executeTakeFirstOrThrow();
    const current = Number(row.n);
    const resetInMs = row.reset_us == null ? 0 : Math.max(0, Math.ceil(Number(row.reset_us) / 1000));
    return { allowed: current < limit, current, limit, resetInMs };
  });
}

/**
 * A dequeue batch size for the current backlog (the seed's adaptive `get_optimal_batch_size`): small batches
 * when little is waiting (fair spread across workers, low latency), large ones under load (fewer round trips).
 * Due pending tasks → size: 0–9 → 1, 10–99 → 10, 100–999 → 50, ≥ 1000 → `maxBatchSize`; always capped at
 * `maxBatchSize`.
 * @internal
 */
export async function getOptimalBatchSize(
  ctx: BrokerContext,
  maxBatchSize: number = DEFAULT_MAX_BATCH_SIZE,
): Promise<number> {
  const max = assertInteger(maxBatchSize, 'maxBatchSize', 1, MAX_OPTIMAL_BATCH_SIZE);
  const depth = await ctx.run('getOptimalBatchSize', async () => {
    const row = await ctx.db
      .selectFrom('celers_live_tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('queue_name', '=', ctx.queue)
      // Both stored values: a scheduled row that fell due is counted before its promotion too.
      .where(stateIs('pending'))
      .where('scheduled_at', '<=', sql<Date>`UTC_TIMESTAMP(6)`)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  });
  return Math.min(max, batchSizeForDepth(depth, max));
}

/** The tiering behind {@link getOptimalBatchSize} (pure). */
export function batchSizeForDepth(depth: number, max: number): number {
  if (depth < 10) return 1;
  if (depth < 100) return 10;
  if (depth < 1000) return 50;
  return max;
}
