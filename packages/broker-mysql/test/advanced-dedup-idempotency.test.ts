import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEDUP_WINDOW_NAMESPACE } from '../src/idempotency/idempotency-types.js';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let a: MysqlBroker;
let b: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  a = await MysqlBroker.connect({ url: tdb.url, queue: 'dedup', migrate: true });
  b = await MysqlBroker.connect({ url: tdb.url, queue: 'dedup' }); // its own pool: a real second producer
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await tdb?.drop();
});

const countTasks = async (taskName: string) =>
  Number(
    (
      await a.database
        .selectFrom('celers_tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('task_name', '=', taskName)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('enqueueDeduplicated', () => {
  it('returns the live task for the same key, and frees the key once the task finishes', async () => {
    const first = await a.idempotency.enqueueDeduplicated(createTask('dd.basic', 1), 'k1');
    const second = await a.idempotency.enqueueDeduplicated(createTask('dd.basic', 2), 'k1');
    expect(second).toBe(first);
    expect(await countTasks('dd.basic')).toBe(1);
    const row = await a.database
      .selectFrom('celers_tasks')
      .select(['live_dedup_key', 'metadata'])
      .where('id', '=', first)
      .executeTakeFirstOrThrow();
    expect(row.live_dedup_key).toBe('k1');
    // Claim and ack: the key is released (live_dedup_key becomes NULL) and a new task is created.
    const msg = await a.dequeue();
    expect(msg?.task.metadata.id).toBe(first);
    await a.ack(first, msg!.receiptHandle);
    const third = await a.idempotency.enqueueDeduplicated(createTask('dd.basic', 3), 'k1');
    expect(third).not.toBe(first);
    expect(await countTasks('dd.basic')).toBe(2);
  });

  it('two producers on separate pools racing on one key create exactly one task', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      const ids = await Promise.all([
        a.idempotency.enqueueDeduplicated(createTask('dd.race', round), key),
        b.idempotency.enqueueDeduplicated(createTask('dd.race', round), key),
        a.idempotency.enqueueDeduplicated(createTask('dd.race', round), key),
        b.idempotency.enqueueDeduplicated(createTask('dd.race', round), key),
      ]);
      expect(new Set(ids).size).toBe(1);
    }
    expect(await countTasks('dd.race')).toBe(5);
  });

  it('rejects bad input before touching the database', async () => {
    const before = await countTasks('dd.bad');
    await expect(a.idempotency.enqueueDeduplicated(createTask('dd.bad', 1), '')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'key',
    });
    await expect(
      a.idempotency.enqueueDeduplicated(createTask('dd.bad', 1), 'x'.repeat(256)),
    ).rejects.toMatchObject({
      argument: 'key',
    });
    await expect(a.idempotency.enqueueDeduplicated({} as never, 'k')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'task.metadata',
    });
    expect(await countTasks('dd.bad')).toBe(before);
  });
});

describe('enqueueDeduplicatedWindow', () => {
  it('blocks a second task within the window whatever its state, allows one after', async () => {
    const first = await a.idempotency.enqueueDeduplicatedWindow(createTask('dw.basic', 1), 'w1', 60_000);
    await a.cancel(first); // finished, but still inside the window
    expect(await a.idempotency.enqueueDeduplicatedWindow(createTask('dw.basic', 2), 'w1', 60_000)).toBe(
      first,
    );
    const key = await a.database
      .selectFrom('celers_task_idempotency')
      .selectAll()
      .where('task_name', '=', DEDUP_WINDOW_NAMESPACE)
      .where('idempotency_key', '=', 'w1')
      .executeTakeFirstOrThrow();
    expect(key.task_id).toBe(first);
    // End the window (move it into the past) instead of sleeping.
    await a.database
      .updateTable('celers_task_idempotency')
      .set({ expires_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 SECOND)` })
      .where('id', '=', key.id)
      .execute();
    const next = await a.idempotency.enqueueDeduplicatedWindow(createTask('dw.basic', 3), 'w1', 60_000);
    expect(next).not.toBe(first);
    expect(await countTasks('dw.basic')).toBe(2);
  });

  it('is race-safe across producers', async () => {
    const ids = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).idempotency.enqueueDeduplicatedWindow(createTask('dw.race', i), 'wr', 60_000),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    expect(await countTasks('dw.race')).toBe(1);
  });

  it('validates windowMs', async () => {
    await expect(
      a.idempotency.enqueueDeduplicatedWindow(createTask('dw.bad', 1), 'k', 0),
    ).rejects.toMatchObject({
      argument: 'windowMs',
    });
    await expect(
      a.idempotency.enqueueDeduplicatedWindow(createTask('dw.bad', 1), 'k', Number.NaN),
    ).rejects.toMatchObject({ argument: 'windowMs' });
    expect(await countTasks('dw.bad')).toBe(0);
  });
});

describe('broker.idempotency', () => {
  it('maps a key to one task while unexpired, reports it, and replaces it after expiry', async () => {
    const id = await a.idempotency.enqueue(createTask('pay.charge', { order: 1 }), 'order-1', {
      ttlMs: 60_000,
      metadata: { source: 'api' },
    });
    expect(await a.idempotency.enqueue(createTask('pay.charge', { order: 1 }), 'order-1')).toBe(id);
    // Same key under another task name is independent.
    const other = await a.idempotency.enqueue(createTask('pay.refund', { order: 1 }), 'order-1');
    expect(other).not.toBe(id);
    const record = await a.idempotency.get('order-1', 'pay.charge');
    expect(record).toMatchObject({
      taskId: id,
      key: 'order-1',
      taskName: 'pay.charge',
      metadata: { source: 'api' },
      expired: false,
    });
    expect(record!.expiresAt.getTime() - record!.createdAt.getTime()).toBe(60_000);
    expect(await a.idempotency.get('nope', 'pay.charge')).toBeNull();

    await a.database
      .updateTable('celers_task_idempotency')
      .set({ expires_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 SECOND)` })
      .where('id', '=', record!.id)
      .execute();
    expect((await a.idempotency.get('order-1', 'pay.charge'))?.expired).toBe(true);
    const stats = await a.idempotency.statistics();
    expect(stats.find((s) => s.taskName === 'pay.charge')).toMatchObject({
      totalKeys: 1,
      activeKeys: 0,
      expiredKeys: 1,
    });
    const replaced = await a.idempotency.enqueue(createTask('pay.charge', { order: 1 }), 'order-1');
    expect(replaced).not.toBe(id);
    expect(await a.idempotency.get('order-1', 'pay.charge')).toMatchObject({
      taskId: replaced,
      expired: false,
    });
    expect(await countTasks('pay.charge')).toBe(2);
  });

  it('two concurrent enqueues with one key create one task', async () => {
    const ids = await Promise.all([
      a.idempotency.enqueue(createTask('pay.race', 1), 'same'),
      b.idempotency.enqueue(createTask('pay.race', 2), 'same'),
      a.idempotency.enqueue(createTask('pay.race', 3), 'same'),
      b.idempotency.enqueue(createTask('pay.race', 4), 'same'),
    ]);
    expect(new Set(ids).size).toBe(1);
    expect(await countTasks('pay.race')).toBe(1);
    const keys = await a.database
      .selectFrom('celers_task_idempotency')
      .selectAll()
      .where('task_name', '=', 'pay.race')
      .execute();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.task_id).toBe(ids[0]);
  });

  it('cleanupExpired deletes only expired keys of this queue', async () => {
    await a.idempotency.enqueue(createTask('gc.a', 1), 'live', { ttlMs: 3_600_000 });
    await a.idempotency.enqueue(createTask('gc.a', 1), 'dead', { ttlMs: 3_600_000 });
    const otherQueue = await a.forQueue('elsewhere');
    await otherQueue.idempotency.enqueue(createTask('gc.a', 1), 'dead', { ttlMs: 3_600_000 });
    await a.database
      .updateTable('celers_task_idempotency')
      .set({ expires_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 SECOND)` })
      .where('idempotency_key', '=', 'dead')
      .execute();
    const expiredHere = Number(
      (
        await a.database
          .selectFrom('celers_task_idempotency')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('queue_name', '=', 'dedup')
          .where('expires_at', '<=', sql<Date>`UTC_TIMESTAMP(6)`)
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(await a.idempotency.cleanupExpired()).toBe(expiredHere);
    expect(await a.idempotency.get('dead', 'gc.a')).toBeNull();
    expect(await a.idempotency.get('live', 'gc.a')).not.toBeNull();
    expect(await otherQueue.idempotency.get('dead', 'gc.a')).not.toBeNull();
    await otherQueue.close();
  });

  it('rejects bad input without writing', async () => {
    const task = createTask('idem.bad', 1);
    await expect(a.idempotency.enqueue(task, '')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'key',
    });
    await expect(a.idempotency.enqueue(task, 'k', { ttlMs: 0 })).rejects.toMatchObject({
      argument: 'options.ttlMs',
    });
    await expect(a.idempotency.enqueue(task, 'k', { ttlMs: -5 })).rejects.toMatchObject({
      argument: 'options.ttlMs',
    });
    await expect(a.idempotency.enqueue(task, 'k', { metadata: [] as never })).rejects.toMatchObject({
      argument: 'options.metadata',
    });
    await expect(a.idempotency.get('k', '')).rejects.toMatchObject({ argument: 'taskName' });
    await expect(a.idempotency.get(42 as never, 'x')).rejects.toMatchObject({ argument: 'key' });
    expect(await countTasks('idem.bad')).toBe(0);
    expect(await a.idempotency.get('k', 'idem.bad')).toBeNull();
  });
});
