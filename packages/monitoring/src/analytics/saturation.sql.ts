import { type CelersDatabase, stateIs } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNumber } from '../internal/numbers.js';

/** Saturation status: `warning` from 80 % of capacity, `critical` from 95 % (the seed's levels). */
export type SaturationStatus = 'healthy' | 'warning' | 'critical';

/** Backlog against a capacity (the seed's `QueueSaturation`). */
export interface QueueSaturation {
  /** Pending tasks. */
  pending: number;
  /** Tasks being processed. */
  processing: number;
  /** Tasks of the queue in any state. */
  total: number;
  /** The capacity given (maximum recommended pending tasks). */
  capacity: number;
  /** `pending / capacity × 100`, capped at 100. */
  utilizationPercent: number;
  /** Pending ≥ 80 % of capacity. */
  isSaturated: boolean;
  /** Pending ≥ 95 % of capacity. */
  isCritical: boolean;
  status: SaturationStatus;
}

/** Fraction of capacity at which the queue counts as saturated (`warning`). */
export const SATURATION_WARNING_RATIO = 0.8;
/** Fraction of capacity at which saturation is `critical`. */
export const SATURATION_CRITICAL_RATIO = 0.95;

/** Classifies a backlog against a capacity (pure). */
export function classifySaturation(
  counts: { pending: number; processing: number; total: number },
  capacity: number,
): QueueSaturation {
  const isCritical = counts.pending >= capacity * SATURATION_CRITICAL_RATIO;
  const isSaturated = counts.pending >= capacity * SATURATION_WARNING_RATIO;
  return {
    ...counts,
    capacity,
    utilizationPercent: Math.min(100, (counts.pending / capacity) * 100),
    isSaturated,
    isCritical,
    status: isCritical ? 'critical' : isSaturated ? 'warning' : 'healthy',
  };
}

/** Counts pending, processing and all tasks of the queue in one aggregate. @internal */
export async function selectStateCounts(
  db: Kysely<CelersDatabase>,
  queue: string,
): Promise<{ pending: number; processing: number; total: number }> {
  const row = await db
    .selectFrom('celers_tasks')
    .select([
      sql<number>`SUM(CASE WHEN ${stateIs('pending')} THEN 1 ELSE 0 END)`.as('pending'),
      sql<number>`SUM(CASE WHEN state = 'processing' THEN 1 ELSE 0 END)`.as('processing'),
      sql<number>`COUNT(*)`.as('total'),
    ])
    .where('queue_name', '=', queue)
    .executeTakeFirst();
  return {
    pending: toNumber(row?.pending),
    processing: toNumber(row?.processing),
    total: toNumber(row?.total),
  };
}
