import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({
    url: tdb.url,
    queue: 'workers',
    migrate: true,
    workerStaleAfterMs: 60_000,
  });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

const ageHeartbeat = (workerId: string, seconds: number) =>
  broker.database
    .updateTable('celers_worker_heartbeat')
    .set({ last_heartbeat: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ${seconds} SECOND)` })
    .where('worker_id', '=', workerId)
    .execute();

describe('broker.workers', () => {
  it('heartbeats marks stale workers offline in the database and reports ages', async () => {
    await broker.workers.register('w-fresh', 'active', { gpu: true });
    await broker.workers.register('w-stale');
    await ageHeartbeat('w-stale', 120);
    const beats = await broker.workers.heartbeats({ staleAfterMs: 30_000 });
    const fresh = beats.find((b) => b.workerId === 'w-fresh');
    const stale = beats.find((b) => b.workerId === 'w-stale');
    expect(fresh).toMatchObject({
      status: 'active',
      stale: false,
      capabilities: { gpu: true },
      queueName: 'workers',
    });
    expect(fresh!.ageMs).toBeLessThan(30_000);
    expect(stale).toMatchObject({ status: 'offline', stale: true });
    expect(stale!.ageMs).toBeGreaterThanOrEqual(119_000);
    const row = await broker.database
      .selectFrom('celers_worker_heartbeat')
      .select('status')
      .where('worker_id', '=', 'w-stale')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('offline');
    await expect(broker.workers.heartbeats({ staleAfterMs: 0 })).rejects.toMatchObject({
      argument: 'options.staleAfterMs',
    });
  });

  it('listActive: workers processing tasks or with a fresh heartbeat', async () => {
    await broker.enqueue(createTask('job', 1));
    const msg = await broker.dequeue({ workerId: 'w-busy-no-heartbeat' });
    expect(msg).not.toBeNull();
    await broker.workers.register('w-gone');
    await broker.workers.deregister('w-gone');
    const active = await broker.workers.listActive();
    expect(active).toContain('w-fresh');
    expect(active).toContain('w-busy-no-heartbeat');
    expect(active).not.toContain('w-stale');
    expect(active).not.toContain('w-gone');
    await broker.ack(msg!.task.metadata.id, msg!.receiptHandle);
  });

  it('statistics per worker: processing, completed, failed, average runtime, last activity', async () => {
    const q = await broker.forQueue('worker-stats');
    for (let i = 0; i < 4; i++) await q.enqueue(createTask('s', i, { maxRetries: 0 }));
    const m1 = await q.dequeue({ workerId: 'ws' });
    const m2 = await q.dequeue({ workerId: 'ws' });
    const m3 = await q.dequeue({ workerId: 'ws' });
    await q.dequeue({ workerId: 'other' });
    await q.ack(m1!.task.metadata.id, m1!.receiptHandle);
    await q.ack(m2!.task.metadata.id, m2!.receiptHandle);
    await q.reject(m3!.task.metadata.id, m3!.receiptHandle, { error: 'x' });
    // Give the two completed tasks known runtimes: 2 s and 4 s.
    for (const [m, s] of [
      [m1, 2],
      [m2, 4],
    ] as const) {
      for (const table of ['celers_live_tasks', 'celers_finished_tasks'] as const)
        await q.database
          .updateTable(table)
          .set({ started_at: sql<Date>`DATE_SUB(completed_at, INTERVAL ${s} SECOND)` })
          .where('id', '=', m!.task.metadata.id)
          .execute();
    }
    const stats = await q.workers.statistics('ws');
    expect(stats).toMatchObject({ workerId: 'ws', tasksProcessing: 0, tasksCompleted: 2, tasksFailed: 1 });
    expect(stats.avgRuntimeMs).toBeCloseTo(3_000, 0);
    expect(stats.lastActivity).toBeInstanceOf(Date);
    expect(await q.workers.statistics('nobody')).toEqual({
      workerId: 'nobody',
      tasksProcessing: 0,
      tasksCompleted: 0,
      tasksFailed: 0,
      avgRuntimeMs: null,
      lastActivity: null,
    });
    const all = await q.workers.allStatistics();
    expect(all.map((s) => s.workerId)).toEqual(['other', 'ws']);
    expect(all[0]).toMatchObject({ tasksProcessing: 1, tasksCompleted: 0 });
    await expect(q.workers.statistics('')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'workerId',
    });
    await q.close();
  });

  it("requeueStuckTasks returns a worker's processing tasks to pending and stales its receipts", async () => {
    const q = await broker.forQueue('worker-requeue');
    for (let i = 0; i < 3; i++) await q.enqueue(createTask('r', i));
    const mine = [await q.dequeue({ workerId: 'dead' }), await q.dequeue({ workerId: 'dead' })];
    const theirs = await q.dequeue({ workerId: 'alive' });
    expect(await q.workers.requeueStuckTasks('dead')).toBe(2);
    const rows = await q.database
      .selectFrom('celers_tasks')
      .select(['id', 'state', 'worker_id', 'retry_count'])
      .where('queue_name', '=', 'worker-requeue')
      .execute();
    for (const m of mine)
      expect(rows.find((r) => r.id === m!.task.metadata.id)).toMatchObject({
        state: 'pending',
        worker_id: null,
        retry_count: 0,
      });
    expect(rows.find((r) => r.id === theirs!.task.metadata.id)).toMatchObject({
      state: 'processing',
      worker_id: 'alive',
    });
    await expect(q.ack(mine[0]!.task.metadata.id, mine[0]!.receiptHandle)).rejects.toMatchObject({
      code: 'STALE_RECEIPT',
    });
    expect(await q.workers.requeueStuckTasks('dead')).toBe(0);
    await expect(q.workers.requeueStuckTasks('\n')).rejects.toMatchObject({ argument: 'workerId' });
    await q.close();
  });
});
