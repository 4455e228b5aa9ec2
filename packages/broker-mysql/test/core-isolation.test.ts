import { createTask } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const setup = await MysqlBroker.connect({ url: tdb.url, queue: 'setup', migrate: true });
  await setup.close();
});
afterAll(async () => {
  await tdb?.drop();
});

describe('multi-tenant queues sharing one pool', () => {
  it('nothing one queue does (enqueue, claim, pause, drain, purge, stats) is visible to the other', async () => {
    const db = createDatabase(tdb.url);
    const a = await MysqlBroker.connect({ database: db, queue: 'tenant-a' });
    const b = await a.forQueue('tenant-b');
    const c = await MysqlBroker.connect({ database: db, queue: 'tenant-c' });
    try {
      const aIds = await a.enqueueBatch([
        createTask('a', 1, { maxRetries: 0 }),
        createTask('a', 2),
        createTask('a', 3),
      ]);
      const bId = await b.enqueue(createTask('b', 1));
      expect(await a.queueSize()).toBe(3);
      expect(await b.queueSize()).toBe(1);
      expect(await c.queueSize()).toBe(0);

      // Claims never cross queues.
      const bMsgs = await b.dequeueBatch(10);
      expect(bMsgs.map((m) => m.task.metadata.id)).toEqual([bId]);
      expect(await c.dequeue()).toBeNull();

      // Settling another queue's task fails as if it did not exist.
      const aMsg = await a.dequeue();
      await expect(b.ack(aMsg!.task.metadata.id, aMsg!.receiptHandle)).rejects.toMatchObject({
        code: 'TASK_NOT_FOUND',
      });
      expect(await b.cancel(aIds[1]!)).toBe(false);
      expect(await b.tasks.get(aIds[0]!)).toBeNull();
      await a.reject(aMsg!.task.metadata.id, aMsg!.receiptHandle, { error: 'dead' }); // maxRetries 0 → DLQ

      // Pause and drain are per queue.
      await a.pause();
      await a.enableDrainMode();
      expect(await b.isPaused()).toBe(false);
      expect(await b.isDrainMode()).toBe(false);
      await b.enqueue(createTask('b', 2));
      expect(await b.dequeue()).not.toBeNull();
      expect(await a.dequeue()).toBeNull();

      // The DLQ and statistics are per queue; purging one DLQ leaves the other.
      expect((await a.tasks.statistics()).dlq).toBe(1);
      expect(await b.tasks.statistics()).toEqual({
        pending: 0,
        processing: 2,
        completed: 0,
        failed: 0,
        cancelled: 0,
        deadLettered: 0,
        dlq: 0,
        scheduled: 0,
        total: 2,
      });
      expect(await b.dlq.purgeAll()).toBe(0);
      expect(await b.dlq.list()).toEqual([]);
      expect((await a.dlq.list()).length).toBe(1);
      expect(await a.tasks.statistics()).toMatchObject({
        pending: 2,
        failed: 0,
        deadLettered: 1,
        total: 3,
        dlq: 1,
      });

      // Recovery in one queue never touches the other's processing tasks.
      await db
        .updateTable('celers_live_tasks')
        .set({ lease_expires_at: new Date(0) })
        .where('queue_name', '=', 'tenant-b')
        .execute();
      expect(await a.recoverTimedOutTasks()).toBe(0);
      expect(await b.tasks.countByState('processing')).toBe(2);
      expect(await b.recoverTimedOutTasks()).toBe(2);
      expect(await c.tasks.list()).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await c.close();
      await db.destroy();
    }
  });
});

describe('pause is persisted', () => {
  it('broker A pauses, broker B (its own pool) sees it; resume makes B claim again', async () => {
    const a = await MysqlBroker.connect({ url: tdb.url, queue: 'shared' });
    const b = await MysqlBroker.connect({ url: tdb.url, queue: 'shared' });
    try {
      const id = await a.enqueue(createTask('p', 1));
      await a.pause();
      expect(await b.isPaused()).toBe(true);
      expect(await b.dequeue()).toBeNull();
      expect(await b.dequeueBatch(5)).toEqual([]);
      // A third instance that starts after the pause also sees it.
      const late = await MysqlBroker.connect({ url: tdb.url, queue: 'shared' });
      expect(await late.dequeue()).toBeNull();
      await late.close();
      await a.resume();
      expect(await b.isPaused()).toBe(false);
      expect((await b.dequeue())?.task.metadata.id).toBe(id);
      const row = await a.database
        .selectFrom('celers_queue_config')
        .selectAll()
        .where('queue_name', '=', 'shared')
        .where('config_key', '=', 'paused')
        .executeTakeFirst();
      expect(row?.config_value).toBe('false');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
