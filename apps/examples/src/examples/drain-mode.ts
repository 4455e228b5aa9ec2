// drain_mode: stop accepting tasks while workers finish the backlog (deploys, maintenance windows).
import { MysqlBroker } from '@celers/broker-mysql';
import { CelersError, createTask } from '@celers/core';
import { check, cleanQueue, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    await broker.enqueueBatch(Array.from({ length: 5 }, (_, i) => createTask('video.encode', { clip: i })));

    section('Enable drain mode (persisted: every host sees it)');
    await broker.enableDrainMode();
    const otherHost = await MysqlBroker.connect({ url: ctx.url, queue: ctx.queue });
    try {
      check(await otherHost.isDrainMode(), 'another broker instance sees drain mode');
      const refused = await otherHost
        .enqueue(createTask('video.encode', { clip: 99 }))
        .catch((e: unknown) => e);
      check(
        CelersError.isInstance(refused) && refused.code === 'QUEUE_DRAINING',
        'new tasks are refused with QUEUE_DRAINING',
      );
    } finally {
      await otherHost.close();
    }

    section('Workers keep draining the backlog');
    let drained = 0;
    for (let msg = await broker.dequeue(); msg; msg = await broker.dequeue()) {
      await broker.ack(msg.task.metadata.id, msg.receiptHandle);
      drained += 1;
    }
    check(drained === 5 && (await broker.queueSize()) === 0, 'drained all 5 queued tasks while draining');
    info('safe to deploy: the queue is empty and accepts nothing new');

    section('Leave drain mode after the deploy');
    await broker.disableDrainMode();
    await broker.enqueue(createTask('video.encode', { clip: 6 }));
    check((await broker.queueSize()) === 1, 'enqueues accepted again');

    section('Multi-queue coordination');
    const queues = await Promise.all(['a', 'b'].map((suffix) => broker.forQueue(`${ctx.queue}_${suffix}`)));
    try {
      await Promise.all(queues.map((q) => q.enableDrainMode()));
      check(
        (await Promise.all(queues.map((q) => q.isDrainMode()))).every(Boolean),
        'drained 2 more queues together',
      );
      check(!(await broker.isDrainMode()), 'drain mode is per queue: the first queue is unaffected');
    } finally {
      for (const q of queues) {
        await cleanQueue(q);
        await q.close();
      }
    }
  });
}
