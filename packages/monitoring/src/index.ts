// @celers/monitoring: queue analytics, database diagnostics, SLA/capacity/cost math, Prometheus metrics.

export type { DlqStatistics } from './analytics/dlq-statistics.sql.js';
export type { DurationPercentiles, DurationStats } from './analytics/duration-stats.sql.js';
export type { PriorityStats } from './analytics/priority-stats.sql.js';
export { judgeQueueHealth, type QueueHealth, type QueueHealthStatus } from './analytics/queue-health.js';
export {
  DEFAULT_QUEUE_HEALTH_THRESHOLDS,
  type QueueHealthThresholds,
  type ResolvedQueueHealthThresholds,
  resolveQueueHealthThresholds,
} from './analytics/queue-health-options.js';
export {
  DEFAULT_THROUGHPUT_WINDOW_MS,
  type ExecutionStats,
  QueueMonitor,
  type QueueMonitorOptions,
} from './analytics/queue-monitor.js';
export type { QueueSnapshot } from './analytics/queue-snapshot.sql.js';
export type { RetryStatistics } from './analytics/retry-statistics.sql.js';
export {
  classifySaturation,
  type QueueSaturation,
  SATURATION_CRITICAL_RATIO,
  SATURATION_WARNING_RATIO,
  type SaturationStatus,
} from './analytics/saturation.sql.js';
export type { TaskStateTransition } from './analytics/state-transitions.sql.js';
export { TASK_AGE_BUCKETS, type TaskAgeBucket } from './analytics/task-age.sql.js';
export type { TaskThroughput } from './analytics/throughput.sql.js';
export type { WorkerStatistics } from './analytics/worker-statistics.sql.js';
export type { MonitorDatabaseSource, MonitoredBroker, MonitorSource } from './internal/monitor-source.js';
export { nearestRankPercentile } from './internal/nearest-rank.js';
