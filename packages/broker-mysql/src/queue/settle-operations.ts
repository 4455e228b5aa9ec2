import {
  type AckBatchResult,
  type AckItem,
  type AckOutcome,
  assertDurationMs,
  assertName,
  assertOptionalObject,
  assertTaskId,
  CelersError,
  isTaskId,
  type RejectItem,
  type RejectOptions,
  type RejectOutcome,
  type RetryPolicySpec,
  type TaskResultInput,
  TelemetryAttributes,
} from '@celers/core';
import { computeRetryDelay, hookContext } from '@celers/resilience';
import type { ValueLimits } from '@celers/schema';
import { CompiledQuery, sql } from 'kysely';
import type { BrokerContext, Executor } from '../broker-context.js';
import { truncateUtf8 } from '../internal/assert-text.js';
import { addMs } from '../internal/db-time.js';
import { placeholders } from '../internal/id-list.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { decodeRetryPolicy } from '../internal/task-row-mapper.js';
import { assertResultFields } from '../internal/validate-result.js';
import {
  completeLockedTasks,
  completeOwnedTasks,
  deleteLockedTasks,
  deleteOwnedTasks,
  explainMissingOwnership,
  type NamedTask,
  readAckStates,
  settleOwnedNamedTasks,
} from './ack.sql.js';
import { recordTransitions } from './history.sql.js';
import { lockTask, markFailed, moveToDeadLetterQueue, scheduleRetry } from './reject.sql.js';
import { type ResultUpsert, upsertResults } from './result-write.sql.js';

function ownershipError(code: 'TASK_NOT_FOUND' | 'STALE_RECEIPT', taskId: string): CelersError {
  return code === 'TASK_NOT_FOUND'
    ? new CelersError('TASK_NOT_FOUND', `Task ${taskId} does not exist in this queue`, {
        details: { taskId },
      })
    : new CelersError(
        'STALE_RECEIPT',
        `Receipt no longer owns task ${taskId} (its lease expired or it was settled)`,
        {
          details: { taskId },
        },
      );
}

async function runHook(
  ctx: BrokerContext,
  point: 'beforeAck' | 'beforeReject',
  taskId: string,
): Promise<void> {
  if (ctx.hooks.has(point)) await ctx.hooks.runBefore(hookContext(point, ctx.queue, { taskId }));
}

async function runAfterHook(
  ctx: BrokerContext,
  point: 'afterAck' | 'afterReject',
  taskIds: readonly string[],
): Promise<void> {
  if (!ctx.hooks.has(point)) return;
  for (const taskId of taskIds) {
    await ctx.hooks.runAfter(hookContext(point, ctx.queue, { taskId }), (error) =>
      ctx.emit('error', { queue: ctx.queue, error }),
    );
  }
}

function assertAckItems(
  items: unknown,
  argument: string,
  requireResult: boolean,
  limits: ValueLimits,
): AckItem[] {
  if (!Array.isArray(items)) throw CelersError.invalidArgument(argument, 'expected an array');
  if (items.length > 10_000)
    throw CelersError.invalidArgument(argument, `at most 10000 items, got ${items.length}`);
  return items.map((item, i) => {
    if (typeof item !== 'object' || item === null)
      throw CelersError.invalidArgument(`${argument}[${i}]`, 'expected an object');
    const it = item as AckItem;
    // The argument's name is built only for the error: a worker's ack batches run this for every task.
    if (!isTaskId(it.taskId)) assertTaskId(it.taskId, `${argument}[${i}].taskId`);
    if (!isTaskId(it.receiptHandle)) assertTaskId(it.receiptHandle, `${argument}[${i}].receiptHandle`);
    if (it.taskName !== undefined) assertName(it.taskName, `${argument}[${i}].taskName`);
    if (it.result === undefined) {
      if (requireResult)
        throw CelersError.invalidArgument(`${argument}[${i}].result`, 'expected a result to store');
      return it;
    }
    // Validated like broker.results.store: a bad status or an unserializable value must not reach the table.
    const result = assertResultFields(it.result, `${argument}[${i}].result`, limits, 'SUCCESS');
    return { taskId: it.taskId, receiptHandle: it.receiptHandle, result, taskName: it.taskName };
  });
}

/** Acks one task; `STALE_RECEIPT`/`TASK_NOT_FOUND` when the receipt does not own it. @internal */
export async function ackTask(ctx: BrokerContext, taskId: string, receiptHandle: string): Promise<void> {
  const id = assertTaskId(taskId, 'taskId');
  const receipt = assertTaskId(receiptHandle, 'receiptHandle');
  if (ctx.options.recordHistory) {
    // The batch path records history; it also runs the hooks.
    const [outcome] = (await ackTasks(ctx, [{ taskId: id, receiptHandle: receipt }])).outcomes;
    if (outcome !== 'acked')
      throw ownershipError(outcome === 'stale' ? 'STALE_RECEIPT' : 'TASK_NOT_FOUND', id);
    return;
  }
  await runHook(ctx, 'beforeAck', id);
  await ctx.run(
    'ack',
    async () => {
      const outcome = (await ackByReceipt(ctx, [{ taskId: id, receiptHandle: receipt }], 'ack')).get(id);
      if (outcome !== 'acked')
        throw ownershipError(outcome === 'stale' ? 'STALE_RECEIPT' : 'TASK_NOT_FOUND', id);
    },
    { [TelemetryAttributes.TaskId]: id },
  );
  ctx.emit('task:acked', { queue: ctx.queue, taskIds: [id] });
  if (ctx.options.keepCompleted) ctx.archiver.noteCompleted(1);
  await runAfterHook(ctx, 'afterAck', [id]);
}

/**
 * Acks many tasks in one transaction, storing results where given (the seed's `ack_batch_with_results`).
 * Items whose receipt lost the task are skipped; returns one outcome per item and the acked count.
 * @internal
 */
export async function ackTasks(
  ctx: BrokerContext,
  items: readonly AckItem[],
  options: { requireResult?: boolean } = {},
): Promise<AckBatchResult> {
  const checked = assertAckItems(items, 'items', options.requireResult ?? false, ctx.limits);
  if (checked.length === 0) return { count: 0, outcomes: [] };
  if (ctx.hooks.has('beforeAck')) {
    for (const item of checked) await runHook(ctx, 'beforeAck', item.taskId.toLowerCase());
  }
  const plain = !ctx.options.recordHistory && checked.every((i) => i.result === undefined);
  const byId = await ctx.run(
    'ackBatch',
    () =>
      plain
        ? ackByReceipt(ctx, checked, 'ackBatch')
        : withLockRetry(reportRetries(ctx, 'ackBatch'), () => ackInTransaction(ctx, checked)),
    { [TelemetryAttributes.TaskCount]: checked.length },
  );
  const ackedIds = [...byId].filter(([, outcome]) => outcome === 'acked').map(([id]) => id);
  if (ackedIds.length > 0) ctx.emit('task:acked', { queue: ctx.queue, taskIds: ackedIds });
  if (ctx.options.keepCompleted) ctx.archiver.noteCompleted(ackedIds.length);
  await runAfterHook(ctx, 'afterAck', ackedIds);
  const outcomes = checked.map((i) => byId.get(i.taskId.toLowerCase()) ?? 'missing');
  return { count: ackedIds.length, outcomes };
}

/** Outcome per distinct (lower-cased) task id of an ack batch. */
type AckOutcomes = Map<string, AckOutcome>;

/**
 * The fast path for acks without results or history: one `UPDATE … WHERE id IN (…) AND receipt_handle = ?`
 * per claim (a worker's batch shares one receipt) plus the chain promotion, with no transaction, so the
 * common case is 2 round trips instead of 5. When the UPDATE matched every row, every item is acked. Only
 * when some receipts were stale are the rows re-read to tell the outcomes apart (see `sortStaleOutcomes`).
 */
async function ackByReceipt(
  ctx: BrokerContext,
  items: readonly AckItem[],
  operation: 'ack' | 'ackBatch',
): Promise<AckOutcomes> {
  const byReceipt = new Map<string, Set<string>>();
  for (const item of items) {
    const receipt = item.receiptHandle.toLowerCase();
    const ids = byReceipt.get(receipt) ?? new Set<string>();
    ids.add(item.taskId.toLowerCase());
    byReceipt.set(receipt, ids);
  }
  const outcomes: AckOutcomes = new Map();
  // Each statement commits on its own, so a deadlock retries that statement (rolled back whole), never the
  // ones before it: a second run of a committed DELETE would report its tasks as missing.
  const retryStatement = <T>(fn: () => Promise<T>) => withLockRetry(reportRetries(ctx, operation), fn);
  for (const [receipt, idSet] of byReceipt) {
    const ids = [...idSet].filter((id) => outcomes.get(id) !== 'acked');
    if (!ctx.options.keepCompleted) {
      const n = await retryStatement(() => deleteOwnedTasks(ctx.db, ctx.queue, ids, receipt));
      if (n === ids.length) for (const id of ids) outcomes.set(id, 'acked');
      else sortDeletedOutcomes(outcomes, ids, n, await readAckStates(ctx.db, ctx.queue, ids));
      continue;
    }
    const n = await retryStatement(() => completeOwnedTasks(ctx.db, ctx.queue, ids, receipt));
    if (n === ids.length) for (const id of ids) outcomes.set(id, 'acked');
    else sortStaleOutcomes(outcomes, ids, n, await readAckStates(ctx.db, ctx.queue, ids));
  }
  const ackedIds = [...outcomes].filter(([, o]) => o === 'acked').map(([id]) => id);
  // The hooks' statements are idempotent (chain promotion re-finds only links still waiting).
  await retryStatement(() => runCompletionHooks(ctx, ctx.db, ackedIds, byReceipt.keys()));
  return outcomes;
}

/**
 * Tells apart, after an UPDATE that completed `completedNow` of `ids`, which ones it acked: absent rows are
 * `missing`, rows in another state `stale`. Completed rows are ours when there are exactly `completedNow`
 * of them; when a stale item's task had been completed by another consumer too, ours are the most recent
 * `completedNow` completions (the UPDATE just ran). The only misreading left is another consumer completing
 * one of the stale tasks between the UPDATE and the re-read (one round trip); that task is completed either way.
 */
function sortStaleOutcomes(
  outcomes: AckOutcomes,
  ids: readonly string[],
  completedNow: number,
  rows: ReadonlyArray<{ id: string; state: string; completedAt: string | null }>,
): void {
  for (const id of ids) outcomes.set(id, 'missing');
  const completed = rows
    .filter((r) => r.state === 'completed')
    .sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''));
  for (const r of rows) if (r.state !== 'completed') outcomes.set(r.id, 'stale');
  for (const [i, r] of completed.entries()) outcomes.set(r.id, i < completedNow ? 'acked' : 'stale');
}

/**
 * Like {@link sortStaleOutcomes} after a DELETE (`keepCompleted: false`) that removed `deletedNow` of `ids`:
 * rows still present are `stale`; of the absent ones, ours are `acked` (when more are absent than were deleted,
 * some never existed, and which ones cannot be told apart after the delete: the first `deletedNow` count as
 * acked, the rest `missing`).
 */
function sortDeletedOutcomes(
  outcomes: AckOutcomes,
  ids: readonly string[],
  deletedNow: number,
  rows: ReadonlyArray<{ id: string }>,
): void {
  const present = new Set(rows.map((r) => r.id));
  let acked = 0;
  for (const id of ids) {
    if (present.has(id)) outcomes.set(id, 'stale');
    else outcomes.set(id, acked++ < deletedNow ? 'acked' : 'missing');
  }
}

/** Runs the completion hooks for `completedIds`, unless every receipt acked is a claim no hook concerns. */
async function runCompletionHooks(
  ctx: BrokerContext,
  db: Executor,
  completedIds: readonly string[],
  receipts: Iterable<string>,
) {
  if (completedIds.length === 0 || ctx.hookFreeClaims.coversAll(receipts)) return;
  for (const hook of ctx.onCompleted) await hook.run(db, ctx.queue, completedIds);
}

type BatchRow = {
  id: string;
  task_name: string;
  state: string;
  receipt_handle: string | null;
  worker_id: string | null;
};

/** Upserts the results the acked entries' items (`itemOf`) carry, each under the name `nameOf` gives. */
async function storeAckResults<T>(
  trx: Executor,
  ctx: BrokerContext,
  entries: readonly T[],
  itemOf: (entry: T) => AckItem,
  nameOf: (entry: T) => string,
): Promise<void> {
  const rows: ResultUpsert[] = [];
  for (const entry of entries) {
    const item = itemOf(entry);
    if (item.result !== undefined) rows.push(resultUpsert(item, item.result, nameOf(entry)));
  }
  await upsertResults(trx, ctx.queue, rows, ctx.limits.maxStatementBytes);
}

/**
 * The result row of an acked item (status `SUCCESS` unless given). Fields are copied one by one: `{ ...result, … }`
 * takes V8's slow path for a spread with added properties (~2 µs per item, a sixth of the Worker's CPU per
 * task when results are stored).
 */
function resultUpsert(item: AckItem, r: TaskResultInput, taskName: string): ResultUpsert {
  return {
    taskId: item.taskId.toLowerCase(),
    taskName,
    status: r.status ?? 'SUCCESS',
    result: r.result,
    error: r.error,
    traceback: r.traceback,
    runtimeMs: r.runtimeMs,
  };
}

/** Thrown inside the named ack's transaction to roll it back: some item's receipt, state or name did not match. */
class NotAllOwned extends Error {}

/**
 * Acks a batch that stores results (or records history) in one transaction. When every item names its task
 * (`AckItem.taskName`, as the Worker's do), each item appears once and no history is recorded, it first tries
 * {@link ackNamedInTransaction}, which does not read the rows. If that finds an item its receipt no longer owns, it
 * rolls back and the batch runs {@link ackOwnedInTransaction}, which reads and locks the rows first and so can
 * tell each item's outcome.
 */
async function ackInTransaction(ctx: BrokerContext, items: readonly AckItem[]): Promise<AckOutcomes> {
  const named = ctx.options.recordHistory ? undefined : namedOnce(items);
  if (named) {
    try {
      return await ctx.db.transaction().execute((trx) => ackNamedInTransaction(trx, ctx, named));
    } catch (error) {
      if (!(error instanceof NotAllOwned)) throw error;
    }
  }
  return ctx.db.transaction().execute((trx) => ackOwnedInTransaction(trx, ctx, items));
}

/** An item of a named ack: the caller's item, its task (lower-case id and name) and its lower-case receipt. */
interface NamedAckItem {
  item: AckItem;
  task: NamedTask;
  receipt: string;
}

/** The items with their names when every item has one and no task is listed twice; else `undefined`. */
function namedOnce(items: readonly AckItem[]): NamedAckItem[] | undefined {
  const seen = new Set<string>();
  const named: NamedAckItem[] = [];
  for (const item of items) {
    const id = item.taskId.toLowerCase();
    if (item.taskName === undefined || seen.has(id)) return undefined;
    seen.add(id);
    named.push({ item, task: { id, name: item.taskName }, receipt: item.receiptHandle.toLowerCase() });
  }
  return named;
}

/**
 * The ack of {@link ackInTransaction} without a locking read, for items known to be distinct and named. It settles
 * the tasks of each receipt in one statement that checks the receipt, the `processing` state and each task's name.
 * That is the check the locking read made, and it takes the same row locks. Then it stores the results with the
 * names the items gave. Settling fewer tasks than items throws {@link NotAllOwned}, which rolls everything back.
 * The measured saving was ~14 µs of server time per task on a 500-task batch (design.md, "Acks that store results
 * without reading the rows first").
 */
async function ackNamedInTransaction(
  trx: Executor,
  ctx: BrokerContext,
  items: readonly NamedAckItem[],
): Promise<AckOutcomes> {
  const byReceipt = new Map<string, NamedTask[]>();
  for (const item of items) {
    const tasks = byReceipt.get(item.receipt) ?? [];
    tasks.push(item.task);
    byReceipt.set(item.receipt, tasks);
  }
  for (const [receipt, tasks] of byReceipt) {
    const settled = await settleOwnedNamedTasks(trx, ctx.queue, tasks, receipt, ctx.options.keepCompleted);
    if (settled !== tasks.length) throw new NotAllOwned();
  }
  const ids = items.map((i) => i.task.id);
  await runCompletionHooks(ctx, trx, ids, byReceipt.keys());
  await storeAckResults(
    trx,
    ctx,
    items,
    (i) => i.item,
    (i) => i.task.name,
  );
  return new Map(ids.map((id) => [id, 'acked']));
}

/**
 * Locks the live rows of `ids` by primary key (never the queue's whole processing range): only `processing` ones,
 * or with `everyState` all of them, so a stale item reads `stale`, not `missing`.
 */
async function lockLiveRows(
  trx: Executor,
  queue: string,
  ids: readonly string[],
  everyState: boolean,
): Promise<BatchRow[]> {
  const processing = everyState ? '' : "AND state = 'processing'";
  const r = await trx.executeQuery<BatchRow>(
    CompiledQuery.raw(
      `SELECT id, task_name, state, receipt_handle, worker_id FROM celers_live_tasks FORCE INDEX (PRIMARY)
       WHERE id IN (${placeholders(ids.length)}) AND queue_name = ? ${processing} FOR UPDATE`,
      [...ids, queue],
    ),
  );
  return r.rows;
}

async function finishedIds(
  trx: Executor,
  queue: string,
  ids: readonly string[],
): Promise<Array<{ id: string }>> {
  const r = await sql<{ id: string }>`SELECT id FROM celers_finished_tasks FORCE INDEX (PRIMARY)
    WHERE id IN (${sql.join(ids)}) AND queue_name = ${queue}`.execute(trx);
  return r.rows;
}

/** Locks the items' rows, completes those the receipts own, stores their results; returns the acked ids. */
async function ackOwnedInTransaction(
  trx: Executor,
  ctx: BrokerContext,
  items: readonly AckItem[],
): Promise<AckOutcomes> {
  const ids = [...new Set(items.map((i) => i.taskId.toLowerCase()))].sort();
  // The common case first: every item's task is processing under its receipt. One locking read by primary key
  // finds it; only when some are not are the rows read in every state, to tell `stale` from `missing`.
  const claimed = await lockLiveRows(trx, ctx.queue, ids, false);
  // By id through a Map: a scan of `claimed` per item was quadratic (250k comparisons for a batch of 500).
  const claimedReceipts = new Map(claimed.map((r) => [r.id, r.receipt_handle]));
  const allOwned =
    claimed.length === ids.length &&
    items.every((i) => claimedReceipts.get(i.taskId.toLowerCase()) === i.receiptHandle.toLowerCase());
  const found = allOwned ? claimed : await lockLiveRows(trx, ctx.queue, ids, true);
  // Finished rows are settled already: a stale receipt, not a missing task.
  const finished = allOwned ? [] : await finishedIds(trx, ctx.queue, ids);
  const outcomes: AckOutcomes = new Map([...found, ...finished].map((r) => [r.id, 'stale']));
  const byId = new Map(found.filter((r) => r.state === 'processing').map((r) => [r.id, r]));
  // One entry per task: the same item listed twice (or in another letter case) is acked and counted once.
  const seen = new Set<string>();
  const owned = items.filter((i) => {
    const id = i.taskId.toLowerCase();
    if (seen.has(id) || byId.get(id)?.receipt_handle !== i.receiptHandle.toLowerCase()) return false;
    seen.add(id);
    return true;
  });
  if (owned.length === 0) return outcomes;
  const ownedIds = owned.map((i) => i.taskId.toLowerCase());
  for (const id of ownedIds) outcomes.set(id, 'acked');
  if (ctx.options.keepCompleted) await completeLockedTasks(trx, ownedIds);
  else await deleteLockedTasks(trx, ownedIds);
  await runCompletionHooks(
    ctx,
    trx,
    ownedIds,
    owned.map((i) => i.receiptHandle),
  );
  await storeAckResults(
    trx,
    ctx,
    owned,
    (i) => i,
    (i) => byId.get(i.taskId.toLowerCase())?.task_name ?? '',
  );
  if (ctx.options.recordHistory) {
    await recordTransitions(
      trx,
      ctx.queue,
      ownedIds.map((id) => ({
        taskId: id,
        from: 'processing',
        to: 'completed',
        workerId: byId.get(id)?.worker_id ?? null,
      })),
    );
  }
  return outcomes;
}

function assertRejectOptions(options: unknown, argument: string): RejectOptions {
  const o = (assertOptionalObject(options, argument) ?? {}) as RejectOptions;
  if (o.error !== undefined && typeof o.error !== 'string')
    throw CelersError.invalidArgument(`${argument}.error`, 'expected a string');
  if (o.traceback !== undefined && typeof o.traceback !== 'string') {
    throw CelersError.invalidArgument(`${argument}.traceback`, 'expected a string');
  }
  if (o.delayMs !== undefined) assertDurationMs(o.delayMs, `${argument}.delayMs`);
  if (o.requeue !== undefined && typeof o.requeue !== 'boolean')
    throw CelersError.invalidArgument(`${argument}.requeue`, 'expected a boolean');
  if (o.storeResult !== undefined && typeof o.storeResult !== 'boolean')
    throw CelersError.invalidArgument(`${argument}.storeResult`, 'expected a boolean');
  return o;
}

/**
 * Rejects a task the receipt owns, inside `trx`: retry (pending again at now + policy delay, retry count + 1)
 * while retries remain, else move to the DLQ; `requeue: false` fails it at once. All in the caller's
 * transaction, so the DLQ move is atomic.
 * @internal
 */
export async function rejectInTransaction(
  trx: Executor,
  ctx: BrokerContext,
  id: string,
  receipt: string,
  options: RejectOptions,
  policyOverride?: RetryPolicySpec,
): Promise<RejectOutcome> {
  const locked = await lockTask(trx, ctx.queue, id);
  if (!locked) throw ownershipError(await explainMissingOwnership(trx, ctx.queue, id), id);
  const { row, now } = locked;
  if (row.state !== 'processing' || row.receipt_handle !== receipt) throw ownershipError('STALE_RECEIPT', id);
  // Cut by UTF-8 bytes, not characters: 65,535 multi-byte characters overflow the TEXT column.
  const error = options.error === undefined ? null : truncateUtf8(options.error);
  let outcome: RejectOutcome;
  if (options.requeue === false) {
    await markFailed(trx, id, now, error);
    outcome = { outcome: 'failed' };
  } else if (row.retry_count < row.max_retries) {
    const retryCount = row.retry_count + 1;
    const policy = policyOverride ?? decodeRetryPolicy(row) ?? ctx.options.retryPolicy;
    const delayMs = options.delayMs ?? computeRetryDelay(policy, retryCount, ctx.options.random);
    const retryAt = addMs(now, delayMs);
    await scheduleRetry(trx, id, { retryCount, retryAt, delayMs }, error);
    outcome = { outcome: 'retried', retryCount, retryAt };
  } else {
    const dlqId = await moveToDeadLetterQueue(trx, row, now, error);
    outcome = { outcome: 'dead-lettered', dlqId };
  }
  if (options.storeResult) {
    await upsertResults(
      trx,
      ctx.queue,
      [
        {
          taskId: id,
          taskName: row.task_name,
          status: outcome.outcome === 'retried' ? 'RETRY' : 'FAILURE',
          error,
          traceback: options.traceback === undefined ? null : truncateUtf8(options.traceback),
        },
      ],
      ctx.limits.maxStatementBytes,
    );
  }
  if (ctx.options.recordHistory) {
    const to = outcome.outcome === 'retried' ? 'pending' : 'failed';
    await recordTransitions(trx, ctx.queue, [
      { taskId: id, from: 'processing', to, workerId: row.worker_id, note: outcome.outcome },
    ]);
  }
  return outcome;
}

/** Rejects one task (see {@link rejectInTransaction}). @internal */
export async function rejectTask(
  ctx: BrokerContext,
  taskId: string,
  receiptHandle: string,
  options: RejectOptions = {},
  policyOverride?: RetryPolicySpec,
): Promise<RejectOutcome> {
  const id = assertTaskId(taskId, 'taskId');
  const receipt = assertTaskId(receiptHandle, 'receiptHandle');
  const opts = assertRejectOptions(options, 'options');
  await runHook(ctx, 'beforeReject', id);
  const outcome = await ctx.run(
    'reject',
    () =>
      withLockRetry(reportRetries(ctx, 'reject'), () =>
        ctx.db
          .transaction()
          .execute((trx) => rejectInTransaction(trx, ctx, id, receipt, opts, policyOverride)),
      ),
    { [TelemetryAttributes.TaskId]: id },
  );
  ctx.emit('task:rejected', { queue: ctx.queue, taskId: id, outcome });
  await runAfterHook(ctx, 'afterReject', [id]);
  return outcome;
}

/** Rejects many tasks in one transaction; a stale or missing item yields `null`. @internal */
export async function rejectTasks(
  ctx: BrokerContext,
  items: readonly RejectItem[],
): Promise<Array<RejectOutcome | null>> {
  if (!Array.isArray(items)) throw CelersError.invalidArgument('items', 'expected an array');
  const checked = items.map((item, i) => {
    assertOptionalObject(item, `items[${i}]`);
    return {
      id: assertTaskId(item.taskId, `items[${i}].taskId`),
      receipt: assertTaskId(item.receiptHandle, `items[${i}].receiptHandle`),
      options: assertRejectOptions(item, `items[${i}]`),
    };
  });
  if (checked.length === 0) return [];
  for (const c of checked) await runHook(ctx, 'beforeReject', c.id);
  const outcomes = await ctx.run(
    'rejectBatch',
    () =>
      withLockRetry(reportRetries(ctx, 'rejectBatch'), () =>
        ctx.db.transaction().execute(async (trx) => {
          const results: Array<RejectOutcome | null> = [];
          for (const c of checked) {
            try {
              results.push(await rejectInTransaction(trx, ctx, c.id, c.receipt, c.options));
            } catch (error) {
              if (
                CelersError.isInstance(error) &&
                (error.code === 'STALE_RECEIPT' || error.code === 'TASK_NOT_FOUND')
              ) {
                results.push(null);
              } else throw error;
            }
          }
          return results;
        }),
      ),
    { [TelemetryAttributes.TaskCount]: checked.length },
  );
  checked.forEach((c, i) => {
    const outcome = outcomes[i];
    if (outcome) ctx.emit('task:rejected', { queue: ctx.queue, taskId: c.id, outcome });
  });
  await runAfterHook(
    ctx,
    'afterReject',
    checked.filter((_, i) => outcomes[i]).map((c) => c.id),
  );
  return outcomes;
}
