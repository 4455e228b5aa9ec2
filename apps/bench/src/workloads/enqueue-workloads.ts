import { createTask } from '@celers/core';
import { BATCH_SIZE } from '../cli/bench-sizes.js';
import { rawEnqueueMany, rawEnqueueOne } from '../raw/raw-queue.sql.js';
import { evaluateWorkload } from '../report/targets.js';
import { interleavedRates } from './interleaved-rates.js';
import type { Workload } from './workload-context.js';

const WARMUP = 50;

/**
 * W1: `enqueue` of single jobs awaited one at a time, against one INSERT per job with mysql2. Both sides pay
 * one commit (one redo log flush at `innodb_flush_log_at_trx_commit = 1`) per job. Rounds alternate sides.
 */
export const singleEnqueueWorkload: Workload = async (ctx) => {
  const n = ctx.sizes.singleEnqueue;
  await ctx.reset();
  const conn = await ctx.bench.connect();
  const broker = await ctx.broker('w1');
  try {
    for (let i = 0; i < WARMUP; i++) {
      await rawEnqueueOne(conn, 'w1', { i });
      await broker.enqueue(createTask('bench.noop', { i }));
    }
    await ctx.reset();
    const rates = await interleavedRates(n, {
      raw: async (from, to) => {
        for (let i = from; i < to; i++) await rawEnqueueOne(conn, 'w1', { i });
      },
      celers: async (from, to) => {
        for (let i = from; i < to; i++) await broker.enqueue(createTask('bench.noop', { i }));
      },
    });
    ctx.log(
      `W1 single enqueue: celers ${rates.celers.toFixed(0)} jobs/s, raw ${rates.raw.toFixed(0)} jobs/s`,
    );
    return {
      W1: evaluateWorkload({
        celers: rates.celers,
        raw: rates.raw,
        unit: 'jobs/s',
        target: { kind: 'ratio-at-least', min: 0.9 },
        notes: `${n} jobs, one awaited call each, sides alternating in 5 rounds; celers = createTask + enqueue (one INSERT; the drain flag is cached per pool for 1 s)`,
      }),
    };
  } finally {
    await conn.end();
  }
};

/** W2: `enqueueBatch` of 500 against one multi-row INSERT of 500, in alternating rounds. */
export const batchEnqueueWorkload: Workload = async (ctx) => {
  const n = ctx.sizes.batchEnqueue;
  const batchJobs = (from: number, to: number, f: (i: number) => void) => {
    for (let i = from; i < to; i++) f(i);
  };
  await ctx.reset();
  const conn = await ctx.bench.connect();
  const broker = await ctx.broker('w2');
  try {
    await rawEnqueueMany(
      conn,
      'w2',
      Array.from({ length: BATCH_SIZE }, (_, i) => ({ i })),
    );
    await broker.enqueueBatch(Array.from({ length: BATCH_SIZE }, (_, i) => createTask('bench.noop', { i })));
    await ctx.reset();
    const rates = await interleavedRates(n, {
      raw: async (from, to) => {
        for (let b = from; b < to; b += BATCH_SIZE) {
          const payloads: unknown[] = [];
          batchJobs(b, Math.min(to, b + BATCH_SIZE), (i) => payloads.push({ i }));
          await rawEnqueueMany(conn, 'w2', payloads);
        }
      },
      celers: async (from, to) => {
        for (let b = from; b < to; b += BATCH_SIZE) {
          const tasks: ReturnType<typeof createTask>[] = [];
          batchJobs(b, Math.min(to, b + BATCH_SIZE), (i) => tasks.push(createTask('bench.noop', { i })));
          await broker.enqueueBatch(tasks);
        }
      },
    });
    ctx.log(`W2 batch enqueue: celers ${rates.celers.toFixed(0)} jobs/s, raw ${rates.raw.toFixed(0)} jobs/s`);
    return {
      W2: evaluateWorkload({
        celers: rates.celers,
        raw: rates.raw,
        unit: 'jobs/s',
        target: { kind: 'ratio-at-least', min: 0.8 },
        notes: `${n} jobs in batches of ${BATCH_SIZE}, sides alternating in 5 rounds; celers = createTask ×${BATCH_SIZE} + enqueueBatch (one multi-row INSERT, no explicit transaction; cached drain flag)`,
      }),
    };
  } finally {
    await conn.end();
  }
};
