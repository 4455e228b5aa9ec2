import { CelersError } from '@celers/core';
import { assertCount, assertNonNegative, assertObject, assertPositive } from '../internal/validate-input.js';

/** Capacity status by projected utilization: ≤ 60 % sufficient, ≤ 80 % warning, ≤ 100 % critical, else exceeded. */
export type CapacityStatus = 'sufficient' | 'warning' | 'critical' | 'exceeded';

/** Inputs of {@link forecastCapacity}. */
export interface CapacityForecastInput {
  /** Current load, messages per hour. */
  currentLoadPerHour: number;
  /** Growth per 30-day month in percent (20 = +20 %/month, compounded; may be negative, > −100). */
  growthRatePercentPerMonth: number;
  /** How far ahead to project, days. */
  horizonDays: number;
  /** Workers running now (≥ 1). */
  currentWorkers: number;
  /** Messages one worker processes per hour. */
  processingRatePerWorkerPerHour: number;
}

/** The seed's `CapacityForecast`. */
export interface CapacityForecast {
  currentCapacityPerHour: number;
  /** `currentLoad × (1 + growth)^(horizonDays / 30)`. */
  projectedLoadPerHour: number;
  /** `projectedLoad / currentCapacity × 100`. */
  utilizationPercent: number;
  /**
   * When load reaches capacity at this growth (ms from now): 0 if it already has, `null` if it never will
   * (no growth, or shrinking). Solves `load × g^(t/30 days) = capacity` for `t`.
   */
  timeToExhaustionMs: number | null;
  /** Workers for the projected load plus a 20 % buffer. */
  workersNeeded: number;
  /** `workersNeeded − currentWorkers` when utilization is above 80 %, else 0 (the seed's rule). */
  recommendedAdditionalWorkers: number;
  status: CapacityStatus;
}

const MONTH_MS = 30 * 24 * 3_600_000;

/**
 * Projects load with compound monthly growth and compares it with worker capacity.
 *
 * @example
 * ```ts
 * forecastCapacity({ currentLoadPerHour: 5000, growthRatePercentPerMonth: 10, horizonDays: 30, currentWorkers: 10, processingRatePerWorkerPerHour: 1500 });
 * // { currentCapacityPerHour: 15000, projectedLoadPerHour: 5500, utilizationPercent: 36.67, status: 'sufficient', ... }
 * ```
 */
export function forecastCapacity(input: CapacityForecastInput): CapacityForecast {
  const given = assertObject(input, 'input');
  const load = assertNonNegative(given.currentLoadPerHour, 'input.currentLoadPerHour');
  const growth = assertNonNegative(
    given.growthRatePercentPerMonth,
    'input.growthRatePercentPerMonth',
    -99.999_999,
  );
  const horizonDays = assertNonNegative(given.horizonDays, 'input.horizonDays');
  const workers = assertCount(given.currentWorkers, 'input.currentWorkers');
  if (workers < 1)
    throw CelersError.invalidArgument('input.currentWorkers', 'at least one worker is needed to forecast');
  const ratePerWorker = assertPositive(
    given.processingRatePerWorkerPerHour,
    'input.processingRatePerWorkerPerHour',
  );

  const multiplier = 1 + growth / 100;
  const capacity = workers * ratePerWorker;
  const projected = load * multiplier ** (horizonDays / 30);
  const utilizationPercent = (projected / capacity) * 100;
  let timeToExhaustionMs: number | null = null;
  if (load >= capacity) timeToExhaustionMs = 0;
  else if (load > 0 && multiplier > 1)
    timeToExhaustionMs = (Math.log(capacity / load) / Math.log(multiplier)) * MONTH_MS;
  const workersNeeded = Math.ceil((projected * 1.2) / ratePerWorker);
  return {
    currentCapacityPerHour: capacity,
    projectedLoadPerHour: projected,
    utilizationPercent,
    timeToExhaustionMs,
    workersNeeded,
    recommendedAdditionalWorkers: utilizationPercent > 80 ? Math.max(0, workersNeeded - workers) : 0,
    status:
      utilizationPercent > 100
        ? 'exceeded'
        : utilizationPercent > 80
          ? 'critical'
          : utilizationPercent > 60
            ? 'warning'
            : 'sufficient',
  };
}
