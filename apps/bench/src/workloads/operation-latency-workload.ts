import { performance } from 'node:perf_hooks';
import type { MysqlBroker } from '@celers/broker-mysql';
import { type BrokerMessage, createTask } from '@celers/core';
import { warmupPool } from '@celers/schema';
import type { Connection } from 'mysql2/promise';
import { fillTasks } from '../celers/task-filler.js';
import { DRAIN_CONCURRENCY } from '../cli/bench-sizes.js';
import {
  RAW_TABLE,
  type RawJob,
  rawClaim,
  rawDelete,
  rawEnqueueMany,
  rawEnqueueOne,
} from '../raw/raw-queue.sql.js';
import type { WorkloadResult } from '../report/report-types.js';
import { evaluateWorkload } from '../report/targets.js';
import { summarizeLatencies } from '../stats/percentiles.js';
import { fillRaw } from './drain-workloads.js';
import type { Workload, WorkloadContext } from './workload-context.js';

/** Batch sizes of the seed's criterion batch benches. */
export const OPERATION_BATCH_SIZES = [10, 100, 1_000] as const;

/** Times `iterations` sequential calls of `op` (after 3 untimed warm-up calls) and returns the p50 in ms. */
export async function timeCalls(
  iterations: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ p50: number; mean: number }> {
  for (let i = 0; i < 3; i++) await op(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await op(i);
    samples.push(performance.now() - start);
  }
  const s = summarizeLatencies(samples);
  return { p50: s.p50, mean: s.mean };
}

type Timing = { p50: number; mean: number };

function line(celers: Timing, raw: Timing | null, notes: string): WorkloadResult {
  return evaluateWorkload({
    celers: celers.p50,
    raw: raw?.p50 ?? null,
    unit: 'ms',
    target: { kind: 'none' },
    notes: `p50 per call; mean celers ${celers.mean.toFixed(2)} ms${raw ? `, raw ${raw.mean.toFixed(2)} ms` : ''}; ${notes}`,
  });
}

/** A pool of claimed messages (celers) or jobs (raw) for the ack/reject timings. */
async function claimMany(broker: MysqlBroker, count: number): Promise<BrokerMessage[]> {
  const out: BrokerMessage[] = [];
  while (out.length < count) {
    const got = await broker.dequeueBatch(Math.min(1_000, count - out.length));
    if (got.length === 0) throw new Error(`only ${out.length} of ${count} tasks could be claimed`);
    out.push(...got);
  }
  return out;
}

async function singleOps(
  ctx: WorkloadContext,
  broker: MysqlBroker,
  conn: Connection,
  n: number,
): Promise<Record<string, WorkloadResult>> {
  const out: Record<string, WorkloadResult> = {};
  out['W7.enqueue'] = line(
    await timeCalls(n, (i) => broker.enqueue(createTask('bench.noop', { i }))),
    await timeCalls(n, (i) => rawEnqueueOne(conn, 'w7', { i })),
    'one task (raw: one INSERT)',
  );
  await fillTasks(broker.database, { queue: 'w7', count: n * 3, state: 'pending' });
  await fillRaw(ctx, 'w7', n * 3);
  const claimed: BrokerMessage[] = [];
  const rawClaimed: RawJob[] = [];
  out['W7.dequeue'] = line(
    await timeCalls(n, async () => claimed.push(...(await broker.dequeue().then((m) => (m ? [m] : []))))),
    await timeCalls(n, async () => rawClaimed.push(...(await rawClaim(conn, 'w7', 1)))),
    'claim one (raw: SELECT … FOR UPDATE SKIP LOCKED + UPDATE + COMMIT)',
  );
  const acks = claimed.slice();
  const rawAcks = rawClaimed.slice();
  out['W7.ack'] = line(
    await timeCalls(n, async () => {
      const m = acks.pop();
      if (m) await broker.ack(m.task.metadata.id, m.receiptHandle);
    }),
    await timeCalls(n, async () => {
      const j = rawAcks.pop();
      if (j) await rawDelete(conn, [j.id]);
    }),
    'ack one claimed task (raw: DELETE by id)',
  );
  const toReject = await claimMany(broker, n + 3);
  out['W7.reject'] = line(
    await timeCalls(n, async () => {
      const m = toReject.pop();
      if (m) await broker.reject(m.task.metadata.id, m.receiptHandle, { error: 'bench', delayMs: 0 });
    }),
    null,
    'reject with retry (no raw equivalent)',
  );
  return out;
}

async function batchOps(
  ctx: WorkloadContext,
  broker: MysqlBroker,
  conn: Connection,
  n: number,
): Promise<Record<string, WorkloadResult>> {
  const out: Record<string, WorkloadResult> = {};
  for (const size of OPERATION_BATCH_SIZES) {
    const iterations = Math.max(3, Math.round(n / (size / 10)));
    await ctx.reset();
    out[`W7.enqueueBatch.${size}`] = line(
      await timeCalls(iterations, () =>
        broker.enqueueBatch(Array.from({ length: size }, (_, i) => createTask('bench.noop', { i }))),
      ),
      await timeCalls(iterations, () =>
        rawEnqueueMany(
          conn,
          'w7',
          Array.from({ length: size }, (_, i) => ({ i })),
        ),
      ),
      `${size} tasks per call, ${iterations} calls (raw: multi-row INSERT)`,
    );
    // Enough pending rows for every dequeueBatch call of this size (plus warm-ups).
    const claimed: BrokerMessage[][] = [];
    const rawClaimed: RawJob[][] = [];
    out[`W7.dequeueBatch.${size}`] = line(
      await timeCalls(iterations, async () => claimed.push(await broker.dequeueBatch(size))),
      await timeCalls(iterations, async () => rawClaimed.push(await rawClaim(conn, 'w7', size))),
      `claim ${size} per call (raw: SELECT … SKIP LOCKED + UPDATE)`,
    );
    out[`W7.ackBatch.${size}`] = line(
      await timeCalls(iterations, async () => {
        const batch = claimed.pop() ?? [];
        await broker.ackBatch(
          batch.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
        );
      }),
      await timeCalls(iterations, async () => {
        const batch = rawClaimed.pop() ?? [];
        await rawDelete(
          conn,
          batch.map((j) => j.id),
        );
      }),
      `ack ${size} per call (raw: DELETE … WHERE id IN)`,
    );
  }
  return out;
}

/**
 * The seed's connection pool warmup. `MysqlBroker.connect` already opens one connection (migration check,
 * server profile), so the cold cost shows when a worker starts with concurrency: the first 10 concurrent
 * calls on a fresh pool open 9 more connections (TCP, handshake, time zone and isolation statements); after
 * `warmupPool(db, 10)` they do not.
 */
async function firstCallLatency(ctx: WorkloadContext): Promise<WorkloadResult> {
  const time = async (warm: boolean) => {
    const broker = await ctx.broker('w7', { warmup: false });
    if (warm) await warmupPool(broker.database, DRAIN_CONCURRENCY);
    const start = performance.now();
    await Promise.all(Array.from({ length: DRAIN_CONCURRENCY }, () => broker.queueSize()));
    const ms = performance.now() - start;
    await broker.close();
    return ms;
  };
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    cold.push(await time(false));
    warm.push(await time(true));
  }
  const p50 = (xs: number[]) => summarizeLatencies(xs).p50;
  return evaluateWorkload({
    celers: p50(cold),
    raw: p50(warm),
    baseline: 'after warmupPool',
    unit: 'ms',
    target: { kind: 'none' },
    notes: `first ${DRAIN_CONCURRENCY} concurrent queueSize() calls on a new broker pool, cold vs after warmupPool(db, ${DRAIN_CONCURRENCY}); p50 of 5 pools each`,
  });
}

/**
 * W7: per-operation latency of the seed's criterion set (enqueue, dequeue, ack, reject, batches of 10/100/1000,
 * queue size, statistics), celers through its public API with the raw equivalent where one exists. Informational:
 * no targets, the throughput workloads carry those.
 */
export const operationLatencyWorkload: Workload = async (ctx) => {
  const n = ctx.sizes.opIterations;
  await ctx.reset();
  const broker = await ctx.broker('w7');
  const conn = await ctx.bench.connect();
  try {
    const out = { ...(await singleOps(ctx, broker, conn, n)), ...(await batchOps(ctx, broker, conn, n)) };
    // Queue size and statistics over a queue of realistic depth (10k pending at scale 1).
    const depth = n * 50;
    await fillTasks(broker.database, { queue: 'w7', count: depth, state: 'pending' });
    await fillRaw(ctx, 'w7', depth);
    out['W7.queueSize'] = line(
      await timeCalls(n, () => broker.queueSize()),
      await timeCalls(n, () =>
        conn.query(`SELECT COUNT(*) AS n FROM ${RAW_TABLE} WHERE queue = 'w7' AND state = 'pending'`),
      ),
      `pending count with ~${depth} pending (raw: COUNT(*) on the claim index prefix)`,
    );
    out['W7.statistics'] = line(
      await timeCalls(Math.max(5, Math.round(n / 4)), () => broker.tasks.statistics()),
      await timeCalls(Math.max(5, Math.round(n / 4)), () =>
        conn.query(`SELECT state, COUNT(*) AS n FROM ${RAW_TABLE} WHERE queue = 'w7' GROUP BY state`),
      ),
      `broker.tasks.statistics() with ~${depth} tasks (raw: COUNT(*) GROUP BY state)`,
    );
    out['W7.firstCall'] = await firstCallLatency(ctx);
    ctx.log(`W7: ${Object.keys(out).length} operations timed`);
    return out;
  } finally {
    await conn.end();
  }
};
