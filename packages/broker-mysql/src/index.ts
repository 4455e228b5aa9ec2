// @celers/broker-mysql: the MySQL/MariaDB broker. Exports are sorted by path, so they read grouped by concern:
// the queue itself, then one folder per facet (broker.dlq, .groups, .results, ...), see docs/architecture.md.
// Chunk sizes, SQL helpers and lock names stay inside the package (tests import them from their modules);
// `compileClaimStatement` is exported for the claim EXPLAINs of apps/bench and monitoring's diagnostics only (its
// TSDoc marks it internal). No at-sign tag in this header: `stripInternal` would drop the first export below.

export {
  DEFAULT_BROKER_LEASE_MS,
  DEFAULT_QUEUE,
  DEFAULT_WORKER_STALE_AFTER_MS,
  type MysqlBrokerOptions,
  type ResolvedBrokerOptions,
} from './broker-options.js';
export { DlqFacet } from './dlq/dlq-facet.js';
export type { DlqReplayOptions, DlqRetentionOptions } from './dlq/dlq-policies.js';
export type { DlqTaskInfo } from './dlq/dlq-types.js';
export { MAX_CASCADE_TASKS } from './groups/cascade-cancel.js';
export { ChainMetadataKey } from './groups/chain-links.sql.js';
export { type ChainLink, MAX_CHAIN_LENGTH, TaskChain } from './groups/chain-operations.js';
export { GroupsFacet } from './groups/groups-facet.js';
export {
  type ChainEnqueueOptions,
  GROUP_ID_METADATA,
  type GroupEnqueueOptions,
  type GroupStatus,
} from './groups/groups-types.js';
export { HealthFacet } from './health/health-facet.js';
export { DEFAULT_READY_TIMEOUT_MS, type HealthStatus, type ReadinessOptions } from './health/health-types.js';
export { IdempotencyFacet } from './idempotency/idempotency-facet.js';
export {
  DEDUP_KEY_METADATA,
  DEDUP_WINDOW_KEY_METADATA,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyRecord,
  type IdempotencyStatistics,
  type IdempotentEnqueueOptions,
} from './idempotency/idempotency-types.js';
export { MAX_TEXT_BYTES } from './internal/assert-text.js';
export { MAX_TRANSACTION_LOCK_RETRIES, type TransactionOptions } from './internal/caller-transaction.js';
export { DRAIN_FLAG_CACHE_MS } from './internal/drain-flag-cache.js';
export { DEFAULT_PAGE_LIMIT, type PageOptions } from './internal/page-options.js';
export { extractTaskContext } from './internal/trace-propagation.js';
export { Maintainer, type MaintainerJobStatus } from './maintenance/maintainer/maintainer.js';
export type { MaintainerEventBase, MaintainerEventMap } from './maintenance/maintainer/maintainer-events.js';
export type { MaintainerLogger } from './maintenance/maintainer/maintainer-logger.js';
export {
  BUILT_IN_JOB_NAMES,
  type BuiltInJobName,
  DEFAULT_DLQ_RETENTION_MS,
  DEFAULT_MAINTAINER_LEASE_MS,
  DEFAULT_PRIORITY_AGING_BOOST,
  DEFAULT_PRIORITY_AGING_INTERVAL_MS,
  DEFAULT_PRIORITY_AGING_THRESHOLD_MS,
  DEFAULT_RECOVERY_INTERVAL_MS,
  DEFAULT_RESULT_RETENTION_MS,
  DEFAULT_RETENTION_INTERVAL_MS,
  DEFAULT_STALE_WORKER_INTERVAL_MS,
  DEFAULT_TABLE_MAINTENANCE_INTERVAL_MS,
  DEFAULT_TASK_RETENTION_MS,
  type JobScheduleOptions,
  MAINTAINER_JITTER_RATIO,
  type MaintainerOptions,
  MIN_JOB_INTERVAL_MS,
  type PriorityAgingJobOptions,
  type ResolvedJobSettings,
  type ResolvedMaintainerOptions,
  type RetentionJobOptions,
  resolveMaintainerOptions,
  type StaleWorkersJobOptions,
} from './maintenance/maintainer/maintainer-options.js';
export type {
  CustomMaintenanceJob,
  JobCounts,
  JobRunContext,
  JobRunResult,
  JobSkipReason,
} from './maintenance/maintainer/maintenance-job.js';
export type { MaintenanceTarget } from './maintenance/maintainer/maintenance-target.js';
export { MaintenanceFacet } from './maintenance/maintenance-facet.js';
export { MAX_PRIORITY_BOOST, type PriorityAgingOptions } from './maintenance/pending-policies.js';
export type { DeleteCriteria } from './maintenance/purge-operations.js';
export type { TableMaintenanceOutcome } from './maintenance/table-maintenance.js';
export { MysqlBroker } from './mysql-broker.js';
export {
  DEFAULT_MAX_BATCH_SIZE,
  MAX_OPTIMAL_BATCH_SIZE,
  type RateLimitStatus,
} from './queue/capacity-operations.js';
export { compileClaimStatement } from './queue/claim.sql.js';
export { MAX_DEQUEUE_BATCH } from './queue/claim-operations.js';
export type { EnqueueOptions } from './queue/enqueue-operations.js';
export { QueueConfigKey } from './queue/queue-config.sql.js';
export type { EnqueueWithRetryPolicyOptions } from './queue/retry-policy-operations.js';
export { MAX_RESULT_BATCH, ResultsFacet } from './results/results-facet.js';
export type { BatchResultInput, StoreResultInput, TaskResult } from './results/results-types.js';
export type { WaitForResultOptions } from './results/results-wait.js';
export { type QueueRoute, QueueRouter, type QueueRouterOptions } from './router/queue-router.js';
export { computeNextRun, intervalMs } from './schedules/next-run.js';
export {
  assertCronExpression,
  assertRecurringSchedule,
  assertTimeZone,
  RECURRING_SCHEDULE_KINDS,
  type RecurringSchedule,
} from './schedules/recurring-schedule.js';
export {
  RecurringMetadataKey,
  type RecurringTask,
  type RecurringTaskOptions,
} from './schedules/recurring-task-types.js';
export { SchedulesFacet } from './schedules/schedules-facet.js';
export { type QueueStateReading, readQueueState } from './tasks/queue-state-read.js';
export type { QueueStatistics, TaskNameCount } from './tasks/statistics-types.js';
export {
  type DateRangeSearch,
  type MetadataValue,
  SETTABLE_TASK_STATES,
  type SettableTaskState,
  type TaskProgress,
} from './tasks/task-metadata-operations.js';
export type { ListTasksOptions, ScheduledTaskInfo, TaskInfo } from './tasks/task-types.js';
export { TasksFacet } from './tasks/tasks-facet.js';
export {
  DEFAULT_EXPORT_LIMIT,
  DLQ_EXPORT_FORMAT,
  type DlqExportDocument,
  type ExportedDlqEntry,
  type ExportedTask,
  type ExportNdjsonOptions,
  type ExportTasksOptions,
  type ImportTasksOptions,
  MAX_EXPORT_LIMIT,
  TASK_EXPORT_FORMAT,
  type TaskExportDocument,
} from './transfer/export-format.js';
export {
  LOAD_TEST_METADATA,
  type LoadGenerationOptions,
  MAX_LOAD_PAYLOAD_BYTES,
  MAX_LOAD_TASKS,
} from './transfer/load-generation.js';
export { MAX_IMPORT_TASKS } from './transfer/task-import.js';
export { TransferFacet } from './transfer/transfer-facet.js';
export { WorkersFacet } from './workers/workers-facet.js';
export type { WorkerHeartbeat, WorkerStatistics } from './workers/workers-types.js';
