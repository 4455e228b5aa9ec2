// lifecycle_hooks: validate, enrich, log and count tasks at the broker's 8 lifecycle points.
import { CelersError, createTask } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Validation hook: reject tasks without a tenant');
    broker.hooks.add('beforeEnqueue', (hook) => {
      if (typeof hook.metadata.tenant !== 'string') throw new Error('tenant is required');
    });
    const refused = await broker.enqueue(createTask('reports.build', {})).catch((e: unknown) => e);
    check(
      CelersError.isInstance(refused) && refused.code === 'HOOK_REJECTED',
      'a task without tenant was refused with HOOK_REJECTED',
    );
    check((await broker.queueSize()) === 0, 'nothing was written');

    section('Enrichment hook: stamp metadata before it is stored');
    broker.hooks.add('beforeEnqueue', (hook) => {
      hook.metadata.enqueued_by = 'billing-api';
    });

    section('Logging and metrics hooks');
    const log: string[] = [];
    const counts: Record<string, number> = {};
    for (const point of ['afterEnqueue', 'afterDequeue', 'afterAck', 'afterReject'] as const) {
      broker.hooks.add(point, (hook) => {
        counts[point] = (counts[point] ?? 0) + 1;
        log.push(`${point} ${hook.taskName}`);
      });
    }
    const id = await broker.enqueue(
      createTask('reports.build', { month: 5 }, { metadata: { tenant: 'acme' } }),
    );
    check(
      (await broker.tasks.get(id))?.metadata.enqueued_by === 'billing-api',
      'enrichment hook added metadata.enqueued_by',
    );
    const msg = await broker.dequeue();
    await broker.ack(id, msg!.receiptHandle);
    const failing = await broker.enqueue(
      createTask('reports.flaky', {}, { maxRetries: 0, metadata: { tenant: 'acme' } }),
    );
    const msg2 = await broker.dequeue();
    await broker.reject(failing, msg2!.receiptHandle, { error: 'boom' });
    for (const line of log) info(line);
    check(
      counts.afterEnqueue === 2 &&
        counts.afterDequeue === 2 &&
        counts.afterAck === 1 &&
        counts.afterReject === 1,
      'hooks ran in order: 2 enqueues, 2 dequeues, 1 ack, 1 reject',
    );

    section('Several hooks on one point run in registration order');
    const order: number[] = [];
    const remove = [1, 2, 3].map((n) => broker.hooks.add('beforeAck', () => void order.push(n)));
    await broker.enqueue(createTask('reports.build', {}, { metadata: { tenant: 'acme' } }));
    const msg3 = await broker.dequeue();
    await broker.ack(msg3!.task.metadata.id, msg3!.receiptHandle);
    check(order.join(',') === '1,2,3', 'beforeAck hooks ran as 1, 2, 3');

    section('Removing and clearing hooks');
    for (const off of remove) off();
    check(broker.hooks.count('beforeAck') === 0, 'removed the 3 beforeAck hooks');
    broker.hooks.clear();
    check(broker.hooks.count() === 0, 'clear() removed every hook');
    await broker.enqueue(createTask('reports.build', {}));
    check((await broker.queueSize()) === 1, 'without the validation hook the tenant-less task is accepted');
  });
}
