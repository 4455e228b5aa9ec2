import type { BuiltInJobName, ResolvedJobSettings } from './maintainer-options.js';
import type { JobCounts } from './maintenance-job.js';
import type { MaintenanceTarget } from './maintenance-target.js';

/** Runs one built-in job through the broker's public facet methods (each already works in bounded chunks). */
type BuiltInJobRunner = (broker: MaintenanceTarget, settings: ResolvedJobSettings) => Promise<JobCounts>;

// `settings.retentionMs` etc. are always present for the jobs that read them (resolveMaintainerOptions sets them).
const RUNNERS: Record<BuiltInJobName, BuiltInJobRunner> = {
  recoverTimedOut: async (broker) => ({ recovered: await broker.recoverTimedOutTasks() }),
  staleWorkers: async (broker, s) => {
    const workers = await broker.workers.heartbeats(
      s.staleAfterMs === undefined ? {} : { staleAfterMs: s.staleAfterMs },
    );
    return { workers: workers.length, stale: workers.filter((w) => w.stale === true).length };
  },
  archiveCompleted: async (broker, s) => ({
    deleted: await broker.maintenance.archiveCompleted({ olderThanMs: s.retentionMs as number }),
  }),
  archiveResults: async (broker, s) => ({
    deleted: await broker.results.archive({ olderThanMs: s.retentionMs as number }),
  }),
  dlqRetention: async (broker, s) => ({
    deleted: await broker.maintenance.applyDlqRetention({ olderThanMs: s.retentionMs as number }),
  }),
  idempotencyCleanup: async (broker) => ({ deleted: await broker.idempotency.cleanupExpired() }),
  priorityAging: async (broker, s) => ({
    boosted: await broker.maintenance.applyPriorityAging({
      ageThresholdMs: s.ageThresholdMs as number,
      priorityBoost: s.priorityBoost as number,
    }),
  }),
  analyzeTables: async (broker) => ({ tables: (await broker.maintenance.analyzeTables()).length }),
  optimizeTables: async (broker) => ({ tables: (await broker.maintenance.optimizeTables()).length }),
};

/** Runs the built-in job `name` with its resolved settings. @internal */
export function runBuiltInJob(
  name: BuiltInJobName,
  broker: MaintenanceTarget,
  settings: ResolvedJobSettings,
): Promise<JobCounts> {
  return RUNNERS[name](broker, settings);
}
