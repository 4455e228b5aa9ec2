// idempotency_keys: the same request enqueued twice creates one task (payments, notifications, webhooks).
import { createTask } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Enqueue with an idempotency key');
    const key = 'order-1001-charge';
    const first = await broker.idempotency.enqueue(
      createTask('payments.charge', { orderId: 1001, cents: 4999 }),
      key,
      { ttlMs: 3_600_000, metadata: { requestId: 'req-a' } },
    );
    const retry = await broker.idempotency.enqueue(
      createTask('payments.charge', { orderId: 1001, cents: 4999 }),
      key,
    );
    info(`first ${first}, client retry ${retry}`);
    check(first === retry, 'a retried request returned the same task id');
    check((await broker.queueSize()) === 1, 'only 1 task was enqueued');

    section('Concurrent duplicates (several API servers at once)');
    const racers = await Promise.all(
      Array.from({ length: 8 }, () =>
        broker.idempotency.enqueue(createTask('emails.receipt', { orderId: 1001 }), 'order-1001-receipt'),
      ),
    );
    check(new Set(racers).size === 1, '8 concurrent enqueues with one key produced 1 task');

    section('Records and statistics');
    const record = await broker.idempotency.get(key, 'payments.charge');
    info(
      `record ${JSON.stringify({ key: record?.key, taskId: record?.taskId, metadata: record?.metadata })}`,
    );
    check(record?.taskId === first, 'the key maps to its task until it expires');
    const stats = await broker.idempotency.statistics();
    check(stats.reduce((n, s) => n + s.activeKeys, 0) === 2, '2 active keys reported by statistics');

    section('Expiry');
    await broker.idempotency.enqueue(createTask('sms.send', {}), 'short-lived', { ttlMs: 1 });
    const deadline = Date.now() + 5_000;
    let removed = 0;
    while (removed === 0 && Date.now() < deadline) removed = await broker.idempotency.cleanupExpired();
    check(removed === 1, 'cleanupExpired removed the expired key');
  });
}
