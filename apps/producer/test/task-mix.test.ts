import { MysqlBroker } from '@celers/broker-mysql';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoTask, produceRound, registerRecurringReport } from '../src/task-mix.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'demo', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('demo producer task mix', () => {
  it('enqueues priorities, a delayed report, a group, an order chain and (every fifth round) a failing payment', async () => {
    const summary = await produceRound(broker, 5);
    expect(summary).toEqual({ round: 5, enqueued: 9 });
    const rows = (
      await broker.database
        .selectFrom('celers_tasks')
        .select([
          'task_name',
          'priority',
          'group_id',
          'parent_task_id',
          'max_retries',
          'created_at',
          'scheduled_at',
        ])
        .where('queue_name', '=', 'demo')
        .execute()
    ).map(({ created_at, scheduled_at, ...row }) => ({
      ...row,
      // Due later than it was created (both from the database clock): delayed or a waiting chain link.
      delayed: scheduled_at.getTime() - created_at.getTime() > 1_000 ? 1 : 0,
    }));
    const byName = (name: string) => rows.filter((r) => r.task_name === name);
    expect(byName(DemoTask.SendEmail)).toEqual([expect.objectContaining({ priority: 5 })]);
    expect(byName(DemoTask.GenerateReport)).toEqual([expect.objectContaining({ delayed: 1 })]);
    expect(byName(DemoTask.ResizeImage).map((r) => r.group_id)).toEqual(['album-5', 'album-5', 'album-5']);
    // Chain: validate is due now; charge and ship wait for their parent's ack.
    expect(byName(DemoTask.ValidateOrder)).toEqual([
      expect.objectContaining({ delayed: 0, parent_task_id: null }),
    ]);
    expect(byName(DemoTask.ChargeOrder)).toEqual([expect.objectContaining({ delayed: 1 })]);
    expect(byName(DemoTask.ShipOrder)[0]?.parent_task_id).not.toBeNull();
    expect(byName(DemoTask.FlakyPayment)).toEqual([expect.objectContaining({ max_retries: 1 })]);
    expect((await produceRound(broker, 6)).enqueued).toBe(8); // no failing payment off the fifth round
  });

  it('registers the recurring report once, however often the producer starts', async () => {
    const first = await registerRecurringReport(broker);
    const second = await registerRecurringReport(broker);
    expect(second).toBe(first);
    const schedules = await broker.schedules.list();
    expect(schedules.map((s) => s.taskName)).toEqual([DemoTask.QueueReport]);
  });
});
