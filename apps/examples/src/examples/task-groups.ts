// task_groups: enqueue related tasks as a group, follow its progress, run pipelines as chains.
import { TaskChain } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

function bar(percent: number): string {
  const filled = Math.round(percent / 10);
  return `[${'#'.repeat(filled)}${'.'.repeat(10 - filled)}] ${percent.toFixed(0)}%`;
}

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Batch document processing as a group');
    const docs = Array.from({ length: 10 }, (_, i) => createTask('docs.ocr', { page: i + 1 }));
    await broker.groups.enqueue('contract-42', docs, { metadata: { customer: 'acme', pages: 10 } });
    let status = await broker.groups.status('contract-42');
    check(status?.total === 10 && status.pending === 10, 'group of 10 tasks enqueued');

    section('Progress while workers process it');
    for (let round = 0; round < 2; round++) {
      for (const msg of await broker.dequeueBatch(5))
        await broker.ack(msg.task.metadata.id, msg.receiptHandle);
      status = await broker.groups.status('contract-42');
      info(`contract-42 ${bar(status!.completedPercent)} (${status!.completed}/${status!.total})`);
    }
    check(status!.completed === 10 && status!.completedPercent === 100, 'group reached 100% completed');
    check(status!.metadata?.customer === 'acme', 'group metadata kept for reporting');

    section('A data pipeline as a chain: extract → transform → load');
    const [extract, transform, load] = await broker.groups.enqueueChain(
      TaskChain.new()
        .then(createTask('etl.extract', { source: 's3://bucket/day.csv' }))
        .then(createTask('etl.transform', {}))
        .then(createTask('etl.load', { table: 'facts' })),
      { groupId: 'etl-2024-05-01' },
    );
    const order: string[] = [];
    for (let msg = await broker.dequeue(); msg; msg = await broker.dequeue()) {
      order.push(msg.task.metadata.name);
      await broker.ack(msg.task.metadata.id, msg.receiptHandle);
    }
    info(`ran: ${order.join(' → ')}`);
    check(
      order.join(',') === 'etl.extract,etl.transform,etl.load',
      'each link ran only after the previous one was acked',
    );
    check(
      [extract, transform, load].length === 3 &&
        (await broker.groups.status('etl-2024-05-01'))?.completed === 3,
      'the chain is tracked as a group',
    );

    section('Several groups at once, and cascade cancel');
    await broker.groups.enqueue('batch-a', [
      createTask('img.resize', { n: 1 }),
      createTask('img.resize', { n: 2 }),
    ]);
    const [root] = await broker.groups.enqueueChain(
      TaskChain.new().then(createTask('report.build', {})).then(createTask('report.mail', {})),
    );
    const cancelled = await broker.groups.cancelCascade(root!);
    check(cancelled === 2, 'cancelCascade cancelled a chain and its dependent link');
    const a = await broker.groups.status('batch-a');
    check(a?.pending === 2, 'other groups are unaffected');
  });
}
