import { assertDurationMs, assertName, CelersError, type SerializedTask, type TaskId } from '@celers/core';
import { LINK_DEDUP_INDEX, LIVE_STORED_STATES } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { assertSerializedTask } from '../internal/validate-task.js';
import { enqueueOne } from '../queue/enqueue-operations.js';
import {
  DEDUP_KEY_METADATA,
  DEDUP_WINDOW_KEY_METADATA,
  DEDUP_WINDOW_NAMESPACE,
} from './idempotency-types.js';
import { claimKeyAndEnqueue } from './key-claim.js';

/**
 * Attempts when the live task holding a key finishes between our insert and our lookup (a stale holder, whose
 * task is no longer live, is deleted by the insert itself: see `linkLiveTasks`).
 */
const DEDUP_ATTEMPTS = 5;

function withCustom(task: SerializedTask, extra: Record<string, unknown>): SerializedTask {
  return {
    metadata: { ...task.metadata, custom: { ...task.metadata.custom, ...extra } },
    payload: task.payload,
  };
}

function isLiveDedupConflict(error: unknown): boolean {
  if (!CelersError.isInstance(error) || error.code !== 'DUPLICATE_TASK') return false;
  const cause = error.cause as { sqlMessage?: string } | undefined;
  return cause?.sqlMessage?.includes(LINK_DEDUP_INDEX) === true;
}

/** The live task holding `key` in this queue: its links row, joined to a live row (a stale row is ignored). */
async function findLiveTask(ctx: BrokerContext, key: string): Promise<string | undefined> {
  const row = await ctx.run('enqueueDeduplicated.lookup', () =>
    ctx.db
      .selectFrom('celers_task_links as l')
      .innerJoin('celers_live_tasks as t', 't.id', 'l.task_id')
      .select('t.id')
      .where('l.queue_name', '=', ctx.queue)
      .where('l.dedup_key', '=', key)
      .where('t.state', 'in', [...LIVE_STORED_STATES])
      .executeTakeFirst(),
  );
  return row?.id;
}

/**
 * Enqueues `task` with `metadata.dedup_key = key` unless a pending or processing task of this queue already
 * has that key; returns the live task's id or the new one (the seed's `enqueue_deduplicated`).
 *
 * The database enforces it: the task's links row (`celers_task_links`, written in the task's transaction)
 * holds the key under the unique index `uq_task_links_dedup`. Two producers racing on the same key both try to
 * insert; the loser gets error 1062, its task rolls back, and it returns the winner's id. Once the task
 * finishes its row is stale: the next insert deletes it (fenced by its task id) and takes the key, so no settle
 * path has to release it.
 * @internal
 */
export async function enqueueDeduplicated(
  ctx: BrokerContext,
  task: SerializedTask,
  key: string,
): Promise<TaskId> {
  const t = assertSerializedTask(task);
  const k = assertName(key, 'key');
  const keyed = withCustom(t, { [DEDUP_KEY_METADATA]: k });
  for (let attempt = 1; ; attempt++) {
    const live = await findLiveTask(ctx, k);
    if (live) return live;
    try {
      return await enqueueOne(ctx, 'enqueueDeduplicated', keyed);
    } catch (error) {
      if (!isLiveDedupConflict(error) || attempt >= DEDUP_ATTEMPTS) throw error;
    }
  }
}

/**
 * Enqueues `task` unless a task with the same key was enqueued through this method in the last `windowMs`,
 * whatever that task's state now; returns the existing or new task id (the seed's
 * `enqueue_deduplicated_window`).
 *
 * Race safety: the window is a row in `celers_task_idempotency` under the private task name
 * {@link DEDUP_WINDOW_NAMESPACE} with `expires_at = now + windowMs`, written in the same transaction as the task
 * and arbitrated by that table's unique key (see `claimKeyAndEnqueue`). A row lock rather than `GET_LOCK`
 * because it needs no session-level lock bookkeeping and the window outlives connections. Unlike
 * `enqueueDeduplicated`, it does not set `metadata.dedup_key`, so a task still pending when its window ends does
 * not block the next window's task.
 * @internal
 */
export async function enqueueDeduplicatedWindow(
  ctx: BrokerContext,
  task: SerializedTask,
  key: string,
  windowMs: number,
): Promise<TaskId> {
  const t = assertSerializedTask(task);
  const k = assertName(key, 'key');
  const ms = assertDurationMs(windowMs, 'windowMs', 1);
  return claimKeyAndEnqueue(ctx, {
    operation: 'enqueueDeduplicatedWindow',
    namespace: DEDUP_WINDOW_NAMESPACE,
    key: k,
    ttlMs: ms,
    metadataJson: null,
    task: withCustom(t, { [DEDUP_WINDOW_KEY_METADATA]: k }),
  });
}
