// @celers/monitoring: queue analytics, database diagnostics, SLA/capacity/cost math, Prometheus metrics.

export {
  type AlertThresholds,
  type AlertThresholdsInput,
  calculateAlertThresholds,
} from './analysis/alert-thresholds.js';
export {
  type CapacityForecast,
  type CapacityForecastInput,
  type CapacityStatus,
  forecastCapacity,
} from './analysis/capacity-forecast.js';
export {
  CLOUD_PRICING,
  CLOUD_PROVIDERS,
  type CloudPricing,
  type CloudProvider,
} from './analysis/cloud-pricing.js';
export {
  analyzeConnectionPoolHealth,
  type ConnectionPoolHealth,
  type ConnectionPoolHealthInput,
  type PoolHealthStatus,
} from './analysis/connection-pool-health.js';
export {
  analyzeIndexEffectiveness,
  type IndexEffectiveness,
  type IndexEffectivenessInput,
} from './analysis/index-effectiveness.js';
export {
  estimateOperationalCost,
  type OperationalCost,
  type OperationalCostInput,
} from './analysis/operational-cost.js';
export {
  analyzePageFill,
  type IndexPageStats,
  type PageFill,
  type TablePageStats,
} from './analysis/page-fill.js';
export {
  analyzeQueryPattern,
  type QueryPatternAnalysis,
  type QueryPatternInput,
} from './analysis/query-pattern.js';
export {
  analyzeReplicationLag,
  REPLICA_LAG_CRITICAL_MS,
  REPLICA_LAG_WARNING_MS,
  type ReplicaStatus,
  type ReplicationLagAnalysis,
  type ReplicationLagInput,
} from './analysis/replication-lag.js';
export {
  calculateSlaCompliance,
  SLA_COMPLIANT_PERCENT,
  SLA_WARNING_PERCENT,
  type SlaComplianceInput,
  type SlaComplianceReport,
  type SlaStatus,
} from './analysis/sla-compliance.js';
export { analyzeTableBloat, type TableBloatAnalysis, type TableBloatInput } from './analysis/table-bloat.js';
export {
  DEFAULT_HISTORY_MAX_ROWS,
  MAX_HISTORY_MAX_ROWS,
  MAX_HISTORY_TASK_NAMES,
  TASK_HISTORY_RANGES,
  type TaskHistory,
  type TaskHistoryOptions,
  type TaskHistoryPoint,
  type TaskHistoryRange,
  type TaskHistorySeries,
  taskHistoryBuckets,
} from './analysis/task-history-buckets.js';
export type { HistoryBucketValues } from './analysis/task-history-buckets.sql.js';
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
export type { WorkerActivityStatistics } from './analytics/worker-statistics.sql.js';
export {
  type ConnectionDiagnostics,
  type ConnectionHealth,
  type ConnectionHealthOptions,
  type ConnectionHealthStatus,
  DEFAULT_CONNECTION_HEALTH_OPTIONS,
} from './diagnostics/connection-health.js';
export {
  DatabaseDiagnostics,
  type DiagnosticsSource,
  type PoolHealth,
  type QueryStatsOptions,
} from './diagnostics/database-diagnostics.js';
export type { QueryPlanRow } from './diagnostics/explain.sql.js';
export type { IndexStats } from './diagnostics/index-stats.sql.js';
export type { PerformanceMetrics } from './diagnostics/performance-metrics.js';
export type {
  IndexUsage,
  PerformanceSchemaResult,
  QueryDigestStats,
} from './diagnostics/performance-schema.sql.js';
export { POOR_SELECTIVITY_RATIO, type QueryPerformanceProfile } from './diagnostics/query-profile.js';
export {
  assertReadOnlySelect,
  type ExplainParameter,
  MAX_EXPLAIN_SQL_LENGTH,
} from './diagnostics/read-only-statement.js';
export type { ReplicaChannel, ReplicationStatus } from './diagnostics/replication-status.js';
export { SERVER_VARIABLE_NAMES, type ServerVariableName } from './diagnostics/server-status.sql.js';
export type { TableSize } from './diagnostics/table-sizes.sql.js';
export {
  assertBindHost,
  DEFAULT_BIND_HOST,
  isLoopbackAddress,
  isValidHostName,
  isWildcardAddress,
  normalizeHostName,
} from './http-guard/bind-address.js';
export {
  bearerTokenMatches,
  constantTimeEqual,
  MIN_ACCESS_TOKEN_LENGTH,
} from './http-guard/constant-time-equal.js';
export {
  checkExposure,
  type Exposure,
  type ExposureCheck,
  insecureExposureWarning,
} from './http-guard/exposure-check.js';
export {
  defaultAllowedHosts,
  hostNameOfAuthority,
  isHostAllowed,
  LOOPBACK_HOST_NAMES,
  resolveAllowedHosts,
} from './http-guard/host-allow-list.js';
export type { MonitorDatabaseSource, MonitoredBroker, MonitorSource } from './internal/monitor-source.js';
export { DEFAULT_OPERATION_BUCKETS_SECONDS } from './prometheus/broker-metric-set.js';
export {
  type MetricsHandlerOptions,
  type MetricsRequestHandler,
  metricsHandler,
} from './prometheus/metrics-handler.js';
export { createMetricsRegistry, type MetricsRegistry } from './prometheus/metrics-registry.js';
export type { QueueGaugeValues } from './prometheus/queue-gauges.sql.js';
export {
  type BrokerMetricsOptions,
  type MetricsBroker,
  registerBrokerMetrics,
  type UnregisterBrokerMetrics,
} from './prometheus/register-broker-metrics.js';
