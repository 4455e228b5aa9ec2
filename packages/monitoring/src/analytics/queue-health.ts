import type { ResolvedQueueHealthThresholds } from './queue-health-options.js';
import type { QueueSnapshot } from './queue-snapshot.sql.js';

/** Overall queue status. */
export type QueueHealthStatus = 'healthy' | 'degraded' | 'critical';

/** The result of {@link QueueMonitor.queueHealth}. */
export interface QueueHealth extends QueueSnapshot {
  /** `critical` when any critical threshold is crossed, else `degraded` when any warning one is, else `healthy`. */
  status: QueueHealthStatus;
  /** Failed / (completed + failed) within the window, 0–1 (0 when nothing finished). */
  failureRate: number;
  /** One sentence per crossed threshold, e.g. `"1200 pending tasks (critical ≥ 1000)"`. Empty when healthy. */
  reasons: string[];
  /** The thresholds applied. */
  thresholds: ResolvedQueueHealthThresholds;
}

/** Judges a snapshot against thresholds (pure, so the edges are unit-tested). */
export function judgeQueueHealth(
  snapshot: QueueSnapshot,
  thresholds: ResolvedQueueHealthThresholds,
): QueueHealth {
  const finished = snapshot.recentCompleted + snapshot.recentFailed;
  const failureRate = finished > 0 ? snapshot.recentFailed / finished : 0;
  const reasons: string[] = [];
  let status: QueueHealthStatus = 'healthy';
  const check = (
    value: number | null,
    warning: number,
    critical: number,
    describe: (level: string, limit: number) => string,
  ) => {
    if (value === null) return;
    if (value >= critical) {
      status = 'critical';
      reasons.push(describe('critical', critical));
    } else if (value >= warning) {
      if (status === 'healthy') status = 'degraded';
      reasons.push(describe('warning', warning));
    }
  };
  check(
    snapshot.pending,
    thresholds.pendingWarning,
    thresholds.pendingCritical,
    (level, limit) => `${snapshot.pending} pending tasks (${level} ≥ ${limit})`,
  );
  check(
    snapshot.oldestDueAgeMs,
    thresholds.oldestPendingAgeWarningMs,
    thresholds.oldestPendingAgeCriticalMs,
    (level, limit) =>
      `oldest due task has waited ${Math.round(snapshot.oldestDueAgeMs ?? 0)} ms (${level} ≥ ${limit} ms)`,
  );
  if (finished > 0) {
    check(
      failureRate,
      thresholds.failureRateWarning,
      thresholds.failureRateCritical,
      (level, limit) =>
        `failure rate ${(failureRate * 100).toFixed(1)}% over ${finished} finished tasks (${level} ≥ ${(limit * 100).toFixed(1)}%)`,
    );
  }
  check(
    snapshot.dlqSize,
    thresholds.dlqSizeWarning,
    thresholds.dlqSizeCritical,
    (level, limit) => `${snapshot.dlqSize} dead-lettered tasks (${level} ≥ ${limit})`,
  );
  return { ...snapshot, status, failureRate, reasons, thresholds };
}
