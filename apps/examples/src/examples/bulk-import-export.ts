// bulk_import_export: back up tasks and the DLQ as JSON, restore them after data loss, stream large exports.
import { createTask, decodePayload } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Export');
    await broker.enqueueBatch(
      Array.from({ length: 25 }, (_, i) =>
        createTask('sync.customer', { customerId: i }, { priority: i % 3 }),
      ),
    );
    const failing = await broker.enqueue(createTask('sync.broken', {}, { maxRetries: 0, priority: 99 }));
    const msg = await broker.dequeue();
    await broker.reject(failing, msg!.receiptHandle, { error: 'upstream 500' });
    const json = await broker.transfer.exportTasks({ state: 'pending' });
    const doc = JSON.parse(json) as { count: number; tasks: unknown[] };
    info(`export document: ${json.length} bytes, format ${(JSON.parse(json) as { format: string }).format}`);
    check(doc.count === 25 && doc.tasks.length === 25, 'exported 25 pending tasks as JSON');
    const dlq = JSON.parse(await broker.transfer.exportDlq()) as {
      count: number;
      entries: Array<{ errorMessage: string }>;
    };
    check(
      dlq.count === 1 && dlq.entries[0]?.errorMessage === 'upstream 500',
      'exported the DLQ entry with its error',
    );

    section('Disaster: the queue is wiped. Restore from the backup');
    const wiped = await broker.maintenance.purgeAllTasks();
    check(
      wiped === 26 && (await broker.queueSize()) === 0,
      `purged all ${wiped} tasks (simulated data loss)`,
    );
    const imported = await broker.transfer.importTasks(json);
    check(imported === 25 && (await broker.queueSize()) === 25, 'restored 25 tasks in one transaction');
    const first = await broker.dequeue();
    check(
      decodePayload<{ customerId: number }>(first!.task).customerId >= 0,
      'restored payloads decode unchanged',
    );
    await broker.ack(first!.task.metadata.id, first!.receiptHandle);
    const again = await broker.transfer.importTasks(json, { skipExisting: true });
    check(again === 0, 'importing again with skipExisting adds nothing (ids are kept)');

    section('Streaming export for large queues');
    let lines = 0;
    for await (const _line of broker.transfer.exportTasksNdjson({ pageSize: 10 })) lines += 1;
    check(lines === 25, 'NDJSON stream yielded every task, 10 rows per query');
  });
}
