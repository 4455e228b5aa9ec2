import { perJob, readStatus, type StatusSnapshot, statusDelta } from '../env/server-status.js';
import { jobsPerSecond, timed } from '../stats/stopwatch.js';
import type { ConsumerRun } from './consumer-types.js';
import type { WorkloadContext } from './workload-context.js';

/** A measured drain. */
export interface DrainMeasurement {
  /** Jobs per second from consumer start until `target` jobs were settled. */
  rate: number;
  elapsedMs: number;
  /** Server status counter deltas per settled job (server-wide: includes other clients' work). */
  perJob: StatusSnapshot;
}

/**
 * Starts a consumer, waits (on its progress event, no polling) until `target` jobs are settled, stops it,
 * and returns the rate plus status counters per job.
 */
export async function measureDrain(
  ctx: WorkloadContext,
  start: () => Promise<ConsumerRun>,
  target: number,
): Promise<DrainMeasurement> {
  const before = await readStatus(ctx.bench.admin);
  let run: ConsumerRun | undefined;
  try {
    const { elapsedMs } = await timed(async () => {
      run = await start();
      await run.reached(target);
    });
    const after = await readStatus(ctx.bench.admin);
    return {
      rate: jobsPerSecond(target, elapsedMs),
      elapsedMs,
      perJob: perJob(statusDelta(before, after), target),
    };
  } finally {
    await run?.stop();
  }
}

/** Renders the per-job counters worth reading in one line. */
export function describeCounters(label: string, c: StatusSnapshot): string {
  const pick = [
    'Questions',
    'Com_commit',
    'Handler_read_key',
    'Handler_read_next',
    'Rows_read',
    'Innodb_rows_read',
    'Innodb_row_lock_waits',
    'Innodb_deadlocks',
    'Innodb_data_fsyncs',
    'Innodb_os_log_fsyncs',
  ];
  const shown = pick.filter((k) => c[k] !== undefined).map((k) => `${k} ${c[k]}`);
  return `${label}: ${shown.join(', ')} (per job)`;
}
