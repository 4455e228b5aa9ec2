// Public API of the maintainer (scheduled maintenance once across hosts) and of the queue router.

export { type QueueRoute, QueueRouter, type QueueRouterOptions } from '../router/queue-router.js';
export { maintainerLockName } from './job-lease.js';
export { Maintainer, type MaintainerJobStatus } from './maintainer.js';
export type { MaintainerEventBase, MaintainerEventMap } from './maintainer-events.js';
export type { MaintainerLogger } from './maintainer-logger.js';
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
  TABLE_WIDE_JOB_NAMES,
} from './maintainer-options.js';
export type {
  CustomMaintenanceJob,
  JobCounts,
  JobRunContext,
  JobRunResult,
  JobSkipReason,
} from './maintenance-job.js';
export type { MaintenanceTarget } from './maintenance-target.js';
