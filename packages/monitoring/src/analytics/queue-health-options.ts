import { assertDurationMs, assertInteger, assertNumber, assertOptionalObject } from '@celers/core';

/**
 * Thresholds for {@link QueueMonitor.queueHealth}. Crossing a warning threshold makes the queue `degraded`,
 * crossing a critical one makes it `critical`. Defaults follow the seed's `get_queue_health` (100/1000 pending,
 * 5/15 minutes oldest task) plus failure-rate and DLQ limits.
 */
export interface QueueHealthThresholds {
  /** Pending tasks for `degraded`. @defaultValue 100 */
  pendingWarning?: number;
  /** Pending tasks for `critical`. @defaultValue 1000 */
  pendingCritical?: number;
  /** Wait of the oldest due task for `degraded` (ms). @defaultValue 300_000 (5 min) */
  oldestPendingAgeWarningMs?: number;
  /** Wait of the oldest due task for `critical` (ms). @defaultValue 900_000 (15 min) */
  oldestPendingAgeCriticalMs?: number;
  /** Failure rate (0–1) of tasks finished within `failureRateWindowMs` for `degraded`. @defaultValue 0.05 */
  failureRateWarning?: number;
  /** Failure rate (0–1) for `critical`. @defaultValue 0.2 */
  failureRateCritical?: number;
  /** Window for the failure rate (ms). @defaultValue 3_600_000 (1 h) */
  failureRateWindowMs?: number;
  /** Dead-lettered tasks for `degraded`. @defaultValue 100 */
  dlqSizeWarning?: number;
  /** Dead-lettered tasks for `critical`. @defaultValue 1000 */
  dlqSizeCritical?: number;
}

/** {@link QueueHealthThresholds} with every field set. */
export type ResolvedQueueHealthThresholds = Readonly<Required<QueueHealthThresholds>>;

/** The default queue health thresholds. */
export const DEFAULT_QUEUE_HEALTH_THRESHOLDS: ResolvedQueueHealthThresholds = Object.freeze({
  pendingWarning: 100,
  pendingCritical: 1000,
  oldestPendingAgeWarningMs: 5 * 60_000,
  oldestPendingAgeCriticalMs: 15 * 60_000,
  failureRateWarning: 0.05,
  failureRateCritical: 0.2,
  failureRateWindowMs: 60 * 60_000,
  dlqSizeWarning: 100,
  dlqSizeCritical: 1000,
});

/** Validates thresholds (each warning ≤ its critical) and fills in defaults. */
export function resolveQueueHealthThresholds(
  input: unknown,
  argument = 'thresholds',
): ResolvedQueueHealthThresholds {
  const given = assertOptionalObject(input, argument) ?? {};
  const t = { ...DEFAULT_QUEUE_HEALTH_THRESHOLDS, ...given } as Required<QueueHealthThresholds>;
  const count = (key: keyof QueueHealthThresholds) =>
    assertInteger(t[key], `${argument}.${key}`, 0, Number.MAX_SAFE_INTEGER);
  const ms = (key: keyof QueueHealthThresholds) => assertDurationMs(t[key], `${argument}.${key}`);
  const rate = (key: keyof QueueHealthThresholds) => assertNumber(t[key], `${argument}.${key}`, 0, 1);
  const resolved = {
    pendingWarning: count('pendingWarning'),
    pendingCritical: count('pendingCritical'),
    oldestPendingAgeWarningMs: ms('oldestPendingAgeWarningMs'),
    oldestPendingAgeCriticalMs: ms('oldestPendingAgeCriticalMs'),
    failureRateWarning: rate('failureRateWarning'),
    failureRateCritical: rate('failureRateCritical'),
    failureRateWindowMs: assertDurationMs(t.failureRateWindowMs, `${argument}.failureRateWindowMs`, 1),
    dlqSizeWarning: count('dlqSizeWarning'),
    dlqSizeCritical: count('dlqSizeCritical'),
  };
  const pairs: Array<[keyof QueueHealthThresholds, keyof QueueHealthThresholds]> = [
    ['pendingWarning', 'pendingCritical'],
    ['oldestPendingAgeWarningMs', 'oldestPendingAgeCriticalMs'],
    ['failureRateWarning', 'failureRateCritical'],
    ['dlqSizeWarning', 'dlqSizeCritical'],
  ];
  for (const [warning, critical] of pairs) {
    if (resolved[warning] > resolved[critical]) {
      assertNumber(resolved[warning], `${argument}.${warning}`, 0, resolved[critical]);
    }
  }
  return Object.freeze(resolved);
}
