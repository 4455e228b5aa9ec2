import { assertNonNegative, assertObject } from '../internal/validate-input.js';

/** Inputs of {@link calculateAlertThresholds}. */
export interface AlertThresholdsInput {
  /** Average queue size under normal load. */
  avgQueueSize: number;
  /** Largest queue size observed. */
  maxQueueSize: number;
  /** Target processing lag (ms). */
  targetLagMs: number;
}

/** Recommended warning/critical levels for dashboards and alert rules (the seed's `AlertThresholds`). */
export interface AlertThresholds {
  queueSizeWarning: number;
  queueSizeCritical: number;
  lagWarningMs: number;
  lagCriticalMs: number;
  /** Percent (industry standard 1 %). */
  errorRateWarningPercent: number;
  /** Percent (industry standard 5 %). */
  errorRateCriticalPercent: number;
  dlqSizeWarning: number;
  dlqSizeCritical: number;
}

/**
 * The seed's rules: queue size warning = min(2 × avg, max) and critical = min(5 × avg, 2 × max); lag 2× and 5×
 * the target; error rate 1 % / 5 %; DLQ 10 % / 50 % of the average queue size. Counts are floored to integers.
 * The critical queue size is kept ≥ the warning one (the seed could invert them when max < avg).
 *
 * @example
 * ```ts
 * calculateAlertThresholds({ avgQueueSize: 100, maxQueueSize: 1000, targetLagMs: 60_000 });
 * // { queueSizeWarning: 200, queueSizeCritical: 500, lagWarningMs: 120_000, lagCriticalMs: 300_000, ... }
 * ```
 */
export function calculateAlertThresholds(input: AlertThresholdsInput): AlertThresholds {
  const given = assertObject(input, 'input');
  const avg = assertNonNegative(given.avgQueueSize, 'input.avgQueueSize');
  const max = assertNonNegative(given.maxQueueSize, 'input.maxQueueSize');
  const lag = assertNonNegative(given.targetLagMs, 'input.targetLagMs');
  const queueSizeWarning = Math.floor(Math.min(avg * 2, max));
  const queueSizeCritical = Math.max(queueSizeWarning, Math.floor(Math.min(avg * 5, max * 2)));
  return {
    queueSizeWarning,
    queueSizeCritical,
    lagWarningMs: lag * 2,
    lagCriticalMs: lag * 5,
    errorRateWarningPercent: 1,
    errorRateCriticalPercent: 5,
    dlqSizeWarning: Math.floor(avg * 0.1),
    dlqSizeCritical: Math.floor(avg * 0.5),
  };
}
