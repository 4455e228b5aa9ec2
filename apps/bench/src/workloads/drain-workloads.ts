import type { MysqlBroker } from '@celers/broker-mysql';
import { fillTasks } from '../celers/task-filler.js';
import { CLAIM_BATCH, DRAIN_CONCURRENCY, TUNED_RAW_CLAIM_BATCH } from '../cli/bench-sizes.js';
import { rawEnqueueMany } from '../raw/raw-queue.sql.js';
import type { WorkloadResult } from '../report/report-types.js';
import { evaluateWorkload, type Target } from '../report/targets.js';
import type { ConsumerRun } from './consumer-types.js';
import { capNote, type DrainMeasurement, describeCounters, measureDrain } from './drain-measure.js';
import { noopHandler, type Workload, type WorkloadContext } from './workload-context.js';

/** Fills the raw table with `count` pending jobs for `queue` (multi-row INSERTs of 2,000; not timed). */
export async function fillRaw(ctx: WorkloadContext, queue: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += 2_000) {
    const n = Math.min(2_000, count - done);
    await rawEnqueueMany(
      ctx.bench.admin,
      queue,
      Array.from({ length: n }, (_, i) => ({ i: done + i })),
    );
  }
}

/**
 * Checks the drain really settled every job (a broken ack would otherwise look fast): kept tasks are counted as
 * completed rows; tasks not kept must have left the live table.
 */
async function assertCelersDrained(
  ctx: WorkloadContext,
  queue: string,
  count: number,
  drained: { results: boolean; kept: boolean },
): Promise<void> {
  const [rows] = await ctx.bench.admin.query(
    `SELECT
       (SELECT COUNT(*) FROM celers_tasks WHERE queue_name = ? AND state = 'completed') AS completed,
       (SELECT COUNT(*) FROM celers_live_tasks WHERE queue_name = ?) AS live,
       (SELECT COUNT(*) FROM celers_task_results WHERE queue_name = ?) AS results`,
    [queue, queue, queue],
  );
  const r = (rows as Array<{ completed: number; live: number; results: number }>)[0];
  const settled = drained.kept ? Number(r?.completed) : ctx.sizes.drain - Number(r?.live);
  if (!r || settled < count) throw new Error(`drain of ${queue}: only ${settled} of ${count} tasks settled`);
  if (drained.results && Number(r.results) < count)
    throw new Error(`drain of ${queue}: only ${r.results} of ${count} results stored`);
}

interface CelersDrainCase {
  id: string;
  queue: string;
  storeResults: boolean;
  /** The broker's `keepCompleted`: false deletes acked tasks, as the raw baseline does. */
  keepCompleted: boolean;
  target: Target;
  consumer: string;
  start: (ctx: WorkloadContext, broker: MysqlBroker, storeResults: boolean) => Promise<ConsumerRun>;
}

const CASES: CelersDrainCase[] = [
  {
    id: 'W3',
    queue: 'w3',
    storeResults: false,
    keepCompleted: false,
    target: { kind: 'ratio-at-least', min: 1.5 },
    consumer: `Worker, concurrency ${DRAIN_CONCURRENCY}`,
    start: (ctx, broker, storeResults) =>
      ctx.startCelersConsumer(broker, { storeResults, handler: noopHandler }),
  },
  {
    id: 'W3r',
    queue: 'w3r',
    storeResults: true,
    keepCompleted: false,
    target: { kind: 'ratio-at-least', min: 1.0 },
    consumer: `Worker, concurrency ${DRAIN_CONCURRENCY}`,
    start: (ctx, broker, storeResults) =>
      ctx.startCelersConsumer(broker, { storeResults, handler: noopHandler }),
  },
  {
    id: 'W3k',
    queue: 'w3k',
    storeResults: false,
    keepCompleted: true,
    target: { kind: 'none' },
    consumer: `Worker, concurrency ${DRAIN_CONCURRENCY}, keepCompleted (history kept)`,
    start: (ctx, broker, storeResults) =>
      ctx.startCelersConsumer(broker, { storeResults, handler: noopHandler }),
  },
  {
    id: 'W3c',
    queue: 'w3c',
    storeResults: false,
    keepCompleted: false,
    target: { kind: 'none' },
    consumer: `Worker, concurrency ${DRAIN_CONCURRENCY}, claimConnections 2`,
    start: (ctx, broker, storeResults) =>
      ctx.startCelersConsumer(broker, { storeResults, handler: noopHandler, claimConnections: 2 }),
  },
  {
    id: 'W3b',
    queue: 'w3b',
    storeResults: false,
    keepCompleted: false,
    target: { kind: 'none' },
    consumer: `${DRAIN_CONCURRENCY} broker-level loops × dequeueBatch(${CLAIM_BATCH}) + ackBatch (the raw baseline's shape)`,
    start: (ctx, broker, storeResults) =>
      ctx.startBrokerLoops(broker, { storeResults, handler: noopHandler }),
  },
];

/**
 * W3, W3r and W3b: drain N pending jobs with concurrency 10 and a no-op handler, against the raw baseline's 10
 * loops (claim 50 with SKIP LOCKED + UPDATE, handler, DELETE). W3 acks through the Worker without results,
 * W3r stores them, W3b drives the broker directly in the raw baseline's shape. The raw baseline drains once
 * before and once after the celers cases and counts as the mean of the two, so drift of a noisy machine
 * during the workload lands on both sides (both raw rates are in the notes).
 */
export const drainWorkload: Workload = async (ctx) => {
  const n = ctx.sizes.drain;
  const rawDrain = async (label: string, claimBatch: number) => {
    await ctx.reset();
    await fillRaw(ctx, 'w3', n);
    const raw = await measureDrain(ctx, () => ctx.startRawConsumer('w3', noopHandler, claimBatch), n);
    ctx.log(`W3 raw drain claim ${claimBatch} (${label}): ${raw.rate.toFixed(0)} jobs/s`);
    return raw;
  };
  const rawBefore = await rawDrain('before', CLAIM_BATCH);
  const tunedBefore = await rawDrain('before', TUNED_RAW_CLAIM_BATCH);
  ctx.note(`**W3 raw baseline** ${describeCounters('raw', rawBefore.perJob)}.`);
  const measured: Array<{ c: CelersDrainCase; celers: DrainMeasurement }> = [];
  for (const c of CASES) {
    await ctx.reset();
    const broker = await ctx.broker(c.queue, { keepCompleted: c.keepCompleted });
    await fillTasks(broker.database, { queue: c.queue, count: n, state: 'pending' });
    const celers: DrainMeasurement = await measureDrain(ctx, () => c.start(ctx, broker, c.storeResults), n);
    await assertCelersDrained(ctx, c.queue, celers.processed, {
      results: c.storeResults,
      kept: c.keepCompleted,
    });
    ctx.log(`${c.id} celers drain: ${celers.rate.toFixed(0)} jobs/s`);
    ctx.note(`**${c.id}** ${describeCounters('celers', celers.perJob)}.`);
    measured.push({ c, celers });
  }
  const rawAfter = await rawDrain('after', CLAIM_BATCH);
  const tunedAfter = await rawDrain('after', TUNED_RAW_CLAIM_BATCH);
  // The ratio is against the better raw shape of this run, so a celers win cannot come from a weak baseline.
  const plainRate = (rawBefore.rate + rawAfter.rate) / 2;
  const tunedRate = (tunedBefore.rate + tunedAfter.rate) / 2;
  const rawRate = Math.max(plainRate, tunedRate);
  const rawNote = `raw${capNote(rawBefore, n, ctx.drainCapMs)}: the better of ${DRAIN_CONCURRENCY} loops × claim ${CLAIM_BATCH} (${plainRate.toFixed(0)} jobs/s, mean of ${rawBefore.rate.toFixed(0)} before and ${rawAfter.rate.toFixed(0)} after the celers cases) and × claim ${TUNED_RAW_CLAIM_BATCH} (${tunedRate.toFixed(0)} jobs/s, ${tunedBefore.rate.toFixed(0)} / ${tunedAfter.rate.toFixed(0)}); raw deletes finished rows (so does celers here, keepCompleted: false, except W3k)`;
  const lines: Record<string, WorkloadResult> = {};
  for (const { c, celers } of measured) {
    lines[c.id] = evaluateWorkload({
      celers: celers.rate,
      raw: rawRate,
      unit: 'jobs/s',
      target: c.target,
      notes: `${n} pending${capNote(celers, n, ctx.drainCapMs)}, ${c.consumer}, no-op handler, results ${c.storeResults ? 'stored' : 'off'}; ${rawNote}`,
    });
  }
  return lines;
};
