import { assertInteger, assertName, assertOneOf, assertOptionalObject } from '@celers/core';
import { type MonitorSource, resolveSource } from '../internal/monitor-source.js';
import { runQuery } from '../internal/run-query.js';
import {
  type HistoryBucketRow,
  type HistoryBucketValues,
  historyPercentiles,
  selectDbNow,
  selectHistoryBuckets,
} from './task-history-buckets.sql.js';

/** The windows the history covers, each with its bucket width. */
export const TASK_HISTORY_RANGES = {
  /** 60 buckets of 1 minute. */
  '1h': { spanMs: 3_600_000, bucketMs: 60_000 },
  /** 48 buckets of 30 minutes. */
  '24h': { spanMs: 86_400_000, bucketMs: 1_800_000 },
  /** 42 buckets of 4 hours. */
  '7d': { spanMs: 604_800_000, bucketMs: 14_400_000 },
} as const;

/** One of the keys of {@link TASK_HISTORY_RANGES}. */
export type TaskHistoryRange = keyof typeof TASK_HISTORY_RANGES;

/** Finished rows read when `maxRows` is not given. */
export const DEFAULT_HISTORY_MAX_ROWS = 200_000;
/** Largest `maxRows` accepted. */
export const MAX_HISTORY_MAX_ROWS = 2_000_000;
/** Task names with their own series at most (the busiest ones; the rest are summed in `otherTaskNames`). */
export const MAX_HISTORY_TASK_NAMES = 20;

/** Options of {@link taskHistoryBuckets}. */
export interface TaskHistoryOptions {
  /** `1h`, `24h` (default) or `7d`. */
  range?: TaskHistoryRange;
  /** Only this task name. */
  taskName?: string;
  /**
   * Most finished rows read, newest first (default {@link DEFAULT_HISTORY_MAX_ROWS}). When the window holds
   * more, the result says `truncated` and its oldest buckets are incomplete.
   */
  maxRows?: number;
}

/** One bucket of one task name. Durations are ms (nearest rank); `null` when the bucket has none. */
export interface TaskHistoryPoint extends HistoryBucketValues {
  /** Start of the bucket (inclusive, database clock, UTC). */
  start: Date;
}

/** The buckets of one task name, one point per bucket (empty buckets are zero). */
export interface TaskHistorySeries {
  taskName: string;
  /** Finished tasks in the window. */
  total: number;
  points: TaskHistoryPoint[];
}

/** The history of a queue's finished tasks over one window. */
export interface TaskHistory {
  queue: string;
  range: TaskHistoryRange;
  bucketMs: number;
  /** Start of the first bucket (aligned to `bucketMs`). */
  from: Date;
  /** End of the last bucket (exclusive); the database's "now" lies in the last bucket. */
  to: Date;
  /** Bucket starts, oldest first (the time axis). */
  buckets: Date[];
  /** One series per task name, busiest first, at most {@link MAX_HISTORY_TASK_NAMES}. */
  series: TaskHistorySeries[];
  /** Task names left out of `series` (beyond the busiest ones). */
  otherTaskNames: number;
  /** Finished rows read. */
  rowsRead: number;
  /** `true` when `maxRows` cut the read: the oldest buckets then miss rows. */
  truncated: boolean;
}

function emptyPoint(start: Date): TaskHistoryPoint {
  return { start, completed: 0, failed: 0, cancelled: 0, ...historyPercentiles(() => null) };
}

function toSeries(rows: readonly HistoryBucketRow[], buckets: readonly Date[]): TaskHistorySeries[] {
  const byName = new Map<string, TaskHistorySeries>();
  for (const row of rows) {
    const start = buckets[row.bucket];
    if (start === undefined) continue; // a row exactly at `to` cannot occur (`< to`), but never index past
    let series = byName.get(row.taskName);
    if (!series) {
      series = { taskName: row.taskName, total: 0, points: buckets.map(emptyPoint) };
      byName.set(row.taskName, series);
    }
    const { bucket: _b, taskName: _n, rows: n, ...values } = row;
    series.points[row.bucket] = { start, ...values };
    series.total += n;
  }
  return [...byName.values()].sort((a, b) => b.total - a.total || a.taskName.localeCompare(b.taskName));
}

/**
 * Throughput, failures and latency percentiles (P50/P95/P99 of execution and of wait) per task name and time
 * bucket, read from the queue's finished tasks (`completed_at` in the window). The window is aligned to its
 * bucket width and ends with the bucket holding the database's current time. Computed in SQL with window
 * functions on MySQL 8.4 and MariaDB 10.11; the read is bounded by `maxRows` through
 * `idx_tasks_completed_at`.
 *
 * @example
 * ```ts
 * const history = await taskHistoryBuckets(broker, { range: '1h' });
 * for (const s of history.series) console.log(s.taskName, s.points.map((p) => p.completed));
 * ```
 */
export async function taskHistoryBuckets(
  source: MonitorSource,
  options: TaskHistoryOptions = {},
): Promise<TaskHistory> {
  const { db, queue } = resolveSource(source);
  const o = assertOptionalObject(options, 'options') ?? {};
  const range =
    o.range === undefined
      ? '24h'
      : assertOneOf(o.range, Object.keys(TASK_HISTORY_RANGES) as TaskHistoryRange[], 'options.range');
  const taskName = o.taskName === undefined ? undefined : assertName(o.taskName, 'options.taskName');
  const maxRows =
    o.maxRows === undefined
      ? DEFAULT_HISTORY_MAX_ROWS
      : assertInteger(o.maxRows, 'options.maxRows', 1, MAX_HISTORY_MAX_ROWS);
  const { spanMs, bucketMs } = TASK_HISTORY_RANGES[range];
  return runQuery('taskHistoryBuckets', async () => {
    const now = await selectDbNow(db);
    const to = new Date((Math.floor(now.getTime() / bucketMs) + 1) * bucketMs);
    const from = new Date(to.getTime() - spanMs);
    const buckets = Array.from(
      { length: spanMs / bucketMs },
      (_, i) => new Date(from.getTime() + i * bucketMs),
    );
    const rows = await selectHistoryBuckets(db, {
      queue,
      from,
      to,
      bucketMs,
      maxRows,
      ...(taskName === undefined ? {} : { taskName }),
    });
    const all = toSeries(rows, buckets);
    const rowsRead = rows.reduce((sum, r) => sum + r.rows, 0);
    return {
      queue,
      range,
      bucketMs,
      from,
      to,
      buckets,
      series: all.slice(0, MAX_HISTORY_TASK_NAMES),
      otherTaskNames: Math.max(0, all.length - MAX_HISTORY_TASK_NAMES),
      rowsRead,
      truncated: rowsRead >= maxRows,
    };
  });
}
