import { nearestRankPercentile } from '../internal/nearest-rank.js';
import { assertNonNegative, assertObject, assertSamples } from '../internal/validate-input.js';

/** SLA status: `compliant` at ≥ 99 % within the SLA, `warning` at ≥ 95 %, else `violation` (the seed's levels). */
export type SlaStatus = 'compliant' | 'warning' | 'violation';

/** Inputs of {@link calculateSlaCompliance}. */
export interface SlaComplianceInput {
  /** Observed processing (or end-to-end) times, ms. */
  processingTimesMs: readonly number[];
  /** The SLA: a time ≤ this is within the SLA (ms). */
  slaThresholdMs: number;
}

/** The seed's `SlaComplianceReport`. */
export interface SlaComplianceReport {
  total: number;
  withinSla: number;
  exceedingSla: number;
  /** `withinSla / total × 100`; 0 when there are no samples. */
  compliancePercent: number;
  /** Mean time (ms), 0 without samples. */
  avgMs: number;
  /** Nearest-rank P95 (ms), 0 without samples. */
  p95Ms: number;
  /** Nearest-rank P99 (ms), 0 without samples. */
  p99Ms: number;
  /** No samples count as `violation` (nothing proves compliance), as in the seed. */
  status: SlaStatus;
}

/** Compliance at or above which the SLA is met. */
export const SLA_COMPLIANT_PERCENT = 99;
/** Compliance at or above which the SLA is at risk (`warning`) rather than violated. */
export const SLA_WARNING_PERCENT = 95;

/**
 * Classifies processing times against an SLA threshold.
 *
 * @example
 * ```ts
 * calculateSlaCompliance({ processingTimesMs: [5, 10, 15, 20, 25, 100], slaThresholdMs: 30 });
 * // { total: 6, withinSla: 5, exceedingSla: 1, compliancePercent: 83.33…, status: 'violation', ... }
 * ```
 */
export function calculateSlaCompliance(input: SlaComplianceInput): SlaComplianceReport {
  const given = assertObject(input, 'input');
  const times = assertSamples(given.processingTimesMs, 'input.processingTimesMs');
  const threshold = assertNonNegative(given.slaThresholdMs, 'input.slaThresholdMs');
  const total = times.length;
  if (total === 0) {
    return {
      total: 0,
      withinSla: 0,
      exceedingSla: 0,
      compliancePercent: 0,
      avgMs: 0,
      p95Ms: 0,
      p99Ms: 0,
      status: 'violation',
    };
  }
  const withinSla = times.filter((t) => t <= threshold).length;
  const compliancePercent = (withinSla / total) * 100;
  const sorted = [...times].sort((a, b) => a - b);
  return {
    total,
    withinSla,
    exceedingSla: total - withinSla,
    compliancePercent,
    avgMs: sorted.reduce((a, b) => a + b, 0) / total,
    p95Ms: nearestRankPercentile(sorted, 95) ?? 0,
    p99Ms: nearestRankPercentile(sorted, 99) ?? 0,
    status:
      compliancePercent >= SLA_COMPLIANT_PERCENT
        ? 'compliant'
        : compliancePercent >= SLA_WARNING_PERCENT
          ? 'warning'
          : 'violation',
  };
}
