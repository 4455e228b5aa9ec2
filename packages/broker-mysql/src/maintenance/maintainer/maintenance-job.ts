import type { MaintenanceTarget } from './maintenance-target.js';

/** What a job changed, by kind (`{ archived: 120 }`); metrics add these up. */
export type JobCounts = Readonly<Record<string, number>>;

/** What a job receives when it runs. */
export interface JobRunContext {
  /** The broker the maintainer serves. */
  readonly broker: MaintenanceTarget;
  /** Aborted when the lease is lost (another host took the job over): stop at the next chunk boundary. */
  readonly signal: AbortSignal;
  /** This host's owner id. */
  readonly owner: string;
}

/**
 * A job of your own, run by the {@link Maintainer} once across all hosts under the same lease rules as the
 * built-in jobs. Work in bounded chunks and check `signal.aborted` between them.
 *
 * @example
 * ```ts
 * const expireSessions: CustomMaintenanceJob = {
 *   name: 'expireSessions',
 *   intervalMs: 60_000,
 *   async run({ broker }) {
 *     const r = await broker.database.deleteFrom('celers_queue_config').where('config_key', '=', 'session').executeTakeFirst();
 *     return { deleted: Number(r.numDeletedRows) };
 *   },
 * };
 * ```
 */
export interface CustomMaintenanceJob {
  /** Unique job name: 1–64 of letters, digits and `_ . : -`. Also names its lease. */
  readonly name: string;
  /** How often it runs across all hosts, in ms. */
  readonly intervalMs: number;
  /** Does the work; returns counts (or a single count, reported as `{ count }`). */
  run(context: JobRunContext): Promise<JobCounts | number | undefined>;
}

/** The outcome of one attempt to run a job on this host. */
export type JobRunResult =
  | {
      readonly job: string;
      readonly status: 'completed';
      readonly counts: JobCounts;
      readonly durationMs: number;
      readonly leaseLost: boolean;
    }
  | { readonly job: string; readonly status: 'failed'; readonly error: Error; readonly durationMs: number }
  | {
      readonly job: string;
      readonly status: 'skipped';
      readonly reason: JobSkipReason;
      readonly holder: string | null;
    };

/**
 * Why a run was skipped: `leased` (another host, named by `holder`, is running it now), `not-due` (a host
 * ran it less than an interval ago), `running` (this maintainer is already running it).
 */
export type JobSkipReason = 'leased' | 'not-due' | 'running';
