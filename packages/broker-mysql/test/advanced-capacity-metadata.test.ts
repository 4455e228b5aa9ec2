import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { batchSizeForDepth } from '../src/queue/capacity-operations.js';

let tdb: TestDatabase;
let root: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'cap', migrate: true });
});
afterAll(async () => {
  await root?.close();
  await tdb?.drop();
});

const pending = async (b: MysqlBroker) => b.queueSize();

describe('capacity, rate limit and batch sizing', () => {
  it('hasCapacity / enqueueWithCapacity refuse with QUEUE_FULL at the limit', async () => {
    const b = await root.forQueue('cap-1');
    expect(await b.capacity.hasCapacity(2)).toBe(true);
    await b.capacity.enqueueWithCapacity(createTask('c', 1), 2);
    await b.capacity.enqueueWithCapacity(createTask('c', 2), 2);
    expect(await b.capacity.hasCapacity(2)).toBe(false);
    await expect(b.capacity.enqueueWithCapacity(createTask('c', 3), 2)).rejects.toMatchObject({
      code: 'QUEUE_FULL',
      details: { pending: 2, maxSize: 2 },
    });
    expect(await pending(b)).toBe(2);
    const m = await b.dequeue();
    expect(m).not.toBeNull();
    await b.capacity.enqueueWithCapacity(createTask('c', 4), 2);
    expect(await pending(b)).toBe(2);
    for (const bad of [0, -1, 1.5, Number.NaN, '3']) {
      await expect(b.capacity.hasCapacity(bad as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument: 'maxSize',
      });
      await expect(b.capacity.enqueueWithCapacity(createTask('c', 5), bad as never)).rejects.toMatchObject({
        argument: 'maxSize',
      });
    }
    expect(await pending(b)).toBe(2);
    await b.close();
  });

  it('concurrent producers overshoot the capacity by at most producers - 1', async () => {
    const b = await root.forQueue('cap-race');
    const other = await MysqlBroker.connect({ url: tdb.url, queue: 'cap-race' });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? other : b).capacity.enqueueWithCapacity(createTask('r', i), 3),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBeGreaterThanOrEqual(3);
    expect(await pending(b)).toBe(ok);
    expect(ok).toBeLessThanOrEqual(3 + 8 - 1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'QUEUE_FULL' });
    await other.close();
    await b.close();
  });

  it('checkRateLimit counts tasks of a name enqueued in the last minute', async () => {
    const b = await root.forQueue('rate');
    expect(await b.capacity.checkRateLimit('mail', 2)).toEqual({
      allowed: true,
      current: 0,
      limit: 2,
      resetInMs: 0,
    });
    const old = await b.enqueue(createTask('mail', 1));
    await b.database
      .updateTable('celers_live_tasks')
      .set({ created_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 2 MINUTE)` })
      .where('id', '=', old)
      .execute();
    await b.enqueue(createTask('mail', 2));
    await b.enqueue(createTask('other', 2));
    const one = await b.capacity.checkRateLimit('mail', 2);
    expect(one).toMatchObject({ allowed: true, current: 1, limit: 2 });
    expect(one.resetInMs).toBeGreaterThan(50_000);
    expect(one.resetInMs).toBeLessThanOrEqual(60_000);
    await b.enqueue(createTask('mail', 3));
    expect(await b.capacity.checkRateLimit('mail', 2)).toMatchObject({ allowed: false, current: 2 });
    await expect(b.capacity.checkRateLimit('', 2)).rejects.toMatchObject({ argument: 'taskName' });
    await expect(b.capacity.checkRateLimit('mail', 0)).rejects.toMatchObject({ argument: 'maxPerMinute' });
    await b.close();
  });

  it('getOptimalBatchSize adapts to the due backlog and validates its bound', async () => {
    expect([0, 9, 10, 99, 100, 999, 1000].map((d) => batchSizeForDepth(d, 200))).toEqual([
      1, 1, 10, 10, 50, 50, 200,
    ]);
    const b = await root.forQueue('batch');
    expect(await b.capacity.getOptimalBatchSize()).toBe(1);
    await b.enqueueBatch(Array.from({ length: 120 }, (_, i) => createTask('b', i)));
    await b.enqueueAfter(createTask('b', 0), 3_600_000); // not due: not counted
    expect(await b.capacity.getOptimalBatchSize()).toBe(50);
    expect(await b.capacity.getOptimalBatchSize(20)).toBe(20);
    for (const bad of [0, -1, 10_001, 2.5]) {
      await expect(b.capacity.getOptimalBatchSize(bad)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument: 'maxBatchSize',
      });
    }
    await b.close();
  });
});

describe('generateLoad', () => {
  it('enqueues tagged tasks with random payloads of the given size and priority range', async () => {
    const b = await root.forQueue('load');
    const ids = await b.transfer.generateLoad({
      count: 6_000,
      taskName: 'load.t',
      payloadBytes: 64,
      priorityRange: [1, 3],
    });
    expect(new Set(ids).size).toBe(6_000);
    const stats = await b.database
      .selectFrom('celers_tasks')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.min('priority').as('minp'),
        eb.fn.max('priority').as('maxp'),
        sql<number>`MIN(LENGTH(payload))`.as('minlen'),
        sql<number>`MAX(LENGTH(payload))`.as('maxlen'),
        sql<number>`COUNT(DISTINCT payload)`.as('distinct_payloads'),
      ])
      .where('queue_name', '=', 'load')
      .where(sql<boolean>`JSON_EXTRACT(metadata, '$.load_test') = true`)
      .executeTakeFirstOrThrow();
    expect(stats).toMatchObject({ minp: 1, maxp: 3, minlen: 64, maxlen: 64 });
    expect(Number(stats.n)).toBe(6_000);
    expect(Number(stats.distinct_payloads)).toBe(6_000);
    for (const [options, argument] of [
      [{ count: 0, taskName: 't', payloadBytes: 1 }, 'options.count'],
      [{ count: 1, taskName: '', payloadBytes: 1 }, 'options.taskName'],
      [{ count: 1, taskName: 't', payloadBytes: -1 }, 'options.payloadBytes'],
      [{ count: 1, taskName: 't', payloadBytes: 1, priorityRange: [5, 1] }, 'options.priorityRange'],
      [{ count: 1, taskName: 't', payloadBytes: 1, priorityRange: [1] }, 'options.priorityRange'],
    ] as const) {
      await expect(b.transfer.generateLoad(options as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument,
      });
    }
    expect(await b.queueSize()).toBe(6_000);
    await b.close();
  });
});

describe('metadata, progress and bulk state (broker.tasks)', () => {
  it('queryByMetadata matches a JSON path with a bound parameter; updateMetadata sets any JSON value', async () => {
    const b = await root.forQueue('meta');
    const a1 = await b.enqueue(
      createTask('m', 1, { metadata: { customer: { id: 'c-1' }, tier: 2, vip: true } }),
    );
    const a2 = await b.enqueue(createTask('m', 2, { metadata: { customer: { id: 'c-2' }, tier: 2 } }));
    expect((await b.tasks.queryByMetadata('$.customer.id', 'c-1')).map((t) => t.id)).toEqual([a1]);
    expect((await b.tasks.queryByMetadata('$.tier', 2)).map((t) => t.id).sort()).toEqual([a1, a2].sort());
    expect((await b.tasks.queryByMetadata('$.vip', true)).map((t) => t.id)).toEqual([a1]);
    expect(await b.tasks.queryByMetadata('$.tier', 2, { limit: 1, offset: 1 })).toHaveLength(1);
    // Injection attempts are just non-matching values.
    expect(await b.tasks.queryByMetadata('$.customer.id', "c-1' OR '1'='1")).toEqual([]);

    expect(await b.tasks.updateMetadata(a2, '$.customer.id', 'c-9')).toBe(true);
    expect(await b.tasks.updateMetadata(a2, '$.tags', ['x', 'y'])).toBe(true);
    expect(await b.tasks.updateMetadata(a2, '$.nested', { deep: 1 })).toBe(true);
    const info = (await b.tasks.queryByMetadata('$.customer.id', 'c-9'))[0];
    expect(info?.metadata).toMatchObject({
      customer: { id: 'c-9' },
      tier: 2,
      tags: ['x', 'y'],
      nested: { deep: 1 },
    });
    expect(await b.tasks.updateMetadata('01a200d9-fcdd-7356-8cc7-5305745f8525', '$.a', 1)).toBe(false);
    // updateMetadata drives the indexed generated columns.
    expect(await b.tasks.updateMetadata(a1, '$.group_id', 'grp')).toBe(true);
    expect((await b.groups.status('grp'))?.total).toBe(1);

    for (const path of ['customer.id', '$', '$.a[0]', '$.*', "$.a') OR 1=1 --", '$."x"']) {
      await expect(b.tasks.queryByMetadata(path, 'x')).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument: 'path',
      });
      await expect(b.tasks.updateMetadata(a1, path, 'x')).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument: 'path',
      });
    }
    await expect(b.tasks.queryByMetadata('$.a', { x: 1 } as never)).rejects.toMatchObject({
      argument: 'value',
    });
    await expect(b.tasks.updateMetadata(a1, '$.a', 10n as never)).rejects.toMatchObject({
      argument: 'value',
    });
    await expect(b.tasks.queryByMetadata('$.a', 'x', { limit: 0 })).rejects.toMatchObject({
      argument: 'options.limit',
    });
    await b.close();
  });

  it('searchByDateRange finds tasks created in [from, to), optionally by state', async () => {
    const b = await root.forQueue('dates');
    const old = await b.enqueue(createTask('d', 1));
    const recent = await b.enqueue(createTask('d', 2));
    await b.database
      .updateTable('celers_live_tasks')
      .set({ created_at: new Date('2025-01-15T12:00:00Z') })
      .where('id', '=', old)
      .execute();
    const jan = await b.tasks.searchByDateRange({
      from: new Date('2025-01-01T00:00:00Z'),
      to: Date.parse('2025-02-01T00:00:00Z'),
    });
    expect(jan.map((t) => t.id)).toEqual([old]);
    const all = await b.tasks.searchByDateRange({ from: 0, to: Date.now() + 60_000, state: 'pending' });
    expect(all.map((t) => t.id)).toEqual([recent, old]);
    expect(await b.tasks.searchByDateRange({ from: 0, to: Date.now() + 60_000, state: 'completed' })).toEqual(
      [],
    );
    await expect(b.tasks.searchByDateRange({ from: 10, to: 5 })).rejects.toMatchObject({
      argument: 'search.to',
    });
    await expect(b.tasks.searchByDateRange({ from: Number.NaN, to: 5 })).rejects.toMatchObject({
      argument: 'search.from',
    });
    await expect(b.tasks.searchByDateRange({ from: 0, to: 5, state: 'x' as never })).rejects.toMatchObject({
      argument: 'search.state',
    });
    await expect(b.tasks.searchByDateRange({ from: 0, to: 5, limit: -1 })).rejects.toMatchObject({
      argument: 'search.limit',
    });
    await b.close();
  });

  it('getProgress returns what updateProgress stored', async () => {
    const b = await root.forQueue('progress');
    const id = await b.enqueue(createTask('p', 1));
    expect(await b.tasks.getProgress(id)).toBeNull();
    await b.updateProgress(id, 42.5, 'resizing');
    expect(await b.tasks.getProgress(id)).toEqual({ percent: 42.5, step: 'resizing' });
    expect(await b.tasks.getProgress('01a200d9-fcdd-7356-8cc7-5305745f8525')).toBeNull();
    await expect(b.tasks.getProgress('x')).rejects.toMatchObject({ argument: 'taskId' });
    await b.close();
  });

  it('updateBatchState changes states of many tasks and refuses processing', async () => {
    const b = await root.forQueue('bulk-state');
    const ids = await b.enqueueBatch([createTask('s', 1), createTask('s', 2), createTask('s', 3)]);
    const claimed = await b.dequeue();
    expect(await b.tasks.updateBatchState(ids, 'cancelled')).toBe(3);
    expect(await b.tasks.updateBatchState(ids, 'cancelled')).toBe(0);
    const rows = await b.database
      .selectFrom('celers_tasks')
      .select(['state', 'completed_at', 'receipt_handle'])
      .where('queue_name', '=', 'bulk-state')
      .execute();
    expect(
      rows.every((r) => r.state === 'cancelled' && r.completed_at !== null && r.receipt_handle === null),
    ).toBe(true);
    await expect(b.ack(claimed!.task.metadata.id, claimed!.receiptHandle)).rejects.toMatchObject({
      code: 'STALE_RECEIPT',
    });
    expect(await b.tasks.updateBatchState(ids.slice(0, 2), 'pending')).toBe(2);
    expect(await b.queueSize()).toBe(2);
    await expect(b.tasks.updateBatchState(ids, 'processing' as never)).rejects.toMatchObject({
      argument: 'state',
    });
    await expect(b.tasks.updateBatchState(['bad'], 'failed')).rejects.toMatchObject({
      argument: 'taskIds[0]',
    });
    expect(await b.queueSize()).toBe(2);
    await b.close();
  });
});
