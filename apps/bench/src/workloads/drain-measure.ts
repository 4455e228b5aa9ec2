import { perJob, readStatus, type StatusSnapshot, statusDelta } from '../env/server-status.js';
import { jobsPerSecond, pause, timed } from '../stats/stopwatch.js';
import type { ConsumerRun } from './consumer-types.js';
import type { WorkloadContext } from './workload-context.js';

/** A measured drain. */
export interface DrainMeasurement {
  /** Jobs per second from consumer start until `target` jobs were settled (or the cap passed). */
  rate: number;
  elapsedMs: number;
  /** Jobs settled when the measurement ended (≥ target unless capped). */
  processed: number;
  /** True when the time cap ended the measurement before `target`. */
  capped: boolean;
  /** Server status counter deltas per settled job (server-wide: includes other clients' work). */
  perJob: StatusSnapshot;
}

/**
 * Starts a consumer, waits (on its progress event, no polling) until `target` jobs are settled or
 * `ctx.drainCapMs` passes, stops it, and returns the rate plus status counters per job. The cap keeps the quick
 * run bounded when a consumer is slow; a capped rate is still a steady-state rate over many jobs.
 */
export async function measureDrain(
  ctx: WorkloadContext,
  start: () => Promise<ConsumerRun>,
  target: number,
): Promise<DrainMeasurement> {
  const before = await readStatus(ctx.bench.admin);
  let run: ConsumerRun | undefined;
  let capped = false;
  try {
    const { elapsedMs } = await timed(async () => {
      run = await start();
      const cap = new AbortController();
      await Promise.race([
        run.reached(target).finally(() => cap.abort()),
        pause(ctx.drainCapMs, cap.signal).then((ended) => {
          capped = ended;
        }),
      ]);
    });
    const processed = Math.min(run?.processed() ?? 0, capped ? Number.POSITIVE_INFINITY : target);
    if (processed === 0) throw new Error(`no job settled within ${ctx.drainCapMs} ms`);
    const after = await readStatus(ctx.bench.admin);
    return {
      rate: jobsPerSecond(processed, elapsedMs),
      elapsedMs,
      processed,
      capped,
      perJob: perJob(statusDelta(before, after), processed),
    };
  } finally {
    await run?.stop();
  }
}

/** "(capped at 45 s: 12,000 of 50,000 drained)" when the cap ended a measurement, else "". */
export function capNote(m: DrainMeasurement, target: number, capMs: number): string {
  return m.capped ? ` (capped at ${Math.round(capMs / 1000)} s: ${m.processed} of ${target} drained)` : '';
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
