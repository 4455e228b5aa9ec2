// basic_usage: connect, enqueue, claim, acknowledge, inspect. The smallest complete round trip.
import { createTask, decodePayload } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Enqueue');
    const id = await broker.enqueue(createTask('emails.send', { to: 'ana@example.com', subject: 'Welcome' }));
    info(`task id ${id}`);
    check((await broker.queueSize()) === 1, 'enqueued 1 task (queue size 1)');

    section('Dequeue and ack');
    const msg = await broker.dequeue({ workerId: 'example-worker' });
    check(msg?.task.metadata.id === id, 'dequeued the task under a lease with a receipt handle');
    const payload = decodePayload<{ to: string }>(msg!.task);
    info(`payload ${JSON.stringify(payload)}`);
    check(payload.to === 'ana@example.com', 'payload decoded as sent');
    await broker.ack(id, msg!.receiptHandle);

    section('Inspect');
    const info1 = await broker.tasks.get(id);
    check(info1?.state === 'completed', 'task is completed after ack');
    const stats = await broker.tasks.statistics();
    info(`statistics ${JSON.stringify(stats)}`);
    check(stats.completed === 1 && stats.pending === 0, 'statistics: 1 completed, 0 pending');
  });
}
