import type { CelersDatabase } from '@celers/schema';
import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import { toNullableNumber, toNumber } from '../internal/numbers.js';
import { COUNT_OVER_ALL, col, msBetween, percentileColumn, rowNumberBy } from '../internal/sql-fragments.js';

/** min/max/avg/stddev of a duration over a set of tasks (ms). All `null` when `count` is 0. */
export interface DurationStats {
  /** Tasks measured. */
  count: number;
  minMs: number | null;
  maxMs: number | null;
  avgMs: number | null;
  /** Population standard deviation (`STDDEV_POP`). */
  stddevMs: number | null;
}

/** Nearest-rank percentiles of a duration (ms); see `nearestRankPercentile` for the definition. */
export interface DurationPercentiles {
  /** Tasks measured. */
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Which duration and which tasks. @internal */
export interface DurationSpec {
  /** The duration in ms, computed by the server. */
  value: RawBuilder<number>;
  /** Restricts `celers_tasks` rows (queue scoping is added by the caller). */
  where: (eb: ExpressionBuilder<CelersDatabase, 'celers_tasks'>) => Expression<SqlBool>;
}

/** Queue wait: `created_at → started_at` for every task that has started (any state). @internal */
export const QUEUE_WAIT: DurationSpec = {
  value: msBetween(col('created_at'), col('started_at')),
  where: (eb) => eb.and([eb('started_at', 'is not', null)]),
};

/** Execution: `started_at → completed_at` for completed tasks. @internal */
export const EXECUTION_TIME: DurationSpec = {
  value: msBetween(col('started_at'), col('completed_at')),
  where: (eb) =>
    eb.and([
      eb('state', '=', 'completed'),
      eb('started_at', 'is not', null),
      eb('completed_at', 'is not', null),
    ]),
};

/** One aggregate: COUNT/MIN/MAX/AVG/STDDEV_POP of the duration. @internal */
export async function selectDurationStats(
  db: Kysely<CelersDatabase>,
  queue: string,
  spec: DurationSpec,
): Promise<DurationStats> {
  const row = await db
    .selectFrom('celers_tasks')
    .select([
      sql<number>`COUNT(*)`.as('n'),
      sql<number>`MIN(${spec.value})`.as('min_ms'),
      sql<number>`MAX(${spec.value})`.as('max_ms'),
      sql<number>`AVG(${spec.value})`.as('avg_ms'),
      sql<number>`STDDEV_POP(${spec.value})`.as('stddev_ms'),
    ])
    .where('queue_name', '=', queue)
    .where(spec.where)
    .executeTakeFirst();
  return {
    count: toNumber(row?.n),
    minMs: toNullableNumber(row?.min_ms),
    maxMs: toNullableNumber(row?.max_ms),
    avgMs: toNullableNumber(row?.avg_ms),
    stddevMs: toNullableNumber(row?.stddev_ms),
  };
}

/**
 * Nearest-rank percentiles computed in SQL: the tasks are ranked with `ROW_NUMBER() OVER (ORDER BY v)` and
 * `COUNT(*) OVER ()`, and the outer aggregate picks the row at rank `GREATEST(1, CEIL(cnt × p / 100))`. Only
 * the result row travels to Node.
 * @internal
 */
export async function selectDurationPercentiles<P extends number>(
  db: Kysely<CelersDatabase>,
  queue: string,
  spec: DurationSpec,
  percentiles: readonly P[],
): Promise<{ count: number; values: Map<P, number | null> }> {
  const ranked = db
    .selectFrom('celers_tasks')
    .select([spec.value.as('v'), rowNumberBy(spec.value).as('rn'), COUNT_OVER_ALL.as('cnt')])
    .where('queue_name', '=', queue)
    .where(spec.where);
  const row = (await db
    .selectFrom(ranked.as('ranked'))
    .select([sql<number>`COUNT(*)`.as('n'), ...percentiles.map((p, i) => percentileColumn(p).as(`p${i}`))])
    .executeTakeFirst()) as Record<string, unknown> | undefined;
  const values = new Map<P, number | null>(percentiles.map((p, i) => [p, toNullableNumber(row?.[`p${i}`])]));
  return { count: toNumber(row?.n), values };
}
