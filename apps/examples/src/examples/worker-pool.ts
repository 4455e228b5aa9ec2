// worker_pool: a production worker: bounded concurrency, results, retries, heartbeats, graceful shutdown.
import { createTask } from '@celers/core';
import { Worker } from '@celers/worker';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Enqueue work');
    const ids = await broker.enqueueBatch(
      Array.from({ length: 20 }, (_, i) => createTask('math.square', { n: i })),
    );
    await broker.enqueue(createTask('math.divide', { a: 1, b: 0 }, { maxRetries: 0 }));

    section('Run a pool of 4');
    let running = 0;
    let peak = 0;
    const worker = new Worker({
      broker,
      concurrency: 4,
      storeResults: true,
      pollIntervalMs: 20,
      workerId: 'example-pool-1',
      handlers: {
        'math.square': async (payload) => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 10));
          running -= 1;
          return (payload as { n: number }).n ** 2;
        },
        'math.divide': async () => {
          throw new Error('division by zero');
        },
      },
    });
    let completed = 0;
    let failed = 0;
    const finished = new Promise<void>((resolve) => {
      const done = () => completed + failed === 21 && resolve();
      worker.on('task:completed', () => {
        completed += 1;
        done();
      });
      worker.on('task:failed', () => {
        failed += 1;
        done();
      });
    });
    await worker.start();
    await finished;
    info(`completed ${completed}, failed ${failed}, peak concurrency ${peak}`);
    check(completed === 20 && failed === 1, 'processed 20 tasks and dead-lettered the failing one');
    check(peak <= 4, 'never more than 4 handlers at once');

    section('Results, heartbeat, graceful shutdown');
    const result = await broker.results.get(ids[7]!);
    check(result?.status === 'SUCCESS' && result.result === 49, 'result of square(7) stored as SUCCESS 49');
    const beats = await broker.workers.heartbeats();
    check(
      beats.some((b) => b.workerId === 'example-pool-1' && b.status !== 'offline'),
      'worker registered and heartbeating',
    );
    await worker.close();
    const after = await broker.workers.heartbeats();
    check(
      after.find((b) => b.workerId === 'example-pool-1')?.status === 'offline',
      'graceful close marked the worker offline',
    );
    check((await broker.dlq.list()).length === 1, 'the failed task is in the DLQ');
  });
}
