import type { JobCounts, JobSkipReason } from './maintenance-job.js';

/** Fields every maintainer event carries. */
export interface MaintainerEventBase {
  /** The job's name (`archiveCompleted`, a custom job's name, ...). */
  readonly job: string;
  /** The queue of the maintainer's broker. */
  readonly queue: string;
  /** This host's owner id. */
  readonly owner: string;
}

/**
 * Events of a {@link Maintainer}, each with one payload object, so metrics can count runs, rows and skips
 * without parsing logs.
 */
export interface MaintainerEventMap {
  /** This host won the lease and started the job. */
  'job:started': MaintainerEventBase & { readonly startedAt: Date };
  /** The job finished; `counts` says what it changed. `leaseLost` when another host took over mid-run. */
  'job:completed': MaintainerEventBase & {
    readonly counts: JobCounts;
    readonly durationMs: number;
    readonly startedAt: Date;
    readonly finishedAt: Date;
    readonly leaseLost: boolean;
  };
  /** The job threw; the lease is released so any host can retry at its next tick. */
  'job:failed': MaintainerEventBase & { readonly error: Error; readonly durationMs: number };
  /** The job did not run here (see {@link JobSkipReason}); `holder` names the host running it, if any. */
  'job:skipped': MaintainerEventBase & { readonly reason: JobSkipReason; readonly holder: string | null };
}
