import {
  assertJsonSerializable,
  assertMaxRetries,
  assertName,
  assertOptionalObject,
  assertPriority,
  CelersError,
  DEFAULT_MAX_RETRIES,
  DEFAULT_PRIORITY,
  decodePayloadBytes,
  encodePayload,
  type PayloadContentType,
  type PayloadEncoding,
  type SerializedTask,
} from '@celers/core';
import { isDuplicateKeyError, parseJsonColumn, type RecurringTaskRow } from '@celers/schema';
import { v7 as uuidv7 } from 'uuid';
import type { BrokerContext, Executor } from '../broker-context.js';
import { assertPayloadRowFits } from '../internal/assert-fits.js';
import { dbNow } from '../internal/db-time.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { assertSerializedTask } from '../internal/validate-task.js';
import { enqueueMany } from '../queue/enqueue-operations.js';
import { getQueueFlag, QueueConfigKey } from '../queue/queue-config.sql.js';
import { computeNextRun } from './next-run.js';
import { advanceSchedule, lockDueSchedules, lockScheduleByName, readDbNow } from './recurring.sql.js';
import { assertRecurringSchedule, assertTimeZone, type RecurringSchedule } from './recurring-schedule.js';
import {
  RecurringMetadataKey,
  type RecurringTask,
  type RecurringTaskOptions,
} from './recurring-task-types.js';

/** Due schedules handled per `process()` transaction. */
export const SCHEDULE_BATCH_SIZE = 100;

/** Maps a stored row to the public shape. @internal */
export function toRecurringTask(row: RecurringTaskRow): RecurringTask {
  const contentType = row.content_type as PayloadContentType;
  const contentEncoding = row.content_encoding as PayloadEncoding;
  return {
    id: row.id,
    queueName: row.queue_name,
    name: row.name,
    taskName: row.task_name,
    payload: decodePayloadBytes(new Uint8Array(row.payload), contentType, contentEncoding),
    contentType,
    contentEncoding,
    schedule: parseJsonColumn<RecurringSchedule>(row.schedule),
    timezone: row.timezone,
    priority: row.priority,
    maxRetries: row.max_retries,
    metadata: parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {},
    enabled: Number(row.enabled) === 1,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastTaskId: row.last_task_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Creates or updates (by name) a recurring task; returns its id. Re-registering keeps the id, the next run
 * (unless the schedule or time zone changed, or it re-enables the schedule: then it is computed afresh) and the
 * enabled flag (unless `enabled` is given).
 * @internal
 */
export async function registerSchedule(ctx: BrokerContext, options: RecurringTaskOptions): Promise<string> {
  const o = assertOptionalObject(options, 'options') as RecurringTaskOptions | undefined;
  if (!o) throw CelersError.invalidArgument('options', 'expected the recurring task options');
  const name = assertName(o.name, 'options.name');
  const taskName = assertName(o.taskName, 'options.taskName');
  const timezone = o.timezone === undefined ? 'UTC' : assertTimeZone(o.timezone, 'options.timezone');
  const schedule = assertRecurringSchedule(o.schedule, timezone, 'options.schedule');
  const priority =
    o.priority === undefined ? DEFAULT_PRIORITY : assertPriority(o.priority, 'options.priority');
  const maxRetries =
    o.maxRetries === undefined ? DEFAULT_MAX_RETRIES : assertMaxRetries(o.maxRetries, 'options.maxRetries');
  const metadata = assertOptionalObject(o.metadata, 'options.metadata') ?? {};
  const metadataJson = assertJsonSerializable(metadata, 'options.metadata', { object: true });
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean')
    throw CelersError.invalidArgument('options.enabled', 'expected a boolean');
  const encoded = encodePayload(o.payload);
  const scheduleJson = JSON.stringify(schedule);
  assertPayloadRowFits(ctx.limits, encoded.bytes, [metadataJson, scheduleJson], () => 'options');
  const values = {
    task_name: taskName,
    payload: Buffer.from(encoded.bytes),
    content_type: encoded.contentType,
    content_encoding: encoded.contentEncoding,
    priority,
    max_retries: maxRetries,
    schedule: scheduleJson,
    timezone,
    metadata: metadataJson,
  };
  return ctx.run('schedules.register', () =>
    withLockRetry(reportRetries(ctx, 'schedules.register'), async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await ctx.db.transaction().execute(async (trx) => {
            const now = await readDbNow(trx);
            const existing = await lockScheduleByName(trx, ctx.queue, name);
            if (existing) {
              // `enabled` changes only when given: an app re-registering its schedules at startup must not
              // re-enable one an operator disabled. A changed schedule, or re-enabling, restarts from now.
              const enabling = o.enabled === true && Number(existing.enabled) !== 1;
              const changed =
                enabling ||
                JSON.stringify(parseJsonColumn(existing.schedule)) !== scheduleJson ||
                existing.timezone !== timezone;
              await trx
                .updateTable('celers_recurring_tasks')
                .set({
                  ...values,
                  ...(o.enabled === undefined ? {} : { enabled: o.enabled ? 1 : 0 }),
                  updated_at: dbNow(),
                  ...(changed ? { next_run_at: computeNextRun(schedule, timezone, now) } : {}),
                })
                .where('id', '=', existing.id)
                .execute();
              return existing.id;
            }
            const id = uuidv7();
            await trx
              .insertInto('celers_recurring_tasks')
              .values({
                ...values,
                enabled: o.enabled === false ? 0 : 1,
                id,
                queue_name: ctx.queue,
                name,
                next_run_at: computeNextRun(schedule, timezone, now),
                last_run_at: null,
                last_task_id: null,
                created_at: dbNow(),
                updated_at: dbNow(),
              })
              .execute();
            return id;
          });
        } catch (error) {
          // Two registrations of a new name raced: the loser re-reads and updates the winner's row.
          if (attempt < 2 && isDuplicateKeyError(error)) continue;
          throw error;
        }
      }
    }),
  );
}

/** The task one run of `row` enqueues. */
function taskForRun(row: RecurringTaskRow, now: Date): SerializedTask {
  return {
    metadata: {
      id: uuidv7(),
      name: row.task_name,
      priority: row.priority,
      maxRetries: row.max_retries,
      createdAt: now,
      contentType: row.content_type as PayloadContentType,
      contentEncoding: row.content_encoding as PayloadEncoding,
      custom: {
        ...(parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {}),
        [RecurringMetadataKey.RecurringId]: row.id,
        [RecurringMetadataKey.RecurringName]: row.name,
        [RecurringMetadataKey.ScheduledFor]: row.next_run_at.toISOString(),
      },
    },
    payload: new Uint8Array(row.payload),
  };
}

/** A due schedule decoded for one run: its task and next due time. */
interface ScheduledRun {
  row: RecurringTaskRow;
  task: SerializedTask;
  nextRunAt: Date;
}

/**
 * Decodes one due schedule (task, schedule, time zone) or throws `CORRUPT_DATA`: a row written by hand or by
 * another tool must not make every scheduler's `process()` fail on it.
 */
function decodeRun(row: RecurringTaskRow, now: Date): ScheduledRun {
  try {
    const timezone = assertTimeZone(row.timezone, 'timezone');
    const schedule = assertRecurringSchedule(parseJsonColumn(row.schedule), timezone, 'schedule');
    const task = taskForRun(row, now);
    assertSerializedTask(task, 'task');
    return { row, task, nextRunAt: computeNextRun(schedule, timezone, now, row.next_run_at) };
  } catch (cause) {
    throw new CelersError(
      'CORRUPT_DATA',
      `Schedule ${row.id} ("${row.name}") cannot be decoded and was disabled: ${(cause as Error).message}`,
      { cause, details: { scheduleId: row.id } },
    );
  }
}

/**
 * Enqueues one batch of due schedules in `trx` and advances them; undecodable ones are disabled. Returns the
 * rows locked, the tasks enqueued and the decode errors of the disabled schedules.
 */
async function processBatch(
  trx: Executor,
  ctx: BrokerContext,
): Promise<{ locked: number; enqueued: number; poisoned: CelersError[] }> {
  // In drain mode nothing runs and nothing advances: due schedules fire once when the drain ends.
  if (await getQueueFlag(trx, ctx.queue, QueueConfigKey.DrainMode))
    return { locked: 0, enqueued: 0, poisoned: [] };
  const rows = await lockDueSchedules(trx, ctx.queue, SCHEDULE_BATCH_SIZE);
  if (rows.length === 0) return { locked: 0, enqueued: 0, poisoned: [] };
  const now = await readDbNow(trx);
  const runs: ScheduledRun[] = [];
  const poisoned: CelersError[] = [];
  for (const row of rows) {
    try {
      runs.push(decodeRun(row, now));
    } catch (error) {
      // Disabled, not deleted: the row stays visible (schedules.get) for someone to fix or delete.
      await trx
        .updateTable('celers_recurring_tasks')
        .set({ enabled: 0, updated_at: dbNow() })
        .where('id', '=', row.id)
        .execute();
      poisoned.push(error as CelersError);
    }
  }
  runs.sort((a, b) => (a.row.id < b.row.id ? -1 : 1));
  for (const { row, task, nextRunAt } of runs) {
    await advanceSchedule(trx, row.id, nextRunAt, now, task.metadata.id);
  }
  // Last, so `task:enqueued` (emitted by enqueueMany) follows every other write of the transaction. Drain
  // mode was read above in this transaction (strong), so enqueueMany does not check it again.
  if (runs.length > 0) {
    await enqueueMany(
      ctx,
      runs.map((r) => r.task),
      {},
      { transaction: trx },
      'done',
    );
  }
  return { locked: rows.length, enqueued: runs.length, poisoned };
}

/**
 * Enqueues every due schedule of the queue exactly once, even with several schedulers running it at the same
 * time: due rows are locked with SKIP LOCKED and the task insert and the `next_run_at` advance commit together.
 * Returns the number of tasks enqueued.
 * @internal
 */
export async function processSchedules(ctx: BrokerContext): Promise<number> {
  return ctx.run('schedules.process', async () => {
    let total = 0;
    for (;;) {
      const batch = await withLockRetry(reportRetries(ctx, 'schedules.process'), () =>
        ctx.db.transaction().execute((trx) => processBatch(trx, ctx)),
      );
      total += batch.enqueued;
      // After the commit: the disabled schedules are reported once their disabling is durable.
      for (const error of batch.poisoned) ctx.emit('error', { queue: ctx.queue, error });
      if (batch.locked < SCHEDULE_BATCH_SIZE) return total;
    }
  });
}
