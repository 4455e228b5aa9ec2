import { MysqlBroker } from '@celers/broker-mysql';
import { createTask, defineTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnWorker, type WorkerProcess } from './support/worker-processes.js';

// The waiter and the worker are different processes with their own pools: no local settle can wake the
// waiter, so it must find the result by polling, with backoff (10 ms doubling to 500 ms), not a storm.
const HANDLER_MS = 1_500;
const add = defineTask<'math.add', { a: number; b: number }, number>('math.add');
const fail = defineTask('math.fail', { retries: 0 });

let tdb: TestDatabase;
let waiter: MysqlBroker;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  tdb = await createTestDatabase();
  waiter = await MysqlBroker.connect({ url: tdb.url, queue: 'wait-x', migrate: true });
  worker = spawnWorker(
    'sum-child',
    { CELERS_URL: tdb.url, CELERS_QUEUE: 'wait-x', HANDLER_MS: String(HANDLER_MS) },
    'sum-worker-process.ts',
  );
  await worker.ready;
}, 60_000);

afterAll(async () => {
  if (worker) {
    worker.child.kill('SIGTERM');
    await Promise.race([worker.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await killAll([worker]);
  }
  await waiter?.close();
  await tdb?.drop();
});

/** Counts the waiter's `results.wait` reads (one `operation:finished` event per read of the task's state). */
function countWaitReads(): { reads: () => number; stop: () => void } {
  let reads = 0;
  const listener = (e: { operation: string }) => {
    if (e.operation === 'results.wait') reads += 1;
  };
  waiter.on('operation:finished', listener);
  return { reads: () => reads, stop: () => waiter.off('operation:finished', listener) };
}

describe('waiting for a result settled by another process', () => {
  it('enqueueAndWait resolves with the result acked by the child, with a bounded number of reads', {
    timeout: 60_000,
  }, async () => {
    const counter = countWaitReads();
    const started = performance.now();
    const sum = await add.enqueueAndWait(waiter, { a: 20, b: 22 }, { timeoutMs: 30_000 });
    const elapsedMs = performance.now() - started;
    counter.stop();
    expect(sum).toBe(42);
    expect(elapsedMs).toBeGreaterThanOrEqual(HANDLER_MS);
    // 10+20+...+320 ms is 6 reads before the pause caps at 500 ms; then one read per 500 ms, plus the last.
    expect(counter.reads()).toBeLessThanOrEqual(7 + Math.ceil(elapsedMs / 500) + 1);
    expect(counter.reads()).toBeGreaterThanOrEqual(2);
  });

  it('results.wait on a task enqueued elsewhere rejects with TASK_FAILED when the child fails it', {
    timeout: 60_000,
  }, async () => {
    const id = await waiter.enqueue(createTask('math.fail', {}, { maxRetries: 0 }));
    await expect(waiter.results.wait(id, { timeoutMs: 30_000 })).rejects.toMatchObject({
      code: 'TASK_FAILED',
    });
    await expect(fail.enqueueAndWait(waiter, {}, { timeoutMs: 30_000 })).rejects.toMatchObject({
      code: 'TASK_FAILED',
    });
  });
});
