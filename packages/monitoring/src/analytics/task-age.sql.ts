import { type CelersDatabase, stateIs } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNullableNumber, toNumber } from '../internal/numbers.js';
import { col, DB_NOW, msBetween } from '../internal/sql-fragments.js';

/** One age bucket of pending tasks. */
export interface TaskAgeBucket {
  /** `'< 1 min'`, `'1-5 min'`, `'5-15 min'`, `'15-60 min'` or `'> 60 min'`. */
  label: string;
  /** Inclusive lower bound of the bucket (ms). */
  minAgeMs: number;
  /** Exclusive upper bound (ms), `null` for the last bucket. */
  maxAgeMs: number | null;
  /** Pending tasks in the bucket. */
  count: number;
  /** Age of the oldest task in the bucket (ms), `null` when empty. */
  oldestAgeMs: number | null;
}

const MINUTE = 60_000;

/** The seed's buckets: < 1 min, 1–5, 5–15, 15–60, > 60 minutes. */
export const TASK_AGE_BUCKETS: ReadonlyArray<{ label: string; minAgeMs: number; maxAgeMs: number | null }> = [
  { label: '< 1 min', minAgeMs: 0, maxAgeMs: MINUTE },
  { label: '1-5 min', minAgeMs: MINUTE, maxAgeMs: 5 * MINUTE },
  { label: '5-15 min', minAgeMs: 5 * MINUTE, maxAgeMs: 15 * MINUTE },
  { label: '15-60 min', minAgeMs: 15 * MINUTE, maxAgeMs: 60 * MINUTE },
  { label: '> 60 min', minAgeMs: 60 * MINUTE, maxAgeMs: null },
];

/**
 * Counts pending tasks (delayed ones included) by age, where age is `now − created_at` on the database clock.
 * One aggregate query over `idx_tasks_dequeue`'s `(queue_name, state)` prefix.
 * @internal
 */
export async function selectTaskAgeDistribution(
  db: Kysely<CelersDatabase>,
  queue: string,
): Promise<TaskAgeBucket[]> {
  const aged = db
    .selectFrom('celers_tasks')
    .select(msBetween(col('created_at'), DB_NOW).as('age_ms'))
    .where('queue_name', '=', queue)
    .where(stateIs('pending'));
  const selections = TASK_AGE_BUCKETS.flatMap((bucket, i) => {
    const upper = bucket.maxAgeMs === null ? sql`TRUE` : sql`age_ms < ${bucket.maxAgeMs}`;
    const inBucket = sql`age_ms >= ${i === 0 ? Number.MIN_SAFE_INTEGER : bucket.minAgeMs} AND ${upper}`;
    return [
      sql<number>`SUM(CASE WHEN ${inBucket} THEN 1 ELSE 0 END)`.as(`c${i}`),
      sql<number | null>`MAX(CASE WHEN ${inBucket} THEN age_ms END)`.as(`o${i}`),
    ];
  });
  const row = (await db.selectFrom(aged.as('aged')).select(selections).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  return TASK_AGE_BUCKETS.map((bucket, i) => ({
    ...bucket,
    count: toNumber(row?.[`c${i}`]),
    oldestAgeMs: toNullableNumber(row?.[`o${i}`]),
  }));
}
