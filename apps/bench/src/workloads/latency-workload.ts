import { DRAIN_CONCURRENCY, LATENCY_RATE_PER_SECOND } from '../cli/bench-sizes.js';
import { medianQueriesPerSecond } from '../env/query-rate.js';
import type { WorkloadResult } from '../report/report-types.js';
import { evaluateWorkload, type Target } from '../report/targets.js';
import { type LatencySummary, summarizeLatencies } from '../stats/percentiles.js';
import { exited, forkBenchScript, nextMessage } from './child-process.js';
import type { ConsumerRun, JobHandler } from './consumer-types.js';
import { type ProducerConfig, type ProducerMessage, wallClockMs } from './latency-producer.js';
import type { Workload, WorkloadContext } from './workload-context.js';

/** What one side (celers or raw) of W4 measured. */
interface LatencySide {
  latency: LatencySummary;
  /** Server statements/s while the consumer idles on an empty queue, minus the background rate. */
  idleQueriesPerSecond: number;
  backgroundQueriesPerSecond: number;
  producerMaxLagMs: number;
}

async function measureSide(
  ctx: WorkloadContext,
  side: 'celers' | 'raw',
  start: (handler: JobHandler) => Promise<ConsumerRun>,
): Promise<LatencySide> {
  const { latencyJobs, idleSeconds } = ctx.sizes;
  const background = await medianQueriesPerSecond(ctx.bench.admin, idleSeconds);
  const samples: number[] = [];
  const run = await start((payload) => {
    samples.push(wallClockMs() - (payload as { sentAt: number }).sentAt);
  });
  try {
    const config: ProducerConfig = {
      side,
      url: ctx.bench.url,
      queue: 'w4',
      count: latencyJobs,
      ratePerSecond: LATENCY_RATE_PER_SECOND,
    };
    const child = forkBenchScript('src/workloads/latency-producer.ts', config);
    await nextMessage(child, 'ready');
    const done = nextMessage<Extract<ProducerMessage, { type: 'done' }>>(child, 'done');
    child.send({ type: 'go' });
    const finished = await done;
    await exited(child);
    await run.reached(latencyJobs + 1); // + the producer's warm-up job
    const idle = await medianQueriesPerSecond(ctx.bench.admin, idleSeconds);
    return {
      latency: summarizeLatencies(samples),
      idleQueriesPerSecond: Math.max(0, idle - background),
      backgroundQueriesPerSecond: background,
      producerMaxLagMs: finished.maxLagMs,
    };
  } finally {
    await run.stop();
  }
}

/**
 * W4: end-to-end latency (enqueue call in a child process → handler start) at a steady 200 jobs/s, and the
 * idle query rate of one consumer process, for celers and for the raw baseline.
 */
export const latencyWorkload: Workload = async (ctx) => {
  await ctx.reset();
  const raw = await measureSide(ctx, 'raw', (handler) => ctx.startRawConsumer('w4', handler));
  await ctx.reset();
  const broker = await ctx.broker('w4');
  const celers = await measureSide(ctx, 'celers', (handler) =>
    ctx.startCelersConsumer(broker, { storeResults: false, handler }),
  );
  ctx.log(
    `W4 celers p50 ${celers.latency.p50.toFixed(2)} ms p99 ${celers.latency.p99.toFixed(2)} ms idle ${celers.idleQueriesPerSecond.toFixed(1)} q/s`,
  );
  ctx.log(
    `W4 raw    p50 ${raw.latency.p50.toFixed(2)} ms p99 ${raw.latency.p99.toFixed(2)} ms idle ${raw.idleQueriesPerSecond.toFixed(1)} q/s`,
  );
  const base = `${ctx.sizes.latencyJobs} jobs at ${LATENCY_RATE_PER_SECOND}/s from a child process; enqueue call → handler start`;
  const line = (key: keyof LatencySummary, target: Target): WorkloadResult =>
    evaluateWorkload({ celers: celers.latency[key], raw: raw.latency[key], unit: 'ms', target, notes: base });
  return {
    'W4.p50': line('p50', { kind: 'at-most', max: 3 }),
    'W4.p95': line('p95', { kind: 'none' }),
    'W4.p99': line('p99', { kind: 'at-most', max: 10 }),
    'W4.max': line('max', { kind: 'none' }),
    'W4.idle': evaluateWorkload({
      celers: celers.idleQueriesPerSecond,
      raw: raw.idleQueriesPerSecond,
      unit: 'queries/s',
      target: { kind: 'at-most', max: 20 },
      notes: `per worker process (celers: one Worker, concurrency ${DRAIN_CONCURRENCY}; raw: ${DRAIN_CONCURRENCY} loops), empty queue, median of 3 × ${ctx.sizes.idleSeconds} s Questions deltas minus the median background rate (celers ${celers.backgroundQueriesPerSecond.toFixed(1)}, raw ${raw.backgroundQueriesPerSecond.toFixed(1)} q/s); producer max lag celers ${celers.producerMaxLagMs.toFixed(1)} ms, raw ${raw.producerMaxLagMs.toFixed(1)} ms`,
    }),
  };
};
