import { createTask } from '@celers/core';
import { describe, expect, it } from 'vitest';
import type { WorkerOptions } from '../src/index.js';
import { countsByState } from './support/task-counts.js';
import { collectEvents, gate, waitFor } from './support/wait-for.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('prefetch');

function countsByStateOf(queue: string): Promise<Record<string, number>> {
  return countsByState(fx.root.database, queue);
}

/**
 * 600 tasks for a worker of concurrency 1 whose handler blocks from task 300 on, once the first 300 (fast)
 * have taught it to prefetch. Resolves when task 300 holds the only slot and the worker holds at least
 * `minHeld` tasks (more than 1: tasks prefetched behind the stuck one).
 */
async function workerStuckBehindPrefetch(options: Partial<WorkerOptions>, minHeld = 1) {
  const broker = await fx.queue();
  const blocked = gate();
  const ran = new Set<number>();
  const worker = fx.worker({
    broker,
    concurrency: 1,
    prefetch: 100,
    ...options,
    handlers: {
      job: async (i: number) => {
        ran.add(i);
        if (i >= 300) await blocked.promise; // the slot is stuck from here on; the prefetch buffer is not
      },
    },
  });
  await broker.enqueueBatch(Array.from({ length: 600 }, (_, i) => createTask('job', i)));
  await worker.start();
  await waitFor(() => ran.has(300) && worker.heldTasks >= minHeld, {
    timeoutMs: 20_000,
    message: 'a blocked handler (with tasks prefetched behind it)',
  });
  return { broker, worker, ran, unblock: () => blocked.open() };
}

describe('Worker prefetch', () => {
  it('claims fast tasks in batches larger than its concurrency, each task completed exactly once', async () => {
    const broker = await fx.queue();
    const claimSizes: number[] = [];
    broker.on('task:dequeued', ({ taskIds }) => claimSizes.push(taskIds.length));
    const runs = new Map<number, number>();
    const worker = fx.worker({
      broker,
      concurrency: 2,
      batchSize: 100,
      prefetch: 50,
      handlers: { fast: (i: number) => void runs.set(i, (runs.get(i) ?? 0) + 1) },
    });
    const completed = collectEvents(worker, 'task:completed');
    await broker.enqueueBatch(Array.from({ length: 1_500 }, (_, i) => createTask('fast', i)));
    await worker.start();
    let maxHeld = 0;
    await waitFor(
      () => {
        maxHeld = Math.max(maxHeld, worker.heldTasks);
        return completed.length === 1_500;
      },
      { intervalMs: 1, timeoutMs: 60_000, message: '1500 completions' },
    );
    await worker.close();

    expect(Math.max(...claimSizes)).toBeGreaterThan(2); // the prefetch at work: more than the free slots
    expect(claimSizes.every((n) => n <= 100)).toBe(true); // never past batchSize
    // The lease bound: concurrency running + one ack batch (batchSize) awaiting its ack + prefetch.
    expect(maxHeld).toBeLessThanOrEqual(2 + 100 + 50);
    expect(runs.size).toBe(1_500);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(await countsByStateOf(broker.queueName)).toEqual({ completed: 1_500 });
  });

  it('prefetches nothing with prefetch 0: it claims only for free slots', async () => {
    const broker = await fx.queue();
    const claimSizes: number[] = [];
    broker.on('task:dequeued', ({ taskIds }) => claimSizes.push(taskIds.length));
    const worker = fx.worker({ broker, concurrency: 2, prefetch: 0, handlers: { fast: () => undefined } });
    const completed = collectEvents(worker, 'task:completed');
    await broker.enqueueBatch(Array.from({ length: 200 }, (_, i) => createTask('fast', i)));
    await worker.start();
    await waitFor(() => completed.length === 200, { message: '200 completions' });
    await worker.close();
    expect(Math.max(...claimSizes)).toBeLessThanOrEqual(2);
  });

  it('does not hoard slow tasks: a second worker gets its share', async () => {
    const broker = await fx.queue();
    const byWorker = new Map<string, number>();
    const slow = async () => new Promise((resolve) => setTimeout(resolve, 100)); // simulated work
    const a = fx.worker({ broker, concurrency: 1, handlers: { slow } });
    const b = fx.worker({ broker, concurrency: 1, handlers: { slow } });
    for (const w of [a, b])
      w.on('task:completed', () => byWorker.set(w.workerId, (byWorker.get(w.workerId) ?? 0) + 1));
    await broker.enqueueBatch(Array.from({ length: 8 }, (_, i) => createTask('slow', i)));
    await a.start();
    await b.start();
    await waitFor(() => (byWorker.get(a.workerId) ?? 0) + (byWorker.get(b.workerId) ?? 0) === 8, {
      timeoutMs: 10_000,
      message: '8 completions',
    });
    await Promise.all([a.close(), b.close()]);
    // At ~10 tasks/s the adaptive prefetch holds at most 1 extra task, so neither worker takes 7 or 8.
    expect(byWorker.get(a.workerId)).toBeGreaterThanOrEqual(2);
    expect(byWorker.get(b.workerId)).toBeGreaterThanOrEqual(2);
  });

  it('close() releases prefetched tasks at once: back to pending, none lost, none run', async () => {
    const { broker, worker, ran, unblock } = await workerStuckBehindPrefetch({ shutdownTimeoutMs: 50 }, 2);
    const held = worker.heldTasks;
    await worker.close();
    unblock();

    const counts = await countsByStateOf(broker.queueName);
    expect(held).toBeGreaterThan(1);
    expect(counts.processing ?? 0).toBe(0); // the prefetched and the aborted one were all released
    expect(counts.completed).toBe(ran.size - 1); // every task that ran completed, except the aborted one
    expect((counts.completed ?? 0) + (counts.pending ?? 0)).toBe(600);
  });

  it('gives prefetched tasks back while it runs when its slots stay busy past a third of the lease', async () => {
    // leaseMs 300: prefetched tasks older than 100 ms are returned.
    const { broker, worker, unblock } = await workerStuckBehindPrefetch({ leaseMs: 300 });
    // Without closing: only the running task stays claimed; everything prefetched behind it is pending again.
    const counts = await waitFor(
      async () => {
        const c = await countsByStateOf(broker.queueName);
        return worker.heldTasks === 1 && c.processing === 1 ? c : undefined;
      },
      { timeoutMs: 10_000, message: 'prefetched tasks returned to the queue' },
    );
    expect(counts.completed).toBe(300);
    expect(counts.pending).toBe(299);
    unblock();
    await worker.close();
  });
});
