// batch_results: store and read many results per round trip; ack and store results in one transaction.
import { createTask } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Ack a batch and store its results in one transaction');
    await broker.enqueueBatch(
      Array.from({ length: 100 }, (_, i) => createTask('nlp.sentiment', { text: `review ${i}` })),
    );
    const claimed = await broker.dequeueBatch(100);
    const acked = await broker.ackBatchWithResults(
      claimed.map((m, i) => ({
        taskId: m.task.metadata.id,
        receiptHandle: m.receiptHandle,
        result: { status: 'SUCCESS' as const, result: { score: (i % 10) / 10 }, runtimeMs: 3 },
      })),
    );
    check(acked.count === 100, 'acked 100 tasks and stored 100 results in one transaction');

    section('Read results in one query');
    const ids = claimed.map((m) => m.task.metadata.id);
    const results = await broker.results.getBatch(ids);
    check(
      results.length === 100 && results.every((r) => r.status === 'SUCCESS'),
      'getBatch returned 100 SUCCESS results',
    );
    info(`first: ${JSON.stringify(results[0]?.result)}, runtime ${results[0]?.runtimeMs} ms`);

    section('Store (or overwrite) results in bulk');
    const stored = await broker.results.storeBatch(
      ids.slice(0, 10).map((taskId) => ({
        taskId,
        taskName: 'nlp.sentiment',
        status: 'FAILURE' as const,
        error: 'model timeout',
        runtimeMs: 30_000,
      })),
    );
    check(stored === 10, 'storeBatch wrote 10 results');
    const updated = await broker.results.getBatch(ids.slice(0, 10));
    check(
      updated.every((r) => r.status === 'FAILURE' && r.error === 'model timeout'),
      'the 10 results were overwritten as FAILURE',
    );

    section('Large batches');
    const started = performance.now();
    const many = Array.from({ length: 1_000 }, (_, i) => ({
      taskId: crypto.randomUUID(),
      taskName: 'bulk.job',
      status: 'SUCCESS' as const,
      result: i,
    }));
    let written = 0;
    for (let i = 0; i < many.length; i += 500)
      written += await broker.results.storeBatch(many.slice(i, i + 500));
    info(`1,000 results in ${Math.round(performance.now() - started)} ms (2 batches of 500)`);
    check(written === 1_000, 'stored 1,000 results in 2 round trips');
  });
}
