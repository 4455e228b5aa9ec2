// Public API of the advanced queue features (issue 5): dedup, idempotency, groups and chains, schedules,
// workers, maintenance, transfer, capacity and load generation. Re-exported by the package entry point.

export { type ChunkOutcome, PURGE_CHUNK_SIZE } from '../maintenance/chunked-delete.js';
export { type DlqReplayOptions, type DlqRetentionOptions, globToLike } from '../maintenance/dlq-policies.js';
export { MAX_PRIORITY_BOOST, type PriorityAgingOptions } from '../maintenance/pending-policies.js';
export type { DeleteCriteria } from '../maintenance/purge-operations.js';
export { computeNextRun, intervalMs } from '../schedules/next-run.js';
export {
  assertCronExpression,
  assertRecurringSchedule,
  assertTimeZone,
  RECURRING_SCHEDULE_KINDS,
  type RecurringSchedule,
} from '../schedules/recurring-schedule.js';
export {
  RecurringMetadataKey,
  type RecurringTask,
  type RecurringTaskOptions,
} from '../schedules/recurring-task-types.js';
export { SCHEDULE_BATCH_SIZE } from '../schedules/schedule-operations.js';
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
} from '../transfer/export-format.js';
export { MAX_IMPORT_TASKS } from '../transfer/task-import.js';
export {
  batchSizeForDepth,
  DEFAULT_MAX_BATCH_SIZE,
  MAX_OPTIMAL_BATCH_SIZE,
  type RateLimitStatus,
} from './capacity-operations.js';
export { MAX_CASCADE_TASKS } from './cascade-cancel.js';
export { CHAIN_WAITING_AT, ChainMetadataKey } from './chain-links.sql.js';
export {
  type ChainEnqueueOptions,
  GROUP_ID_METADATA,
  type GroupEnqueueOptions,
  type GroupStatus,
} from './group-types.js';
export {
  DEDUP_KEY_METADATA,
  DEDUP_WINDOW_KEY_METADATA,
  DEDUP_WINDOW_NAMESPACE,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyRecord,
  type IdempotencyStatistics,
  type IdempotentEnqueueOptions,
} from './idempotency-types.js';
export {
  LOAD_CHUNK_SIZE,
  LOAD_TEST_METADATA,
  type LoadGenerationOptions,
  MAX_LOAD_PAYLOAD_BYTES,
  MAX_LOAD_TASKS,
} from './load-generation.js';
export { type ChainLink, MAX_CHAIN_LENGTH, TaskChain } from './task-chain.js';
export {
  type DateRangeSearch,
  type MetadataValue,
  SETTABLE_TASK_STATES,
  type SettableTaskState,
  type TaskProgress,
} from './task-metadata-operations.js';
export type { WorkerHeartbeat, WorkerStatistics } from './worker-types.js';
