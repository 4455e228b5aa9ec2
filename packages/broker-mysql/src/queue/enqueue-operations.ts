import { CelersError, type SerializedTask, type TaskId, TelemetryAttributes } from '@celers/core';
import { hookContext } from '@celers/resilience';
import { type CelersDatabase, LINK_DEDUP_INDEX, type PendingStoredState } from '@celers/schema';
import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { BrokerContext, Executor } from '../broker-context.js';
import { afterCommit } from '../internal/after-commit.js';
import { assertTaskRowFits } from '../internal/assert-fits.js';
import { dbNow } from '../internal/db-time.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { toInsertValues } from '../internal/task-row-mapper.js';
import { injectActiveTraceContext } from '../internal/trace-propagation.js';
import {
  assertEnqueueOptions,
  assertSerializedTask,
  assertSerializedTasks,
} from '../internal/validate-task.js';
import { insertTask, insertTasks, insertTaskUnlessDraining, planTaskInserts } from './enqueue.sql.js';
import { getQueueFlag, QueueConfigKey } from './queue-config.sql.js';
import { hasLinks, linkNewTasks } from './task-links.sql.js';
import { inTransaction } from './task-moves.sql.js';

/** Options shared by the enqueue methods. */
export interface EnqueueOptions {
  /**
   * Enqueue inside the caller's own open kysely transaction (any Database type, same server): the task exists
   * if and only if that transaction commits (the transactional-outbox property).
   */
  // biome-ignore lint/suspicious/noExplicitAny: the caller's transaction may be typed with their own schema
  transaction?: Transaction<any> | Kysely<any>;
}

/** When a new task becomes due: now (default), an absolute time, or a database-clock expression. */
export interface Schedule {
  due?: Date | RawBuilder<Date>;
  /**
   * The stored state: `'scheduled'` when `due` is further ahead than `PROMOTE_AHEAD_MS` (the caller knows the
   * delay; a database-clock expression cannot tell), so the claim's index range never holds it. Default `'pending'`.
   */
  state?: PendingStoredState;
  /** True for enqueueAt/enqueueAfter (reported in the `task:enqueued` event). */
  delayed?: boolean;
}

/** Copies the task's custom metadata and runs `beforeEnqueue` hooks on the copy. */
async function prepare(ctx: BrokerContext, task: SerializedTask): Promise<SerializedTask> {
  const custom = { ...task.metadata.custom };
  if (ctx.hooks.has('beforeEnqueue')) {
    await ctx.hooks.runBefore(
      hookContext('beforeEnqueue', ctx.queue, {
        taskId: task.metadata.id,
        taskName: task.metadata.name,
        metadata: custom,
      }),
    );
  }
  return { metadata: { ...task.metadata, custom }, payload: task.payload };
}

/**
 * Emits `task:enqueued` (after the commit when the tasks went into a `broker.transaction`, so a worker woken
 * by it can see them) and runs the `afterEnqueue` hooks (at once).
 */
async function afterEnqueue(
  ctx: BrokerContext,
  tasks: readonly SerializedTask[],
  delayed: boolean,
  transaction: EnqueueOptions['transaction'],
): Promise<void> {
  const event = {
    queue: ctx.queue,
    taskIds: tasks.map((t) => t.metadata.id),
    taskNames: tasks.map((t) => t.metadata.name),
    delayed,
  };
  afterCommit(transaction, () => ctx.emit('task:enqueued', event));
  if (!ctx.hooks.has('afterEnqueue')) return;
  for (const t of tasks) {
    await ctx.hooks.runAfter(
      hookContext('afterEnqueue', ctx.queue, {
        taskId: t.metadata.id,
        taskName: t.metadata.name,
        metadata: { ...t.metadata.custom },
      }),
      (error) => ctx.emit('error', { queue: ctx.queue, error }),
    );
  }
}

function draining(queue: string): CelersError {
  return new CelersError('QUEUE_DRAINING', `Queue "${queue}" is in drain mode and accepts no new tasks`, {
    details: { queue },
  });
}

/**
 * The drain flag from the broker's cache (`internal/drain-flag-cache.ts`, shared per pool), read through the
 * pool at most once per `DRAIN_FLAG_CACHE_MS`. Inside a caller's transaction it never waits for the pool (that
 * transaction may hold the connection the read would need): an expired flag is `undefined`, a refresh starts
 * in the background, and the caller checks through its transaction instead (as strongly as before).
 */
async function cachedDrainFlag(ctx: BrokerContext, inTransaction: boolean): Promise<boolean | undefined> {
  if (!inTransaction) return ctx.drainFlags.isDraining(ctx.queue);
  const cached = ctx.drainFlags.peek(ctx.queue);
  if (cached === undefined) ctx.drainFlags.refreshSoon(ctx.queue);
  return cached;
}

/**
 * Stores one task due at `due` (default: now, by the database clock). Validates, runs hooks, refuses with
 * `QUEUE_DRAINING` in drain mode, maps a duplicate id to `DUPLICATE_TASK`. The drain check uses the cached
 * flag, so the write is one plain INSERT; inside a caller's transaction with an expired flag it is folded
 * into the INSERT instead (`INSERT … SELECT … WHERE NOT EXISTS`, still one statement).
 * @internal
 */
export async function enqueueOne(
  ctx: BrokerContext,
  operation: string,
  task: SerializedTask,
  schedule: Schedule = {},
  rawOptions: EnqueueOptions = {},
): Promise<TaskId> {
  assertSerializedTask(task);
  const options = assertEnqueueOptions<EnqueueOptions>(rawOptions);
  const prepared = await prepare(ctx, task);
  const executor = (options.transaction ?? ctx.db) as Executor;
  await ctx.run(
    operation,
    async () => {
      // issue 4: inject inside the PRODUCER span, so consumers become children of `celers.<operation>`.
      injectActiveTraceContext(prepared.metadata.custom);
      const values = toInsertValues(ctx.queue, prepared, schedule.state);
      assertTaskRowFits(ctx.limits, values, 'task'); // before any I/O, the drain flag read included
      const drain = await cachedDrainFlag(ctx, options.transaction !== undefined);
      if (drain === true) throw draining(ctx.queue);
      const due = schedule.due ?? dbNow();
      const insert = async (db: Executor) => {
        if (drain !== false) return insertTaskUnlessDraining(db, values, due);
        await insertTask(db, values, due);
        return true;
      };
      const insertLinked = async (db: Executor) => {
        const done = await insert(db);
        if (done) await linkNewTasks(db, [values.id]);
        return done;
      };
      let inserted: boolean;
      try {
        // A task with a group, parent or dedup key gets its links row in the same transaction; a plain one
        // stays one INSERT with no transaction.
        const write = () =>
          hasLinks(prepared.metadata.custom) ? inTransaction(executor, insertLinked) : insert(executor);
        // Outside a caller's transaction the write is one statement or one transaction of our own, which a
        // deadlock or lock wait timeout rolled back whole: repeating it is safe. Inside one, only the caller may.
        inserted = options.transaction
          ? await write()
          : await withLockRetry(reportRetries(ctx, operation), write);
      } catch (error) {
        throw duplicateOr(error, prepared.metadata.id);
      }
      if (!inserted) throw draining(ctx.queue);
    },
    {
      [TelemetryAttributes.TaskId]: prepared.metadata.id,
      [TelemetryAttributes.TaskName]: prepared.metadata.name,
    },
  );
  await afterEnqueue(ctx, [prepared], schedule.delayed ?? false, options.transaction);
  return prepared.metadata.id;
}

/** How {@link enqueueMany} checks drain mode. */
export type DrainCheck =
  /** The broker's cached flag (a strong read through the caller's transaction when it expired). */
  | 'cached'
  /** The caller already read the flag in its transaction (recurring schedules): no second check. */
  | 'done';

/**
 * Stores many tasks, all or none: in drain mode nothing is written and `QUEUE_DRAINING` is thrown. Without a
 * caller's transaction, a batch that fits one statement (at most `ENQUEUE_CHUNK_SIZE` rows and the server's
 * packet limit) is ONE multi-row INSERT (atomic by itself, so no explicit transaction: one round trip after
 * the cached drain check); larger batches insert their chunks in one transaction.
 * @internal
 */
export async function enqueueMany(
  ctx: BrokerContext,
  tasks: readonly SerializedTask[],
  schedule: Schedule = {},
  rawOptions: EnqueueOptions = {},
  drainCheck: DrainCheck = 'cached',
): Promise<TaskId[]> {
  assertSerializedTasks(tasks);
  const options = assertEnqueueOptions<EnqueueOptions>(rawOptions);
  if (tasks.length === 0) return [];
  const prepared: SerializedTask[] = [];
  for (const t of tasks) prepared.push(await prepare(ctx, t));
  const trx = options.transaction as Executor | undefined;
  const due = schedule.due ?? dbNow();
  await ctx.run(
    'enqueueBatch',
    async () => {
      // issue 4: inject inside the PRODUCER span (see enqueueOne).
      for (const t of prepared) injectActiveTraceContext(t.metadata.custom);
      const rows = prepared.map((t) => toInsertValues(ctx.queue, t, schedule.state));
      for (let i = 0; i < rows.length; i++) assertTaskRowFits(ctx.limits, rows[i]!, 'tasks', i); // before I/O
      const chunks = planTaskInserts(rows, ctx.limits.maxStatementBytes);
      if (drainCheck === 'cached') {
        const drain = await cachedDrainFlag(ctx, trx !== undefined);
        if (drain === true) throw draining(ctx.queue);
        if (drain === undefined && (await getQueueFlag(trx as Executor, ctx.queue, QueueConfigKey.DrainMode)))
          throw draining(ctx.queue);
      }
      // Tasks with a group, parent or dedup key get their links rows in the same transaction.
      const linked = prepared.filter((t) => hasLinks(t.metadata.custom)).map((t) => t.metadata.id);
      const write = async (db: Executor) => {
        await insertTasks(db, chunks, due);
        await linkNewTasks(
          db,
          linked,
          rows.map((r) => r.id),
        );
      };
      try {
        if (trx) await (linked.length > 0 ? inTransaction(trx, write) : insertTasks(trx, chunks, due));
        // One statement: a deadlock or lock wait timeout rolled it back whole, so repeating it is safe.
        else if (chunks.length === 1 && linked.length === 0)
          await withLockRetry(reportRetries(ctx, 'enqueueBatch'), () => insertTasks(ctx.db, chunks, due));
        else
          await withLockRetry(reportRetries(ctx, 'enqueueBatch'), () => ctx.db.transaction().execute(write));
      } catch (error) {
        throw duplicateOr(error);
      }
    },
    { [TelemetryAttributes.TaskCount]: prepared.length },
  );
  await afterEnqueue(ctx, prepared, schedule.delayed ?? false, options.transaction);
  return prepared.map((t) => t.metadata.id);
}

function duplicateOr(error: unknown, id?: string): unknown {
  const e = error as { errno?: number; sqlMessage?: string };
  if (e?.errno === 1062) {
    if (e.sqlMessage?.includes(LINK_DEDUP_INDEX)) {
      return new CelersError('DUPLICATE_TASK', 'A live task with this dedup key already exists', {
        cause: error,
      });
    }
    return new CelersError('DUPLICATE_TASK', `A task with id ${id ?? '(in batch)'} already exists`, {
      cause: error,
    });
  }
  return error;
}

/** The database type the broker's own transactions use. */
export type BrokerTransaction = Transaction<CelersDatabase>;
