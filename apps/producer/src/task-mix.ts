import { type MysqlBroker, TaskChain } from '@celers/broker-mysql';
import { createTask } from '@celers/core';

/** Task names the demo produces; the demo worker has a handler for each. */
export const DemoTask = {
  SendEmail: 'emails.send',
  GenerateReport: 'reports.generate',
  ResizeImage: 'images.resize',
  ValidateOrder: 'orders.validate',
  ChargeOrder: 'orders.charge',
  ShipOrder: 'orders.ship',
  /** Always throws: with one retry it ends in the DLQ, so the demo shows dead-lettering. */
  FlakyPayment: 'payments.flaky',
  /** Enqueued by the recurring schedule. */
  QueueReport: 'ops.queue-report',
} as const;

/** What one round enqueued, for the log line. */
export interface RoundSummary {
  round: number;
  enqueued: number;
}

/**
 * Enqueues one round of a realistic mix: urgent emails (priority 5), a report due in 2 s, a group of image
 * resizes, an order chain (validate → charge → ship), and every fifth round a payment that always fails.
 */
export async function produceRound(broker: MysqlBroker, round: number): Promise<RoundSummary> {
  const ids: string[] = [];
  ids.push(
    await broker.enqueue(createTask(DemoTask.SendEmail, { to: `user${round}@example.com` }, { priority: 5 })),
  );
  ids.push(await broker.enqueueAfter(createTask(DemoTask.GenerateReport, { round }), 2_000));
  const images = [1, 2, 3].map((n) =>
    createTask(DemoTask.ResizeImage, { image: `img-${round}-${n}.png`, width: 320 }),
  );
  ids.push(...(await broker.groups.enqueue(`album-${round}`, images, { metadata: { round } })));
  const order = { orderId: `order-${round}` };
  const chain = TaskChain.new()
    .then(createTask(DemoTask.ValidateOrder, order))
    .then(createTask(DemoTask.ChargeOrder, order))
    .then(createTask(DemoTask.ShipOrder, order));
  ids.push(...(await broker.groups.enqueueChain(chain)));
  if (round % 5 === 0) {
    const flaky = createTask(
      DemoTask.FlakyPayment,
      { round },
      { maxRetries: 1, retryPolicy: { kind: 'fixed', delayMs: 200 } },
    );
    ids.push(await broker.enqueue(flaky));
  }
  return { round, enqueued: ids.length };
}

/** Registers (or updates: the name is unique per queue) the recurring queue report, every 10 s. */
export function registerRecurringReport(broker: MysqlBroker): Promise<string> {
  return broker.schedules.register({
    name: 'queue-report',
    taskName: DemoTask.QueueReport,
    payload: { source: 'demo-producer' },
    schedule: { kind: 'every', seconds: 10 },
  });
}
