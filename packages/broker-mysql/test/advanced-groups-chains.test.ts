import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAIN_WAITING_AT } from '../src/groups/chain-links.sql.js';
import { MysqlBroker, TaskChain } from '../src/index.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let consumer: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'groups', migrate: true });
  consumer = await MysqlBroker.connect({ url: tdb.url, queue: 'groups' });
});
afterAll(async () => {
  await broker?.close();
  await consumer?.close();
  await tdb?.drop();
});

const row = (id: string) =>
  broker.database.selectFrom('celers_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Claims and acks everything due, in claim order, with a separate consumer; returns the acked ids. */
async function drainWith(b: MysqlBroker): Promise<string[]> {
  const done: string[] = [];
  for (let msg = await b.dequeue(); msg; msg = await b.dequeue()) {
    await b.ack(msg.task.metadata.id, msg.receiptHandle);
    done.push(msg.task.metadata.id);
  }
  return done;
}

describe('groups', () => {
  it('enqueues a group in one transaction and reports its status', async () => {
    const ids = await broker.groups.enqueue(
      'g1',
      [createTask('g.a', 1), createTask('g.a', 2), createTask('g.a', 3), createTask('g.a', 4)],
      {
        metadata: { file: 'a.csv' },
      },
    );
    expect(ids).toHaveLength(4);
    const rows = await broker.database
      .selectFrom('celers_tasks')
      .select(['id', 'group_id'])
      .where('group_id', '=', 'g1')
      .execute();
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    const group = await broker.database
      .selectFrom('celers_task_groups')
      .selectAll()
      .where('group_id', '=', 'g1')
      .executeTakeFirstOrThrow();
    expect(Number(group.task_count)).toBe(4);

    const m1 = await consumer.dequeue();
    await consumer.ack(m1!.task.metadata.id, m1!.receiptHandle);
    const m2 = await consumer.dequeue();
    await consumer.reject(m2!.task.metadata.id, m2!.receiptHandle, { requeue: false });
    await consumer.dequeue(); // stays processing
    const status = await broker.groups.status('g1');
    expect(status).toMatchObject({
      groupId: 'g1',
      total: 4,
      pending: 1,
      waiting: 0,
      processing: 1,
      completed: 1,
      failed: 1,
      cancelled: 0,
      completedPercent: 25,
      recordedTaskCount: 4,
      metadata: { file: 'a.csv' },
    });
    expect(await broker.groups.status('unknown-group')).toBeNull();
  });

  it('rolls back the whole group when one task is a duplicate', async () => {
    const dup = createTask('g.dup', 1);
    await broker.enqueue(dup);
    await expect(broker.groups.enqueue('g-dup', [createTask('g.dup', 2), dup])).rejects.toMatchObject({
      code: 'DUPLICATE_TASK',
    });
    expect(await broker.groups.status('g-dup')).toBeNull();
  });

  it('rejects bad input without writing', async () => {
    await expect(broker.groups.enqueue('', [createTask('x', 1)])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'groupId',
    });
    await expect(broker.groups.enqueue('g-bad', [])).rejects.toMatchObject({ argument: 'tasks' });
    await expect(broker.groups.enqueue('g-bad', 'x' as never)).rejects.toMatchObject({ argument: 'tasks' });
    await expect(
      broker.groups.enqueue('g-bad', [createTask('x', 1)], { metadata: 5 as never }),
    ).rejects.toMatchObject({
      argument: 'options.metadata',
    });
    await expect(broker.groups.status('\u0000')).rejects.toMatchObject({ argument: 'groupId' });
    expect(await broker.groups.status('g-bad')).toBeNull();
  });
});

describe('chains', () => {
  it('runs links in order, each only after the previous ack, by any consumer', async () => {
    const chain = TaskChain.new()
      .then(createTask('c.step', 1))
      .then(createTask('c.step', 2))
      .then(createTask('c.step', 3));
    const ids = await broker.groups.enqueueChain(chain, { groupId: 'chain-1' });
    expect(ids).toEqual(chain.links.map((l) => l.task.metadata.id));
    const [first, second, third] = ids as [string, string, string];
    expect((await row(second)).scheduled_at.getTime()).toBe(CHAIN_WAITING_AT.getTime());
    expect((await row(second)).parent_task_id).toBe(first);
    expect((await row(third)).parent_task_id).toBe(second);
    expect(await broker.groups.status('chain-1')).toMatchObject({ total: 3, pending: 1, waiting: 2 });

    const order: string[] = [];
    for (let step = 0; step < 3; step++) {
      // Exactly one link is claimable at a time.
      const msgs = await consumer.dequeueBatch(10);
      expect(msgs.filter((m) => m.task.metadata.name === 'c.step')).toHaveLength(1);
      const msg = msgs.find((m) => m.task.metadata.name === 'c.step')!;
      for (const other of msgs.filter((m) => m !== msg))
        await consumer.release(other.task.metadata.id, other.receiptHandle);
      order.push(msg.task.metadata.id);
      await consumer.ack(msg.task.metadata.id, msg.receiptHandle);
    }
    expect(order).toEqual(ids);
    expect(await broker.groups.status('chain-1')).toMatchObject({
      total: 3,
      completed: 3,
      waiting: 0,
      completedPercent: 100,
    });
  });

  it('promotes links acked through ackBatch too, honouring the delay', async () => {
    const ids = await broker.groups.enqueueChain(
      TaskChain.new().then(createTask('c.batch', 1)).then(createTask('c.batch', 2)).withDelay(3_600_000),
    );
    const msgs = (await consumer.dequeueBatch(50)).filter((m) => m.task.metadata.name === 'c.batch');
    expect(msgs.map((m) => m.task.metadata.id)).toEqual([ids[0]]);
    expect(
      await consumer.ackBatch(
        msgs.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
      ),
    ).toEqual({ count: 1, outcomes: ['acked'] });
    const next = await row(ids[1]!);
    const delayMs = next.scheduled_at.getTime() - (await row(ids[0]!)).completed_at!.getTime();
    expect(delayMs).toBeGreaterThanOrEqual(3_599_000);
    expect(delayMs).toBeLessThanOrEqual(3_601_000);
  });

  it('leaves later links waiting forever when a link is dead-lettered', async () => {
    const ids = await broker.groups.enqueueChain(
      TaskChain.new()
        .then(createTask('c.fail', 1, { maxRetries: 0 }))
        .then(createTask('c.fail', 2))
        .then(createTask('c.fail', 3)),
      { groupId: 'chain-fail' },
    );
    const msg = await consumer.dequeue();
    expect(msg?.task.metadata.id).toBe(ids[0]);
    expect((await consumer.reject(ids[0]!, msg!.receiptHandle, { error: 'boom' })).outcome).toBe(
      'dead-lettered',
    );
    expect(await drainWith(consumer)).toEqual([]);
    expect(await broker.groups.status('chain-fail')).toMatchObject({
      total: 3,
      failed: 1,
      waiting: 2,
      pending: 0,
    });
    expect(await broker.groups.promoteReadyLinks()).toBe(0);
  });

  it('promoteReadyLinks heals links whose parent completed without the ack path', async () => {
    const ids = await broker.groups.enqueueChain(
      TaskChain.new().then(createTask('c.heal', 1)).then(createTask('c.heal', 2)),
    );
    expect(await broker.tasks.updateBatchState([ids[0]!], 'completed')).toBe(1);
    expect(await broker.groups.promoteReadyLinks()).toBe(1);
    expect((await row(ids[1]!)).scheduled_at.getTime()).toBeLessThan(Date.now() + 60_000);
  });

  it('rejects bad chains and bad builder input', async () => {
    await expect(broker.groups.enqueueChain(TaskChain.new())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'chain',
    });
    await expect(broker.groups.enqueueChain({} as never)).rejects.toMatchObject({ argument: 'chain' });
    const t = createTask('c.bad', 1);
    expect(() => TaskChain.new().then(t).then(t)).toThrow(
      expect.objectContaining({ argument: 'task.metadata.id' }),
    );
    expect(() => TaskChain.new().withDelay(-1)).toThrow(expect.objectContaining({ argument: 'delayMs' }));
    expect(() => TaskChain.new().then({} as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    // Awaiting a chain (it has `then`) fails clearly instead of hanging.
    await expect(new Promise((resolve) => resolve(TaskChain.new() as unknown))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'task',
    });
    const n = await broker.database
      .selectFrom('celers_tasks')
      .select('id')
      .where('task_name', '=', 'c.bad')
      .execute();
    expect(n).toHaveLength(0);
  });
});

describe('cancelCascade', () => {
  it('cancels a task and all its dependents over three levels', async () => {
    const ids = await broker.groups.enqueueChain(
      TaskChain.new().then(createTask('cc', 1)).then(createTask('cc', 2)).then(createTask('cc', 3)),
    );
    // A second dependent of the middle link (a fan-out the chain builder does not make).
    const side = await broker.enqueue(createTask('cc.side', 0, { metadata: { parent_task_id: ids[1] } }));
    const unrelated = await broker.enqueue(createTask('cc.other', 0));
    expect(await broker.groups.cancelCascade(ids[0]!)).toBe(4);
    for (const id of [...ids, side]) expect((await row(id)).state).toBe('cancelled');
    expect((await row(unrelated)).state).toBe('pending');
    expect(await broker.groups.cancelCascade(ids[0]!)).toBe(0);
  });

  it('walks through finished links and skips other queues', async () => {
    const q = await broker.forQueue('cascade-walk'); // an empty queue, so the first claim is the chain's head
    const ids = await q.groups.enqueueChain(
      TaskChain.new().then(createTask('cw', 1)).then(createTask('cw', 2)).then(createTask('cw', 3)),
    );
    const msg = await q.dequeue();
    expect(msg!.task.metadata.id).toBe(ids[0]);
    await q.ack(msg!.task.metadata.id, msg!.receiptHandle);
    expect((await row(ids[1]!)).scheduled_at.getTime()).toBeLessThan(CHAIN_WAITING_AT.getTime());
    expect(await broker.groups.cancelCascade(ids[0]!)).toBe(0); // another queue: invisible
    expect(await q.groups.cancelCascade(ids[0]!)).toBe(2);
    expect((await row(ids[0]!)).state).toBe('completed');
    expect((await row(ids[1]!)).state).toBe('cancelled');
    expect((await row(ids[2]!)).state).toBe('cancelled');
    await q.close();
  });

  it('validates the id', async () => {
    await expect(broker.groups.cancelCascade('nope')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'taskId',
    });
  });
});
