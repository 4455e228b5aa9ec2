// advanced_queue_management: transactions, metadata queries, backpressure, TTL, batch state updates, date ranges.
import { CelersError, createTask } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Transactional enqueue: all or nothing');
    // lockRetries: this fn only writes through trx, so it may run again if a deadlock rolls it back.
    const ids = await broker.transaction(
      async (trx) => [
        await broker.enqueue(
          createTask('orders.reserve', { sku: 'A-1' }, { metadata: { tenant: 'acme', region: 'eu' } }),
          { transaction: trx },
        ),
        await broker.enqueue(
          createTask('orders.notify', { sku: 'A-1' }, { metadata: { tenant: 'acme', region: 'us' } }),
          { transaction: trx },
        ),
      ],
      { lockRetries: 3 },
    );
    const rolledBack = await broker
      .transaction(async (trx) => {
        await broker.enqueue(createTask('orders.reserve', { sku: 'B-2' }), { transaction: trx });
        throw new Error('payment declined');
      })
      .catch((e: Error) => e.message);
    info(`second transaction: ${rolledBack}`);
    check(
      ids.length === 2 && (await broker.queueSize()) === 2,
      'committed 2 tasks; the rolled-back one left no trace',
    );

    section('Query and update by metadata');
    const acme = await broker.tasks.queryByMetadata('$.tenant', 'acme');
    check(acme.length === 2, 'queryByMetadata($.tenant = acme) found 2 tasks');
    await broker.tasks.updateMetadata(ids[1]!, '$.region', 'apac');
    check(
      (await broker.tasks.queryByMetadata('$.region', 'apac')).length === 1,
      'updateMetadata moved one task to region apac',
    );

    section('Backpressure');
    check(await broker.capacity.hasCapacity(3), 'capacity available below a limit of 3');
    await broker.capacity.enqueueWithCapacity(createTask('imports.chunk', { n: 1 }), 3);
    const full = await broker.capacity
      .enqueueWithCapacity(createTask('imports.chunk', { n: 2 }), 3)
      .catch((e: unknown) => e);
    check(
      CelersError.isInstance(full) && full.code === 'QUEUE_FULL',
      'enqueueWithCapacity refused with QUEUE_FULL at 3 pending',
    );
    const rate = await broker.capacity.checkRateLimit('imports.chunk', 100);
    info(`rate limit: ${rate.current}/${rate.limit} per minute, allowed=${rate.allowed}`);
    check(rate.allowed && rate.current === 1, 'rate limit counts the tasks of one name in the last minute');
    info(`optimal dequeue batch for this backlog: ${await broker.capacity.getOptimalBatchSize(50)}`);

    section('Batch state updates and TTL');
    const changed = await broker.tasks.updateBatchState(ids, 'cancelled');
    check(changed === 2, 'updateBatchState cancelled 2 tasks in one statement');
    await broker.enqueue(createTask('cache.warm', {}));
    const deadline = Date.now() + 5_000;
    let expired = 0;
    while (expired === 0 && Date.now() < deadline)
      expired = await broker.maintenance.expirePending({ ttlMs: 1 });
    check(expired >= 1, 'expirePending expired pending tasks older than their TTL');

    section('Date range search');
    const lastHour = await broker.tasks.searchByDateRange({
      from: Date.now() - 3_600_000,
      to: Date.now() + 1_000,
    });
    info(
      `${lastHour.length} tasks created in the last hour: ${[...new Set(lastHour.map((t) => t.taskName))].join(', ')}`,
    );
    check(lastHour.length === 4, 'searchByDateRange found the 4 tasks created in the last hour');
  });
}
