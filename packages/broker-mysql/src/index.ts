// @celers/broker-mysql: the MySQL/MariaDB broker.

// Advanced queue features (issue 5): dedup, idempotency, groups/chains, schedules, maintenance, transfer.
export * from './advanced/index.js';
export {
  DEFAULT_BROKER_LEASE_MS,
  DEFAULT_QUEUE,
  DEFAULT_WORKER_STALE_AFTER_MS,
  type MysqlBrokerOptions,
  type ResolvedBrokerOptions,
} from './broker-options.js';
export { DlqFacet } from './facets/dlq-facet.js';
export { GroupsFacet } from './facets/groups-facet.js';
export { HealthFacet } from './facets/health-facet.js';
export { IdempotencyFacet } from './facets/idempotency-facet.js';
export { MaintenanceFacet } from './facets/maintenance-facet.js';
export { MAX_RESULT_BATCH, ResultsFacet } from './facets/results-facet.js';
export type { WaitForResultOptions } from './facets/results-wait.js';
export { SchedulesFacet } from './facets/schedules-facet.js';
export { TasksFacet } from './facets/tasks-facet.js';
export { TransferFacet } from './facets/transfer-facet.js';
export { WorkersFacet } from './facets/workers-facet.js';
export { MAX_TEXT_BYTES } from './internal/assert-text.js';
export { DRAIN_FLAG_CACHE_MS } from './internal/drain-flag-cache.js';
export * from './maintainer/index.js';
export { MysqlBroker } from './mysql-broker.js';
export { RECOVERY_CHUNK_SIZE } from './operations/control-operations.js';
export { MAX_DEQUEUE_BATCH } from './operations/dequeue-operation.js';
export type { EnqueueOptions } from './operations/enqueue-operations.js';
export type { EnqueueWithRetryPolicyOptions } from './operations/retry-policy-operations.js';
export { DLQ_PURGE_CHUNK_SIZE } from './queue/dlq.sql.js';
export { ENQUEUE_CHUNK_SIZE } from './queue/enqueue.sql.js';
export { QueueConfigKey } from './queue/queue-config.sql.js';
export { RESULT_ARCHIVE_CHUNK_SIZE } from './queue/results-read.sql.js';
export { extractTaskContext } from './tracing/trace-propagation.js';
// Core facets (tasks, dlq, results, health): their public types and limits.
export type { DlqTaskInfo } from './types/dlq-task-info.js';
export { DEFAULT_READY_TIMEOUT_MS, type HealthStatus, type ReadinessOptions } from './types/health-status.js';
export { DEFAULT_PAGE_LIMIT, type PageOptions } from './types/page-options.js';
export type { QueueStatistics, TaskNameCount } from './types/queue-statistics.js';
export type { ListTasksOptions, ScheduledTaskInfo, TaskInfo } from './types/task-info.js';
export type { BatchResultInput, StoreResultInput, TaskResult } from './types/task-result.js';
