import {
  assertDurationMs,
  assertInteger,
  assertLimit,
  assertName,
  assertOptionalObject,
  CelersError,
  MAX_RETRIES_LIMIT,
} from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import { dbNowPlusMs } from '../internal/db-time.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { deleteInChunks } from '../maintenance/chunked-delete.js';
import { requeueDlqRow } from './dlq-requeue.sql.js';

/** Shortest DLQ retention accepted: one hour, as in the seed (a guard against deleting the whole DLQ by mistake). */
export const MIN_DLQ_RETENTION_MS = 3_600_000;
/** Retentions under a day are allowed but warned about (`CELERS_SHORT_DLQ_RETENTION`), as in the seed. */
export const DLQ_RETENTION_WARNING_MS = 86_400_000;

/** Options for `maintenance.applyDlqRetention`; `olderThanMs` is accepted as an alias of `retentionMs`. */
export type DlqRetentionOptions =
  | { retentionMs: number; olderThanMs?: undefined }
  | { olderThanMs: number; retentionMs?: undefined };

/** Options for `maintenance.replayDlqBatch` (the seed's `replay_dlq_batch`). */
export interface DlqReplayOptions {
  /** Glob on the task name: `*` any run of characters, `?` one character, everything else literal. */
  taskNamePattern?: string;
  /** Only entries that used at least this many retries. */
  minRetries?: number;
  /** Most entries to requeue (1–10,000). */
  limit: number;
}

/**
 * Deletes DLQ entries of the queue that failed more than `retentionMs` ago, in chunks (the seed's
 * `apply_dlq_retention`). Refuses retentions under {@link MIN_DLQ_RETENTION_MS} with `INVALID_ARGUMENT`.
 * @internal
 */
export async function applyDlqRetention(ctx: BrokerContext, options: DlqRetentionOptions): Promise<number> {
  const o = assertOptionalObject(options, 'options') as
    | { retentionMs?: number; olderThanMs?: number }
    | undefined;
  if (!o) throw CelersError.invalidArgument('options', 'expected { retentionMs }');
  if (o.retentionMs !== undefined && o.olderThanMs !== undefined)
    throw CelersError.invalidArgument('options', 'give retentionMs or olderThanMs, not both');
  const argument =
    o.retentionMs === undefined && o.olderThanMs !== undefined
      ? 'options.olderThanMs'
      : 'options.retentionMs';
  const ms = assertDurationMs(o.retentionMs ?? o.olderThanMs, argument);
  if (ms < MIN_DLQ_RETENTION_MS) {
    throw CelersError.invalidArgument(
      argument,
      `retention must be at least 1 hour (${MIN_DLQ_RETENTION_MS} ms), got ${ms}`,
    );
  }
  if (ms < DLQ_RETENTION_WARNING_MS) {
    // Legal, but dead letters are usually kept long enough for someone to look at them.
    process.emitWarning(
      `DLQ retention of ${ms} ms (under 24 h) deletes dead letters before most teams review them`,
      {
        type: 'CelersWarning',
        code: 'CELERS_SHORT_DLQ_RETENTION',
      },
    );
  }
  return ctx.run('maintenance.applyDlqRetention', () =>
    deleteInChunks(async (limit) => {
      const rows = await ctx.db
        .selectFrom('celers_dead_letter_queue')
        .select('id')
        .where('queue_name', '=', ctx.queue)
        .where('failed_at', '<', dbNowPlusMs(-ms))
        .orderBy('id')
        .limit(limit)
        .execute();
      if (rows.length === 0) return { deleted: 0, scanned: 0 };
      const r = await ctx.db
        .deleteFrom('celers_dead_letter_queue')
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .where('queue_name', '=', ctx.queue)
        .executeTakeFirst();
      return { deleted: Number(r.numDeletedRows), scanned: rows.length };
    }),
  );
}

/** Turns a glob into a LIKE pattern with `\` escapes: user `%`, `_` and `\` stay literal. */
export function globToLike(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/**
 * Requeues up to `limit` DLQ entries (oldest failure first) matching the filters, exactly as `broker.dlq.requeue`
 * does (a fresh pending task with retry count 0, entry deleted), in one transaction; returns how many. Entries
 * another replay holds are skipped. `QUEUE_DRAINING` in drain mode (nothing requeued).
 * @internal
 */
export async function replayDlqBatch(ctx: BrokerContext, options: DlqReplayOptions): Promise<number> {
  const o = assertOptionalObject(options, 'options') as DlqReplayOptions | undefined;
  if (!o) throw CelersError.invalidArgument('options', 'expected { limit, taskNamePattern?, minRetries? }');
  const limit = assertLimit(o.limit, 'options.limit');
  const pattern =
    o.taskNamePattern === undefined
      ? undefined
      : globToLike(assertName(o.taskNamePattern, 'options.taskNamePattern'));
  const minRetries =
    o.minRetries === undefined
      ? undefined
      : assertInteger(o.minRetries, 'options.minRetries', 0, MAX_RETRIES_LIMIT);
  const taskIds = await ctx.run('maintenance.replayDlqBatch', () =>
    withLockRetry(reportRetries(ctx, 'maintenance.replayDlqBatch'), () =>
      ctx.db.transaction().execute(async (trx) => {
        let q = trx
          .selectFrom('celers_dead_letter_queue')
          .select('id')
          .where('queue_name', '=', ctx.queue)
          .orderBy('failed_at')
          .orderBy('id')
          .limit(limit)
          .forUpdate()
          .skipLocked();
        if (pattern !== undefined) q = q.where('task_name', 'like', pattern);
        if (minRetries !== undefined) q = q.where('retry_count', '>=', minRetries);
        const ids: string[] = [];
        for (const { id } of await q.execute()) {
          const r = await requeueDlqRow(trx, ctx.queue, id);
          if (r.status === 'draining') {
            throw new CelersError(
              'QUEUE_DRAINING',
              `Queue "${ctx.queue}" is in drain mode and accepts no new tasks`,
              { details: { queue: ctx.queue } },
            );
          }
          if (r.status === 'requeued') ids.push(r.taskId);
        }
        return ids;
      }),
    ),
  );
  if (taskIds.length > 0)
    ctx.emit('task:enqueued', { queue: ctx.queue, taskIds, taskNames: [], delayed: false });
  return taskIds.length;
}
