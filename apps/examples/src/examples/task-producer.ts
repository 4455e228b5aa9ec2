// task_producer: the ways to enqueue: priorities, delays (after / at), batches, compression, metadata.
import { createTask, decodePayload } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Priorities: higher runs first');
    await broker.enqueue(createTask('jobs.low', { n: 1 }, { priority: 1 }));
    await broker.enqueue(createTask('jobs.high', { n: 2 }, { priority: 10 }));
    await broker.enqueue(createTask('jobs.mid', { n: 3 }, { priority: 5 }));
    const claimed = await broker.dequeueBatch(3);
    info(
      `claim order: ${claimed.map((m) => `${m.task.metadata.name}(${m.task.metadata.priority})`).join(', ')}`,
    );
    check(
      claimed.map((m) => m.task.metadata.name).join(',') === 'jobs.high,jobs.mid,jobs.low',
      'dequeued 3 tasks in priority order',
    );
    await broker.ackBatch(
      claimed.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
    );

    section('Delayed tasks are invisible until due');
    await broker.enqueueAfter(createTask('reminders.send', { in: '1h' }), 3_600_000);
    await broker.enqueueAt(createTask('reports.monthly', {}), new Date(Date.now() + 86_400_000));
    check((await broker.dequeue()) === null, 'nothing to claim while both tasks are delayed');
    const scheduled = await broker.tasks.listScheduled();
    info(
      scheduled.map((t) => `${t.taskName} due in ${Math.round(t.delayRemainingMs / 60_000)} min`).join('; '),
    );
    check(scheduled.length === 2, '2 scheduled tasks listed with their remaining delay');

    section('Batch enqueue: one transaction, multi-row INSERT');
    const ids = await broker.enqueueBatch(
      Array.from({ length: 50 }, (_, i) => createTask('images.thumbnail', { image: `photo-${i}.jpg` })),
    );
    check(
      ids.length === 50 && (await broker.tasks.countByState('pending')) === 52,
      'enqueued 50 tasks in one batch',
    );

    section('Compression and metadata');
    const big = {
      rows: Array.from({ length: 500 }, (_, i) => ({ id: i, note: 'the same text compresses well' })),
    };
    const task = createTask('imports.rows', big, { compression: 'auto', metadata: { tenant: 'acme' } });
    info(`payload ${task.payload.byteLength} bytes stored (${task.metadata.contentEncoding})`);
    check(task.metadata.contentEncoding === 'deflate', 'large payload DEFLATE-compressed automatically');
    const id = await broker.enqueue(task);
    const stored = await broker.tasks.get(id);
    check(stored?.metadata.tenant === 'acme', 'custom metadata stored with the task');
    await broker.cancelBatch(ids);
    const again = await broker.dequeue();
    check(
      decodePayload<typeof big>(again!.task).rows.length === 500,
      'compressed payload decodes to the original',
    );
    await broker.ack(again!.task.metadata.id, again!.receiptHandle);
  });
}
