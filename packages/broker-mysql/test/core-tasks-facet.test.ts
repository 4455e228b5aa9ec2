import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker, readQueueState } from '../src/index.js';
import { taskRow } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

async function freshQueue(): Promise<MysqlBroker> {
  const b = await root.forQueue(`tasks-${++n}`);
  opened.push(b);
  return b;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'tasks-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('broker.tasks inspection', () => {
  it('get maps every column to camelCase, with the payload size and generated columns', async () => {
    const b = await freshQueue();
    const parent = '0190a0b0-0000-7000-8000-00000000abcd';
    const task = createTask(
      'report.build',
      { rows: [1, 2, 3] },
      {
        priority: 3,
        maxRetries: 4,
        timeoutMs: 5000,
        metadata: { group_id: 'g-1', parent_task_id: parent, who: 'me' },
      },
    );
    const id = await b.enqueue(task);
    await b.updateProgress(id, 12.5, 'step-a');
    const info = await b.tasks.get(id);
    const row = await taskRow(b.database, id);
    expect(info).toEqual({
      id,
      queue: b.queueName,
      taskName: 'report.build',
      state: 'pending',
      priority: 3,
      retryCount: 0,
      deliveryCount: 0,
      maxRetries: 4,
      timeoutMs: 5000,
      contentType: 'application/json',
      contentEncoding: 'identity',
      createdAt: row!.created_at,
      scheduledAt: row!.scheduled_at,
      startedAt: null,
      completedAt: null,
      leaseExpiresAt: null,
      workerId: null,
      errorMessage: null,
      progressPercent: 12.5,
      progressStep: 'step-a',
      metadata: { group_id: 'g-1', parent_task_id: parent, who: 'me' },
      payloadBytes: task.payload.byteLength,
      groupId: 'g-1',
      parentTaskId: parent,
    });
    const msg = await b.dequeue({ workerId: 'w-9' });
    const claimed = await b.tasks.get(id);
    expect(claimed).toMatchObject({
      state: 'processing',
      workerId: 'w-9',
      leaseExpiresAt: msg!.leaseExpiresAt,
    });
    expect(claimed?.startedAt).toBeInstanceOf(Date);
  });

  it('get returns null for an unknown id and for a task of another queue', async () => {
    const b = await freshQueue();
    const other = await freshQueue();
    const id = await b.enqueue(createTask('x', 1));
    expect(await other.tasks.get(id)).toBeNull();
    expect(await b.tasks.get('0190a0b0-0000-7000-8000-000000000001')).toBeNull();
  });

  it('list pages newest first and filters by state', async () => {
    const b = await freshQueue();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await b.enqueue(createTask('l', i)));
    const msg = await b.dequeue();
    await b.ack(msg!.task.metadata.id, msg!.receiptHandle);
    const all = await b.tasks.list();
    expect(all.map((t) => t.id)).toEqual([...ids].reverse());
    const page = await b.tasks.list({ limit: 2, offset: 1 });
    expect(page.map((t) => t.id)).toEqual([ids[3], ids[2]]);
    const completed = await b.tasks.list({ state: 'completed' });
    expect(completed.map((t) => t.id)).toEqual([ids[0]]);
    expect(await b.tasks.list({ state: 'failed' })).toEqual([]);
    expect(await b.tasks.list({ offset: Number.MAX_SAFE_INTEGER })).toEqual([]);
    expect(await b.tasks.list({ limit: 10_000 })).toHaveLength(5);
  });

  it('statistics counts every state, the DLQ and scheduled tasks in one call', async () => {
    // Each task counts once: the dead-lettered one is `deadLettered`, not also `failed`.
    const b = await freshQueue();
    const other = await freshQueue();
    await other.enqueue(createTask('noise', 1));
    await b.enqueueBatch([
      createTask('s', 1),
      createTask('s', 2, { maxRetries: 0 }),
      createTask('s', 3),
      createTask('s', 4),
    ]);
    await b.enqueueAfter(createTask('s', 5), 3_600_000);
    const [m1, m2, m3] = await b.dequeueBatch(3);
    await b.ack(m1!.task.metadata.id, m1!.receiptHandle);
    await b.reject(m2!.task.metadata.id, m2!.receiptHandle, { error: 'x' }); // maxRetries 0 → DLQ
    expect(m3).toBeDefined();
    const fourth = await b.dequeue();
    await b.cancel(fourth!.task.metadata.id);
    expect(await b.tasks.statistics()).toEqual({
      pending: 1,
      processing: 1,
      completed: 1,
      failed: 0,
      cancelled: 1,
      deadLettered: 1,
      dlq: 1,
      scheduled: 1,
      total: 5,
    });
    const empty = await freshQueue();
    expect(await empty.tasks.statistics()).toEqual({
      pending: 0,
      processing: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      deadLettered: 0,
      dlq: 0,
      scheduled: 0,
      total: 0,
    });
  });

  it('readQueueState reads the same counts and flags over a bare Kysely (what a replica reader uses)', async () => {
    const b = await freshQueue();
    await b.enqueueBatch([createTask('s', 1), createTask('s', 2)]);
    await b.pause();
    const reading = await readQueueState(b.database, b.queueName);
    expect(reading).toEqual({ stats: await b.tasks.statistics(), paused: true, draining: false });
    expect(reading.stats).toMatchObject({ pending: 2, total: 2 });
    await b.enableDrainMode();
    expect(await readQueueState(b.database, b.queueName)).toMatchObject({ paused: true, draining: true });
    await expect(readQueueState(b.database, '')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'queue',
    });
  });

  it('countByTaskName groups by name and state; countByState counts one state', async () => {
    const b = await freshQueue();
    await b.enqueueBatch([createTask('alpha', 1), createTask('alpha', 2), createTask('beta', 1)]);
    const m = await b.dequeue();
    await b.ack(m!.task.metadata.id, m!.receiptHandle);
    expect(await b.tasks.countByTaskName()).toEqual([
      { taskName: 'alpha', pending: 1, processing: 0, completed: 1, failed: 0, cancelled: 0, total: 2 },
      { taskName: 'beta', pending: 1, processing: 0, completed: 0, failed: 0, cancelled: 0, total: 1 },
    ]);
    expect(await b.tasks.countByState('pending')).toBe(2);
    expect(await b.tasks.countByState('completed')).toBe(1);
    expect(await b.tasks.countByState('cancelled')).toBe(0);
  });

  it('listProcessing and byWorker show claimed tasks, oldest claim first / newest task first', async () => {
    const b = await freshQueue();
    const [a, c, d] = await b.enqueueBatch([createTask('p', 1), createTask('p', 2), createTask('p', 3)]);
    const ma = await b.dequeue({ workerId: 'w1' });
    const mc = await b.dequeue({ workerId: 'w2' });
    await b.dequeue({ workerId: 'w1' });
    expect((await b.tasks.listProcessing()).map((t) => t.id)).toEqual([a, c, d]);
    expect((await b.tasks.listProcessing({ limit: 1, offset: 1 })).map((t) => t.id)).toEqual([c]);
    expect((await b.tasks.byWorker('w1')).map((t) => t.id)).toEqual([d, a]);
    await b.ack(a!, ma!.receiptHandle);
    expect((await b.tasks.byWorker('w1', { state: 'processing' })).map((t) => t.id)).toEqual([d]);
    expect((await b.tasks.byWorker('w2')).map((t) => t.id)).toEqual([c]);
    expect(await b.tasks.byWorker('nobody')).toEqual([]);
    expect(mc).not.toBeNull();
  });

  it('listScheduled and countScheduled report future tasks with the time left by the database clock', async () => {
    const b = await freshQueue();
    await b.enqueue(createTask('now', 1));
    const soon = await b.enqueueAfter(createTask('soon', 1), 60_000);
    const later = await b.enqueueAfter(createTask('later', 1), 3_600_000);
    expect(await b.tasks.countScheduled()).toBe(2);
    const scheduled = await b.tasks.listScheduled();
    expect(scheduled.map((t) => t.id)).toEqual([soon, later]);
    expect(scheduled[0]!.delayRemainingMs).toBeGreaterThan(50_000);
    expect(scheduled[0]!.delayRemainingMs).toBeLessThanOrEqual(60_000);
    expect(scheduled[1]!.delayRemainingMs).toBeGreaterThan(3_500_000);
    expect((await b.tasks.listScheduled({ limit: 1, offset: 1 })).map((t) => t.id)).toEqual([later]);
    // Make "soon" due by moving it into the past: it stops counting as scheduled.
    await b.database
      .updateTable('celers_live_tasks')
      .set({ scheduled_at: sql<Date>`UTC_TIMESTAMP(6) - INTERVAL 1 SECOND` })
      .where('id', '=', soon)
      .execute();
    expect(await b.tasks.countScheduled()).toBe(1);
  });
});

describe('broker.tasks updates', () => {
  it('updateErrorMessage sets and clears the message; false for unknown or foreign tasks', async () => {
    const b = await freshQueue();
    const other = await freshQueue();
    const id = await b.enqueue(createTask('e', 1));
    expect(await b.tasks.updateErrorMessage(id, 'disk full — "quoted" \' ; DROP TABLE x')).toBe(true);
    expect((await taskRow(b.database, id))?.error_message).toBe('disk full — "quoted" \' ; DROP TABLE x');
    expect(await b.tasks.updateErrorMessage(id, 'disk full — "quoted" \' ; DROP TABLE x')).toBe(true); // same value still matches
    expect(await other.tasks.updateErrorMessage(id, 'hijack')).toBe(false);
    expect(await b.tasks.updateErrorMessage('0190a0b0-0000-7000-8000-000000000002', 'x')).toBe(false);
    expect(await b.tasks.updateErrorMessage(id, null)).toBe(true);
    expect((await taskRow(b.database, id))?.error_message).toBeNull();
  });

  it('setWorkerId reassigns processing tasks only', async () => {
    const b = await freshQueue();
    const [p, q] = await b.enqueueBatch([createTask('w', 1), createTask('w', 2)]);
    expect(await b.tasks.setWorkerId(p!, 'w-x')).toBe(false); // pending
    const msg = await b.dequeue({ workerId: 'w-a' });
    expect(msg?.task.metadata.id).toBe(p);
    const foreign = await freshQueue();
    expect(await foreign.tasks.setWorkerId(p!, 'w-evil')).toBe(false);
    expect(await b.tasks.setWorkerId(p!, 'w-b')).toBe(true);
    expect((await taskRow(b.database, p!))?.worker_id).toBe('w-b');
    expect((await taskRow(b.database, q!))?.worker_id).toBeNull();
    // The receipt still owns the task after the reassignment.
    await b.ack(p!, msg!.receiptHandle);
    expect(await b.tasks.setWorkerId(p!, 'w-c')).toBe(false); // completed
    expect((await taskRow(b.database, p!))?.worker_id).toBe('w-b');
  });
});
