import { assertInteger, assertOneOf, assertOptionalObject, TASK_STATES, type TaskState } from '@celers/core';
import {
  type DlqRow,
  parseJsonColumn,
  publicTaskState,
  STORED_TASK_COLUMNS,
  stateIs,
  type TaskRow,
} from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import {
  DEFAULT_EXPORT_LIMIT,
  DLQ_EXPORT_FORMAT,
  type DlqExportDocument,
  type ExportedDlqEntry,
  type ExportedTask,
  type ExportNdjsonOptions,
  type ExportTasksOptions,
  MAX_EXPORT_LIMIT,
  TASK_EXPORT_FORMAT,
  type TaskExportDocument,
} from './export-format.js';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Maps a task row to its export record. @internal */
export function toExportedTask(row: Pick<TaskRow, (typeof STORED_TASK_COLUMNS)[number]>): ExportedTask {
  return {
    id: row.id,
    queueName: row.queue_name,
    taskName: row.task_name,
    payload: Buffer.from(row.payload).toString('base64'),
    contentType: row.content_type,
    contentEncoding: row.content_encoding,
    state: publicTaskState(row.state),
    priority: row.priority,
    retryCount: row.retry_count,
    deliveryCount: row.delivery_count,
    maxRetries: row.max_retries,
    timeoutMs: row.timeout_ms == null ? null : Number(row.timeout_ms),
    retryPolicy: row.retry_policy == null ? null : parseJsonColumn(row.retry_policy),
    createdAt: row.created_at.toISOString(),
    scheduledAt: row.scheduled_at.toISOString(),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    leaseExpiresAt: iso(row.lease_expires_at),
    receiptHandle: row.receipt_handle,
    workerId: row.worker_id,
    errorMessage: row.error_message,
    progressPercent: row.progress_percent == null ? null : Number(row.progress_percent),
    progressStep: row.progress_step,
    metadata: parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {},
  };
}

function toExportedDlqEntry(row: DlqRow): ExportedDlqEntry {
  return {
    id: row.id,
    taskId: row.task_id,
    queueName: row.queue_name,
    taskName: row.task_name,
    payload: Buffer.from(row.payload).toString('base64'),
    contentType: row.content_type,
    contentEncoding: row.content_encoding,
    priority: row.priority,
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
    retryPolicy: row.retry_policy == null ? null : parseJsonColumn(row.retry_policy),
    errorMessage: row.error_message,
    metadata: parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {},
    createdAt: row.created_at.toISOString(),
    failedAt: row.failed_at.toISOString(),
  };
}

function optionalState(value: unknown, argument: string): TaskState | undefined {
  return value === undefined ? undefined : assertOneOf(value, TASK_STATES, argument);
}

async function dbNowIso(ctx: BrokerContext): Promise<string> {
  const r = await sql<{ now: Date }>`SELECT UTC_TIMESTAMP(6) AS now`.execute(ctx.db);
  return (r.rows[0]?.now ?? new Date()).toISOString();
}

function selectPage(ctx: BrokerContext, state: TaskState | undefined, after: string, limit: number) {
  let q = ctx.db
    .selectFrom('celers_tasks')
    .select(STORED_TASK_COLUMNS)
    .where('queue_name', '=', ctx.queue)
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit);
  if (state !== undefined) q = q.where(stateIs(state));
  return q.execute();
}

/** Exports the queue's tasks (by id) as a JSON document (the seed's `export_tasks`). @internal */
export async function exportTasks(ctx: BrokerContext, options: ExportTasksOptions = {}): Promise<string> {
  const o = assertOptionalObject(options, 'options') ?? {};
  const state = optionalState(o.state, 'options.state');
  const limit =
    o.limit === undefined
      ? DEFAULT_EXPORT_LIMIT
      : assertInteger(o.limit, 'options.limit', 1, MAX_EXPORT_LIMIT);
  return ctx.run('transfer.exportTasks', async () => {
    const rows = await selectPage(ctx, state, '', limit);
    const doc: TaskExportDocument = {
      format: TASK_EXPORT_FORMAT,
      queue: ctx.queue,
      exportedAt: await dbNowIso(ctx),
      count: rows.length,
      tasks: rows.map(toExportedTask),
    };
    return JSON.stringify(doc);
  });
}

/** Exports the queue's DLQ entries (oldest failure first) as a JSON document (the seed's `export_dlq`). @internal */
export async function exportDlq(ctx: BrokerContext, options: { limit?: number } = {}): Promise<string> {
  const o = assertOptionalObject(options, 'options') ?? {};
  const limit =
    o.limit === undefined
      ? DEFAULT_EXPORT_LIMIT
      : assertInteger(o.limit, 'options.limit', 1, MAX_EXPORT_LIMIT);
  return ctx.run('transfer.exportDlq', async () => {
    const rows = await ctx.db
      .selectFrom('celers_dead_letter_queue')
      .selectAll()
      .where('queue_name', '=', ctx.queue)
      .orderBy('failed_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    const doc: DlqExportDocument = {
      format: DLQ_EXPORT_FORMAT,
      queue: ctx.queue,
      exportedAt: await dbNowIso(ctx),
      count: rows.length,
      entries: rows.map(toExportedDlqEntry),
    };
    return JSON.stringify(doc);
  });
}

/**
 * Streams the queue's tasks as NDJSON, one {@link ExportedTask} per line (each ending in `\n`), reading keyset
 * pages by id so memory stays bounded whatever the table size. Validates eagerly; queries run as you iterate.
 * @internal
 */
export function exportTasksNdjson(
  ctx: BrokerContext,
  options: ExportNdjsonOptions = {},
): AsyncIterable<string> {
  const o = assertOptionalObject(options, 'options') ?? {};
  const state = optionalState(o.state, 'options.state');
  const pageSize =
    o.pageSize === undefined ? 1_000 : assertInteger(o.pageSize, 'options.pageSize', 1, 10_000);
  return {
    async *[Symbol.asyncIterator]() {
      let after = '';
      for (;;) {
        const rows = await ctx.run('transfer.exportTasksNdjson', () =>
          selectPage(ctx, state, after, pageSize),
        );
        for (const row of rows) yield `${JSON.stringify(toExportedTask(row))}\n`;
        const last = rows[rows.length - 1];
        if (rows.length < pageSize || !last) return;
        after = last.id;
      }
    },
  };
}
