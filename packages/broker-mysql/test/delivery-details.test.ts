import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { pollUntil, taskRow, tasksFingerprint } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

async function freshQueue(): Promise<MysqlBroker> {
  const b = await root.forQueue(`delivery-${++n}`);
  opened.push(b);
  return b;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'delivery-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('deliveryCount', () => {
  it('counts every claim: claim → release → claim shows 1 then 2, on the message, the row and task info', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('count.me', {}));
    expect((await b.tasks.get(id))?.deliveryCount).toBe(0);
    const first = await b.dequeue();
    expect(first).toMatchObject({ deliveryCount: 1, retryCount: 0 });
    expect(await b.release(id, first!.receiptHandle)).toBe(true);
    expect((await taskRow(b.database, id))?.delivery_count).toBe(1); // a release keeps the count
    const second = await b.dequeue();
    expect(second).toMatchObject({ deliveryCount: 2, retryCount: 0 });
    expect(await b.tasks.get(id)).toMatchObject({ deliveryCount: 2, retryCount: 0 });
  });

  it('a lease that lapses and is recovered, then reclaimed, shows 2', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('lapse', {}));
    expect((await b.dequeue({ leaseMs: 100, workerId: 'w-lost' }))?.deliveryCount).toBe(1);
    await pollUntil(async () => (await b.recoverTimedOutTasks()) === 1, 10_000);
    expect(await taskRow(b.database, id)).toMatchObject({
      state: 'pending',
      delivery_count: 1,
      retry_count: 0,
    });
    const again = await b.dequeue({ workerId: 'w-new' });
    expect(again).toMatchObject({ deliveryCount: 2, retryCount: 0 });
    expect(again!.deliveryCount).toBeGreaterThan(again!.retryCount + 1); // a redelivery
  });

  it('a retried task counts each attempt once, and a batch claim counts each task', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('flaky', {}, { maxRetries: 3 }));
    const other = await b.enqueue(createTask('steady', {}));
    const batch = await b.dequeueBatch(10);
    expect(batch.map((m) => [m.task.metadata.id, m.deliveryCount]).sort()).toEqual(
      [
        [id, 1],
        [other, 1],
      ].sort(),
    );
    const flaky = batch.find((m) => m.task.metadata.id === id)!;
    expect(await b.reject(id, flaky.receiptHandle, { error: 'boom', delayMs: 0 })).toMatchObject({
      outcome: 'retried',
      retryCount: 1,
    });
    const retry = await b.dequeue();
    expect(retry).toMatchObject({ deliveryCount: 2, retryCount: 1 }); // attempt 2, delivery 2: no redelivery
    expect((await taskRow(b.database, other))?.delivery_count).toBe(1);
  });

  it('export and import carry it; an export without it imports as 0', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('moved', {}));
    const m = await b.dequeue();
    await b.release(id, m!.receiptHandle);
    const json = await b.transfer.exportTasks();
    const doc = JSON.parse(json) as { tasks: Array<Record<string, unknown>> };
    expect(doc.tasks[0]).toMatchObject({ id, deliveryCount: 1 });

    expect(await b.maintenance.purgeByState('pending')).toBe(1); // ids are unique across queues
    const target = await freshQueue();
    expect(await target.transfer.importTasks(json)).toBe(1);
    expect((await target.tasks.get(id))?.deliveryCount).toBe(1);
    expect((await target.dequeue())?.deliveryCount).toBe(2);

    const legacy = await freshQueue();
    const { deliveryCount: _, ...older } = doc.tasks[0]!;
    expect(await legacy.transfer.importTasks(JSON.stringify([{ ...older, id: crypto.randomUUID() }]))).toBe(
      1,
    );
    expect((await legacy.tasks.list())[0]?.deliveryCount).toBe(0);
    await expect(
      legacy.transfer.importTasks(
        JSON.stringify([{ ...doc.tasks[0], id: crypto.randomUUID(), deliveryCount: -1 }]),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'json[0].deliveryCount' });
  });
});

describe('claims by task name', () => {
  it('claims only the named tasks, in priority/FIFO order, and leaves the others pending', async () => {
    const b = await freshQueue();
    const a1 = await b.enqueue(createTask('a', 1));
    const b1 = await b.enqueue(createTask('b', 1));
    const c1 = await b.enqueue(createTask('c', 1, { priority: 9 }));
    const a2 = await b.enqueue(createTask('a', 2, { priority: 5 }));
    const b2 = await b.enqueue(createTask('b', 2));

    const ab = await b.dequeueBatch(10, { taskNames: ['b', 'a', 'a'] });
    expect(ab.map((m) => m.task.metadata.id)).toEqual([a2, a1, b1, b2]);
    expect(await b.dequeueBatch(10, { taskNames: ['a', 'b'] })).toEqual([]);
    expect(await b.dequeue({ taskNames: ['nobody'] })).toBeNull();
    expect(await taskRow(b.database, c1)).toMatchObject({ state: 'pending', delivery_count: 0 });
    expect((await b.dequeue())?.task.metadata.id).toBe(c1); // an unfiltered claim takes anything
  });

  it('a single-name claim (its own index) keeps priority, due time and FIFO order, and skips delayed tasks', async () => {
    const b = await freshQueue();
    const first = await b.enqueue(createTask('one', 1));
    await b.enqueue(createTask('two', 1, { priority: 9 }));
    const urgent = await b.enqueue(createTask('one', 2, { priority: 5 }));
    await b.enqueueAfter(createTask('one', 3, { priority: 9 }), 60_000);
    const last = await b.enqueue(createTask('one', 4));
    const claimed = await b.dequeueBatch(2, { taskNames: ['one'] });
    expect(claimed.map((m) => m.task.metadata.id)).toEqual([urgent, first]);
    expect((await b.dequeueBatch(10, { taskNames: ['one'] })).map((m) => m.task.metadata.id)).toEqual([last]);
    expect(await b.tasks.statistics()).toMatchObject({ pending: 2, scheduled: 1, processing: 3 });
  });

  it('an idle filtered poll still finds a named task that arrives later', async () => {
    const b = await freshQueue();
    await b.enqueue(createTask('unhandled', {}));
    expect(await b.dequeueBatch(5, { taskNames: ['wanted'] })).toEqual([]);
    expect(await b.dequeueBatch(5, { taskNames: ['wanted'] })).toEqual([]); // the cheap peek, with the filter
    const id = await b.enqueue(createTask('wanted', {}));
    expect((await b.dequeueBatch(5, { taskNames: ['wanted'] })).map((m) => m.task.metadata.id)).toEqual([id]);
    expect(await b.tasks.statistics()).toMatchObject({ pending: 1, processing: 1 });
  });

  it('rejects bad taskNames with INVALID_ARGUMENT naming them, claiming nothing', async () => {
    const b = await freshQueue();
    await b.enqueue(createTask('a', 1));
    const before = await tasksFingerprint(b.database);
    const bad: unknown[] = ['a', [], [''], ['a', 7], Array.from({ length: 1001 }, (_, i) => `t${i}`)];
    const args = ['options.taskNames', 'options.taskNames', 'options.taskNames[0]', 'options.taskNames[1]'];
    for (const [i, taskNames] of bad.entries()) {
      await expect(b.dequeueBatch(1, { taskNames } as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument: args[i] ?? 'options.taskNames',
      });
    }
    expect(await tasksFingerprint(b.database)).toBe(before);
  });
});

describe('statistics partition', () => {
  async function deadLetter(b: MysqlBroker, name: string): Promise<string> {
    const id = await b.enqueue(createTask(name, {}, { maxRetries: 0 }));
    const m = await b.dequeue({ taskNames: [name] });
    expect((await b.reject(id, m!.receiptHandle, { error: 'no more' })).outcome).toBe('dead-lettered');
    return id;
  }

  const sumOfStates = (s: Awaited<ReturnType<MysqlBroker['tasks']['statistics']>>) =>
    s.pending + s.processing + s.completed + s.failed + s.cancelled + s.deadLettered;

  it('counts a dead-lettered task once, as deadLettered, and the states sum to total', async () => {
    const b = await freshQueue();
    await deadLetter(b, 'doomed');
    const failedId = await b.enqueue(createTask('failed.plain', {}));
    const f = await b.dequeue({ taskNames: ['failed.plain'] });
    expect((await b.reject(failedId, f!.receiptHandle, { requeue: false })).outcome).toBe('failed');
    const doneId = await b.enqueue(createTask('done', {}));
    const d = await b.dequeue({ taskNames: ['done'] });
    await b.ack(doneId, d!.receiptHandle);
    await b.cancel(await b.enqueue(createTask('cancelled', {})));
    await b.dequeue({ taskNames: ['running'] }); // nothing of that name yet
    await b.enqueue(createTask('running', {}));
    await b.dequeue({ taskNames: ['running'] });
    await b.enqueueAfter(createTask('later', {}), 60_000);
    await b.enqueue(createTask('now', {}));

    const s = await b.tasks.statistics();
    expect(s).toEqual({
      pending: 2,
      processing: 1,
      completed: 1,
      failed: 1,
      cancelled: 1,
      deadLettered: 1,
      dlq: 1,
      scheduled: 1,
      total: 7,
    });
    expect(sumOfStates(s)).toBe(s.total);
  });

  it('keeps the partition when the failed row is purged, the entry requeued, or the task set back to pending', async () => {
    const b = await freshQueue();
    await deadLetter(b, 'purged.row');
    expect(await b.maintenance.purgeFailed()).toBe(1); // the DLQ entry outlives its task row
    let s = await b.tasks.statistics();
    expect(s).toMatchObject({ failed: 0, deadLettered: 1, dlq: 1, total: 1 });
    expect(sumOfStates(s)).toBe(s.total);

    const requeuedId = await deadLetter(b, 'requeued');
    const entry = (await b.dlq.list()).find((e) => e.taskId === requeuedId)!;
    await b.dlq.requeue(entry.id); // a new pending task; the old row stays failed
    s = await b.tasks.statistics();
    expect(s).toMatchObject({ pending: 1, failed: 1, deadLettered: 1, dlq: 1, total: 3 });
    expect(sumOfStates(s)).toBe(s.total);

    const revivedId = await deadLetter(b, 'revived');
    expect(await b.tasks.updateBatchState([revivedId], 'pending')).toBe(1); // its DLQ entry stays
    s = await b.tasks.statistics();
    expect(s).toMatchObject({ pending: 2, failed: 1, deadLettered: 1, dlq: 2, total: 4 });
    expect(sumOfStates(s)).toBe(s.total);
  });
});
