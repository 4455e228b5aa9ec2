import {
  assertJsonSerializable,
  assertName,
  assertOptionalObject,
  CelersError,
  type SerializedTask,
  type TaskId,
} from '@celers/core';
import { parseJsonColumn, publicStateSql, SCHEDULED_STORED_STATE } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext, Executor } from '../broker-context.js';
import { assertJsonFits } from '../internal/assert-fits.js';
import { dbNow } from '../internal/db-time.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { assertSerializedTasks } from '../internal/validate-task.js';
import { enqueueMany, type Schedule } from '../queue/enqueue-operations.js';
import { CHAIN_WAITING_AT, ChainMetadataKey } from './chain-links.sql.js';
import { TaskChain } from './chain-operations.js';
import {
  type ChainEnqueueOptions,
  GROUP_ID_METADATA,
  type GroupEnqueueOptions,
  type GroupStatus,
} from './groups-types.js';

function tag(task: SerializedTask, extra: Record<string, unknown>): SerializedTask {
  return {
    metadata: { ...task.metadata, custom: { ...task.metadata.custom, ...extra } },
    payload: task.payload,
  };
}

/** Creates the group row or adds `count` to it (metadata replaced only when given). */
async function upsertGroup(
  trx: Executor,
  queue: string,
  groupId: string,
  count: number,
  metadataJson: string | null,
): Promise<void> {
  await trx
    .insertInto('celers_task_groups')
    .values({
      group_id: groupId,
      queue_name: queue,
      task_count: count,
      metadata: metadataJson,
      created_at: dbNow(),
    })
    .onDuplicateKeyUpdate({
      task_count: sql`task_count + VALUES(task_count)`,
      metadata: sql`COALESCE(VALUES(metadata), metadata)`,
    })
    .execute();
}

/**
 * Enqueues `tasks` as group `groupId` (each gets `metadata.group_id`) and records the group in
 * `celers_task_groups`, all in one transaction (the seed's `enqueue_group`). Enqueuing into an existing group
 * adds to it.
 * @internal
 */
export async function enqueueGroup(
  ctx: BrokerContext,
  groupId: string,
  tasks: readonly SerializedTask[],
  options: GroupEnqueueOptions = {},
): Promise<TaskId[]> {
  const id = assertName(groupId, 'groupId');
  const checked = assertSerializedTasks(tasks, 'tasks');
  if (checked.length === 0) throw CelersError.invalidArgument('tasks', 'a group needs at least one task');
  const o = assertOptionalObject(options, 'options') ?? {};
  const meta = assertOptionalObject(o.metadata, 'options.metadata');
  const metadataJson =
    meta === undefined ? null : assertJsonSerializable(meta, 'options.metadata', { object: true });
  assertJsonFits(ctx.limits, 'options.metadata', metadataJson);
  const tagged = checked.map((t) => tag(t, { [GROUP_ID_METADATA]: id }));
  return ctx.run('groups.enqueue', () =>
    withLockRetry(reportRetries(ctx, 'groups.enqueue'), () =>
      ctx.db.transaction().execute(async (trx) => {
        // Group row first: the enqueue (which emits `task:enqueued`) is the transaction's last statement.
        await upsertGroup(trx, ctx.queue, id, tagged.length, metadataJson);
        return enqueueMany(ctx, tagged, {}, { transaction: trx });
      }),
    ),
  );
}

/** How links 2..n of a chain are stored: `scheduled` (publicly `pending`), due at {@link CHAIN_WAITING_AT}. */
const WAITING_LINK: Schedule = { due: CHAIN_WAITING_AT, delayed: true, state: SCHEDULED_STORED_STATE };

/**
 * Enqueues a {@link TaskChain}: link 1 is due now; links 2..n are stored `scheduled` with `scheduled_at` at
 * {@link CHAIN_WAITING_AT} (never claimable, never promoted) and `metadata.parent_task_id` = the previous link. When a link is
 * acked (by any consumer, through `ack`/`ackBatch`), the ack path calls `promoteChainSuccessors`, which makes the
 * next link due after its delay. A link that fails, dead-letters or is cancelled leaves its successors waiting
 * (visible as `waiting` in group status; `cancelCascade` cancels them). One transaction; returns ids in order.
 * @internal
 */
export async function enqueueChain(
  ctx: BrokerContext,
  chain: TaskChain,
  options: ChainEnqueueOptions = {},
): Promise<TaskId[]> {
  if (!TaskChain.isTaskChain(chain))
    throw CelersError.invalidArgument('chain', 'expected a TaskChain (TaskChain.new().then(task))');
  if (chain.length === 0) throw CelersError.invalidArgument('chain', 'the chain has no links');
  const o = assertOptionalObject(options, 'options') ?? {};
  const groupId = o.groupId === undefined ? undefined : assertName(o.groupId, 'options.groupId');
  const links = chain.links;
  const chainId = links[0]?.task.metadata.id ?? '';
  const tasks = links.map((link, i) =>
    tag(link.task, {
      [ChainMetadataKey.ChainId]: chainId,
      [ChainMetadataKey.ChainIndex]: i,
      ...(i > 0
        ? {
            [ChainMetadataKey.ParentTaskId]: links[i - 1]?.task.metadata.id,
            [ChainMetadataKey.ChainDelayMs]: link.delayMs ?? chain.delayMs,
          }
        : {}),
      ...(groupId === undefined ? {} : { [GROUP_ID_METADATA]: groupId }),
    }),
  );
  const [first, ...rest] = tasks;
  return ctx.run('enqueueChain', () =>
    withLockRetry(reportRetries(ctx, 'enqueueChain'), () =>
      ctx.db.transaction().execute(async (trx) => {
        if (groupId !== undefined) await upsertGroup(trx, ctx.queue, groupId, tasks.length, null);
        // Waiting links first, the head last: nothing can claim or promote before the commit anyway.
        const restIds =
          rest.length > 0 ? await enqueueMany(ctx, rest, WAITING_LINK, { transaction: trx }) : [];
        const headIds = await enqueueMany(ctx, first ? [first] : [], {}, { transaction: trx });
        return [...headIds, ...restIds];
      }),
    ),
  );
}

/** Aggregated status of group `groupId`, or `null` when it has neither a group row nor tasks. @internal */
export async function groupStatus(ctx: BrokerContext, groupId: string): Promise<GroupStatus | null> {
  const id = assertName(groupId, 'groupId');
  return ctx.run('groups.status', async () => {
    // Live members through their celers_task_links rows, finished ones through the finished table's group index.
    const live = await ctx.db
      .selectFrom('celers_task_links as l')
      .innerJoin('celers_live_tasks as t', 't.id', 'l.task_id')
      .select((eb) => [
        publicStateSql('t.state').as('state'),
        eb.fn.countAll<number>().as('n'),
        sql<number>`SUM(t.scheduled_at = ${CHAIN_WAITING_AT})`.as('waiting'),
      ])
      .where('l.group_id', '=', id)
      .where('l.queue_name', '=', ctx.queue)
      .groupBy(publicStateSql('t.state'))
      .execute();
    const finished = await ctx.db
      .selectFrom('celers_finished_tasks')
      .select((eb) => [
        publicStateSql().as('state'),
        eb.fn.countAll<number>().as('n'),
        sql<number>`0`.as('waiting'),
      ])
      .where('group_id', '=', id)
      .where('queue_name', '=', ctx.queue)
      .groupBy(publicStateSql())
      .execute();
    const counts = [...live, ...finished];
    const group = await ctx.db
      .selectFrom('celers_task_groups')
      .selectAll()
      .where('group_id', '=', id)
      .where('queue_name', '=', ctx.queue)
      .executeTakeFirst();
    if (!group && counts.length === 0) return null;
    const sum = (state: string, field: 'n' | 'waiting') =>
      counts.filter((c) => c.state === state).reduce((total, c) => total + Number(c[field] ?? 0), 0);
    const by = (state: string) => sum(state, 'n');
    const waiting = sum('pending', 'waiting');
    const total = counts.reduce((sum, c) => sum + Number(c.n), 0);
    const completed = by('completed');
    return {
      groupId: id,
      total,
      pending: by('pending') - waiting,
      waiting,
      processing: by('processing'),
      completed,
      failed: by('failed'),
      cancelled: by('cancelled'),
      completedPercent: total === 0 ? 0 : (completed / total) * 100,
      recordedTaskCount: Number(group?.task_count ?? 0),
      metadata: group?.metadata == null ? null : parseJsonColumn<Record<string, unknown>>(group.metadata),
      createdAt: group?.created_at ?? null,
    };
  });
}
