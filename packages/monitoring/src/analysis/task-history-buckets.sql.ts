import type { CelersDatabase } from '@celers/schema';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { toDate, toNullableNumber, toNumber } from '../internal/numbers.js';

/**
 * What one bucket of one task name holds: the counts by final state and the latency percentiles (ms, nearest
 * rank; `null` when the bucket has none). The one list of a bucket's values: the SQL below selects them,
 * `TaskHistoryPoint` adds the bucket start.
 */
export interface HistoryBucketValues {
  completed: number;
  failed: number;
  cancelled: number;
  /** Execution time `started_at → completed_at` of the completed tasks. */
  execP50Ms: number | null;
  execP95Ms: number | null;
  execP99Ms: number | null;
  /** Wait `created_at → started_at` of the finished tasks that started. */
  waitP50Ms: number | null;
  waitP95Ms: number | null;
  waitP99Ms: number | null;
}

type HistoryPercentileField = Exclude<keyof HistoryBucketValues, 'completed' | 'failed' | 'cancelled'>;

/** Each percentile field: the duration it ranks (`e` execution, `wt` wait) and `p`. */
const HISTORY_PERCENTILES = {
  execP50Ms: ['e', 50],
  execP95Ms: ['e', 95],
  execP99Ms: ['e', 99],
  waitP50Ms: ['wt', 50],
  waitP95Ms: ['wt', 95],
  waitP99Ms: ['wt', 99],
} as const satisfies Record<HistoryPercentileField, readonly ['e' | 'wt', number]>;

const PERCENTILE_FIELDS = Object.keys(HISTORY_PERCENTILES) as HistoryPercentileField[];

/** The percentile fields, each read by `value` (e.g. all `null` for an empty bucket). @internal */
export function historyPercentiles(
  value: (field: HistoryPercentileField) => number | null,
): Pick<HistoryBucketValues, HistoryPercentileField> {
  return Object.fromEntries(PERCENTILE_FIELDS.map((f) => [f, value(f)])) as Pick<
    HistoryBucketValues,
    HistoryPercentileField
  >;
}

/** One (bucket, task name) aggregate as read from SQL. @internal */
export interface HistoryBucketRow extends HistoryBucketValues {
  /** 0-based bucket index from the window's start. */
  bucket: number;
  taskName: string;
  /** Finished rows read for this bucket and task name. */
  rows: number;
}

/** The window the query reads. @internal */
export interface HistoryWindow {
  queue: string;
  from: Date;
  to: Date;
  bucketMs: number;
  /** Most finished rows read (newest first); bounds the cost on big tables. */
  maxRows: number;
  /** Only this task name, when given. */
  taskName?: string;
}

/** `SELECT UTC_TIMESTAMP(3)`: the database clock, so buckets line up with the stored timestamps. @internal */
export async function selectDbNow(db: Kysely<CelersDatabase>): Promise<Date> {
  const { rows } = await sql<{ now: unknown }>`SELECT UTC_TIMESTAMP(3) AS now`.execute(db);
  const now = toDate(rows[0]?.now);
  if (now === null) throw new Error('UTC_TIMESTAMP() returned no date');
  return now;
}

// Nearest-rank percentile over a ranked column: the value whose rank is GREATEST(1, CEIL(cnt × p / 100)),
// the same definition as `nearestRankPercentile`. `p` is a constant from code.
function pick(value: string, rank: string, count: string, p: number) {
  return sql<
    number | null
  >`MIN(CASE WHEN ${sql.ref(value)} IS NOT NULL AND ${sql.ref(rank)} = GREATEST(1, CEIL(${sql.ref(count)} * ${sql.lit(p)} / 100)) THEN ${sql.ref(value)} END)`;
}

/** The select list of the percentiles, aliased by their field names. */
function percentileColumns() {
  return sql.join(
    PERCENTILE_FIELDS.map((field) => {
      const [duration, p] = HISTORY_PERCENTILES[field];
      const [rank, count] = duration === 'e' ? ['rn_e', 'cnt_e'] : ['rn_w', 'cnt_w'];
      return sql`${pick(duration, rank, count, p)} AS ${sql.ref(field)}`;
    }),
  );
}

/**
 * The newest `maxRows` finished rows of one task table in the window: finished rows are in
 * celers_finished_tasks, and completed ones wait in celers_live_tasks until the broker archives them. Each
 * branch is cut before the union, so the union never holds more than 2 × `maxRows` narrow rows.
 */
function recentFinished(
  table: 'celers_finished_tasks' | 'celers_live_tasks',
  w: HistoryWindow,
  nameFilter: RawBuilder<unknown>,
) {
  return sql`SELECT task_name, state, created_at, started_at, completed_at FROM ${sql.table(table)}
    WHERE queue_name = ${w.queue} AND completed_at >= ${w.from} AND completed_at < ${w.to}
      AND state IN ('completed', 'failed', 'cancelled') ${nameFilter}
    ORDER BY completed_at DESC
    LIMIT ${sql.lit(w.maxRows)}`;
}

/**
 * Throughput, failures and P50/P95/P99 of execution (`started_at → completed_at`, completed tasks) and wait
 * (`created_at → started_at`) per bucket and task name, for finished rows whose `completed_at` is in
 * `[from, to)`. The innermost SELECTs are a range scan of `idx_tasks_completed_at (queue_name, completed_at)`
 * on the finished table (and a short read of the live table's completed rows),
 * cut at `maxRows` (newest first), so the window functions never rank more than `maxRows` rows. Window
 * functions (ROW_NUMBER/COUNT OVER PARTITION BY) run on MySQL 8.0+ and MariaDB 10.2+.
 * @internal
 */
export function historyBucketsQuery(w: HistoryWindow): RawBuilder<Record<string, unknown>> {
  const bucketUs = sql.lit(Math.round(w.bucketMs * 1000));
  const nameFilter = w.taskName === undefined ? sql`` : sql`AND task_name = ${w.taskName}`;
  return sql<Record<string, unknown>>`
    SELECT b, task_name, COUNT(*) AS n,
      SUM(state = 'completed') AS completed, SUM(state = 'failed') AS failed,
      SUM(state = 'cancelled') AS cancelled, ${percentileColumns()}
    FROM (
      SELECT b, task_name, state, e, wt,
        ROW_NUMBER() OVER (PARTITION BY b, task_name, e IS NULL ORDER BY e) AS rn_e,
        COUNT(*) OVER (PARTITION BY b, task_name, e IS NULL) AS cnt_e,
        ROW_NUMBER() OVER (PARTITION BY b, task_name, wt IS NULL ORDER BY wt) AS rn_w,
        COUNT(*) OVER (PARTITION BY b, task_name, wt IS NULL) AS cnt_w
      FROM (
        SELECT FLOOR(TIMESTAMPDIFF(MICROSECOND, ${w.from}, completed_at) / ${bucketUs}) AS b,
          task_name, state,
          CASE WHEN state = 'completed' AND started_at IS NOT NULL
            THEN TIMESTAMPDIFF(MICROSECOND, started_at, completed_at) / 1000 END AS e,
          CASE WHEN started_at IS NOT NULL
            THEN TIMESTAMPDIFF(MICROSECOND, created_at, started_at) / 1000 END AS wt
        FROM (
          (${recentFinished('celers_finished_tasks', w, nameFilter)})
          UNION ALL
          (${recentFinished('celers_live_tasks', w, nameFilter)})
          ORDER BY completed_at DESC
          LIMIT ${sql.lit(w.maxRows)}
        ) AS recent
      ) AS finished
    ) AS ranked
    GROUP BY b, task_name
    ORDER BY b, task_name`;
}

/** Runs {@link historyBucketsQuery} and reads its rows. @internal */
export async function selectHistoryBuckets(
  db: Kysely<CelersDatabase>,
  w: HistoryWindow,
): Promise<HistoryBucketRow[]> {
  const { rows } = await historyBucketsQuery(w).execute(db);
  return rows.map((r) => ({
    bucket: toNumber(r.b),
    taskName: String(r.task_name),
    rows: toNumber(r.n),
    completed: toNumber(r.completed),
    failed: toNumber(r.failed),
    cancelled: toNumber(r.cancelled),
    ...historyPercentiles((field) => toNullableNumber(r[field])),
  }));
}
