import { performance } from 'node:perf_hooks';
import type { BenchArgs, WorkloadId } from './cli/bench-args.js';
import { benchSizes } from './cli/bench-sizes.js';
import { createBenchDatabase } from './env/bench-database.js';
import { machineInfo } from './env/machine-info.js';
import { serverInfo } from './env/server-info.js';
import type { BenchReport, WorkloadResult } from './report/report-types.js';
import { CONSUMER_DESCRIPTION, createRunContext } from './run-context.js';
import { celeryDrainWorkload } from './workloads/celery-workload.js';
import { delayedBacklogWorkload } from './workloads/delayed-workload.js';
import { drainWorkload } from './workloads/drain-workloads.js';
import { batchEnqueueWorkload, singleEnqueueWorkload } from './workloads/enqueue-workloads.js';
import { latencyWorkload } from './workloads/latency-workload.js';
import { operationLatencyWorkload } from './workloads/operation-latency-workload.js';
import { backlogScalingWorkload, historyScalingWorkload } from './workloads/scaling-workloads.js';
import { soakWorkload } from './workloads/soak-workload.js';
import type { Workload } from './workloads/workload-context.js';

/** The workload behind each id. */
export const WORKLOADS: Record<WorkloadId, Workload> = {
  W1: singleEnqueueWorkload,
  W2: batchEnqueueWorkload,
  W3: drainWorkload,
  W4: latencyWorkload,
  W5: backlogScalingWorkload,
  W6: historyScalingWorkload,
  W7: operationLatencyWorkload,
  W8: soakWorkload,
  W9: delayedBacklogWorkload,
  W10: celeryDrainWorkload,
};

/**
 * Runs the selected workloads in a fresh `celers_bench_<random>` database (dropped at the end, even on
 * failure) and returns the report. A failing workload is recorded in the analysis and the run continues.
 */
export async function runBench(args: BenchArgs, log: (message: string) => void): Promise<BenchReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const sizes = benchSizes(args.mode, args.scale);
  const bench = await createBenchDatabase(args.url);
  log(`bench database ${bench.name} (${args.mode}, scale ${args.scale})`);
  const analysis: string[] = [];
  const workloads: Record<string, WorkloadResult> = {};
  try {
    const server = await serverInfo(bench.admin);
    const ctx = await createRunContext(bench, sizes, args.mode, analysis, log);
    try {
      for (const id of args.only) {
        log(`--- ${id}`);
        try {
          Object.assign(workloads, await WORKLOADS[id](ctx));
        } catch (error) {
          const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
          log(`${id} failed: ${message}`);
          analysis.push(`**${id} failed**: \`${message.split('\n')[0]}\``);
        }
      }
    } finally {
      await ctx.close();
    }
    return {
      machine: machineInfo(),
      server,
      run: {
        mode: args.mode,
        scale: args.scale,
        startedAt: startedAt.toISOString(),
        durationSeconds: (performance.now() - t0) / 1000,
        consumer: CONSUMER_DESCRIPTION,
      },
      workloads,
      analysis,
    };
  } finally {
    await bench.drop();
  }
}
