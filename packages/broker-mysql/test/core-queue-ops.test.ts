import { createTask, decodePayload } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENQUEUE_CHUNK_SIZE, MysqlBroker } from '../src/index.js';
import { pollUntil, taskRow } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

/** A broker on a fresh queue sharing the root pool, so each test starts from an empty queue. */
async function freshQueue(options: Parameters<MysqlBroker['forQueue']>[1] = {}): Promise<MysqlBroker> {
  const b = await root.forQueue(`ops-${++n}`, options);
  opened.push(b);
  return b;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'ops-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('enqueue variants', () => {
  it('enqueue stores a pending row with every field of the task', async () => {
    const b = await freshQueue();
    const task = createTask(
      'mail.send',
      { to: 'a@b.c' },
      { priority: 7, maxRetries: 5, timeoutMs: 9000, metadata: { tenant: 't1' } },
    );
    const id = await b.enqueue(task);
    expect(id).toBe(task.metadata.id);
    const row = await taskRow(b.database, id);
    expect(row).toMatchObject({
      queue_name: b.queueName,
      task_name: 'mail.send',
      state: 'pending',
      priority: 7,
      retry_count: 0,
      max_retries: 5,
      content_type: 'application/json',
    });
    expect(Number(row?.timeout_ms)).toBe(9000);
    expect(await b.queueSize()).toBe(1);
    const msg = await b.dequeue();
    expect(decodePayload(msg!.task)).toEqual({ to: 'a@b.c' });
    expect(msg!.task.metadata.custom.tenant).toBe('t1');
    expect(msg!.task.metadata.timeoutMs).toBe(9000);
  });

  it('enqueueAt with a past time is due now; with a future time it is invisible until then', async () => {
    const b = await freshQueue();
    const past = await b.enqueueAt(createTask('p', 1), new Date(Date.now() - 60_000));
    const future = await b.enqueueAt(createTask('f', 2), Date.now() + 3_600_000);
    expect(await b.queueSize()).toBe(2);
    const first = await b.dequeue();
    expect(first?.task.metadata.id).toBe(past);
    expect(await b.dequeue()).toBeNull();
    const row = await taskRow(b.database, future);
    expect(Math.abs(row!.scheduled_at.getTime() - (Date.now() + 3_600_000))).toBeLessThan(60_000);
  });

  it('enqueueAfter hides a task until its delay passes (database clock)', async () => {
    const b = await freshQueue();
    const id = await b.enqueueAfter(createTask('later', null), 600);
    expect(await b.dequeue()).toBeNull();
    const msg = await pollUntil(() => b.dequeue(), 10_000);
    expect(msg.task.metadata.id).toBe(id);
    const row = await taskRow(b.database, id);
    expect(row!.started_at!.getTime()).toBeGreaterThanOrEqual(row!.scheduled_at.getTime());
    expect(row!.scheduled_at.getTime() - row!.created_at.getTime()).toBeGreaterThanOrEqual(599);
  });

  it('enqueueBatch stores more than two INSERT chunks all-or-nothing, in order', async () => {
    const b = await freshQueue();
    const count = ENQUEUE_CHUNK_SIZE * 2 + 101;
    const tasks = Array.from({ length: count }, (_, i) => createTask('bulk', { i }));
    const ids = await b.enqueueBatch(tasks);
    expect(ids).toEqual(tasks.map((t) => t.metadata.id));
    expect(await b.queueSize()).toBe(count);
    const stored = await b.database
      .selectFrom('celers_tasks')
      .select('id')
      .where('queue_name', '=', b.queueName)
      .execute();
    expect(new Set(stored.map((r) => r.id))).toEqual(new Set(ids));
    // A batch with one id that already exists writes nothing at all.
    const again = [createTask('bulk', 'new'), { ...tasks[0]! }];
    await expect(b.enqueueBatch(again)).rejects.toMatchObject({ code: 'DUPLICATE_TASK' });
    expect(await b.queueSize()).toBe(count);
    expect(await taskRow(b.database, again[0]!.metadata.id)).toBeUndefined();
  });

  it('enqueue of an existing id is DUPLICATE_TASK and the row is unchanged', async () => {
    const b = await freshQueue();
    const t = createTask('once', 1, { priority: 1 });
    await b.enqueue(t);
    await expect(b.enqueue({ ...t, metadata: { ...t.metadata, priority: 9 } })).rejects.toMatchObject({
      code: 'DUPLICATE_TASK',
    });
    expect((await taskRow(b.database, t.metadata.id))?.priority).toBe(1);
  });
});

describe('claiming', () => {
  it('orders by priority desc, then scheduled time, then FIFO', async () => {
    const b = await freshQueue();
    const now = Date.now();
    const lowOld = await b.enqueueAt(createTask('low-old', 0, { priority: 0 }), now - 50_000);
    const high1 = await b.enqueue(createTask('high-1', 0, { priority: 10 }));
    const high2 = await b.enqueue(createTask('high-2', 0, { priority: 10 }));
    const midOlder = await b.enqueueAt(createTask('mid-older', 0, { priority: 5 }), now - 10_000);
    const midOld = await b.enqueueAt(createTask('mid-old', 0, { priority: 5 }), now - 5_000);
    const neg = await b.enqueue(createTask('neg', 0, { priority: -3 }));
    const order: string[] = [];
    for (;;) {
      const m = await b.dequeue();
      if (!m) break;
      order.push(m.task.metadata.id);
    }
    expect(order).toEqual([high1, high2, midOlder, midOld, lowOld, neg]);
  });

  it('FIFO within one priority and schedule: a 50-task batch comes back in insertion (UUIDv7) order', async () => {
    const b = await freshQueue();
    const ids = await b.enqueueBatch(Array.from({ length: 50 }, (_, i) => createTask('fifo', i)));
    const claimed = await b.dequeueBatch(50);
    expect(claimed.map((m) => m.task.metadata.id)).toEqual(ids);
  });

  it('dequeueBatch claims up to count with one receipt and lease; the rest stay pending', async () => {
    const b = await freshQueue();
    await b.enqueueBatch(Array.from({ length: 7 }, (_, i) => createTask('b', i)));
    const batch = await b.dequeueBatch(5, { workerId: 'wb', leaseMs: 60_000 });
    expect(batch).toHaveLength(5);
    expect(new Set(batch.map((m) => m.receiptHandle)).size).toBe(1);
    const rows = await b.database
      .selectFrom('celers_tasks')
      .selectAll()
      .where('queue_name', '=', b.queueName)
      .execute();
    expect(rows.filter((r) => r.state === 'processing')).toHaveLength(5);
    expect(rows.filter((r) => r.state === 'pending')).toHaveLength(2);
    for (const r of rows.filter((r) => r.state === 'processing')) {
      expect(r.worker_id).toBe('wb');
      expect(r.receipt_handle).toBe(batch[0]!.receiptHandle);
      expect(r.lease_expires_at!.getTime() - r.started_at!.getTime()).toBe(60_000);
    }
    expect(await b.dequeueBatch(5)).toHaveLength(2);
    expect(await b.dequeueBatch(5)).toHaveLength(0);
  });

  it('dequeueWithWorkerId records the worker on the row and in the message', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('w', 1));
    const msg = await b.dequeueWithWorkerId('worker-007');
    expect(msg?.workerId).toBe('worker-007');
    expect((await taskRow(b.database, id))?.worker_id).toBe('worker-007');
    expect(await b.dequeueWithWorkerId('worker-007')).toBeNull();
  });
});

describe('settling', () => {
  it('ack completes; a second ack is STALE_RECEIPT; acking an unknown id is TASK_NOT_FOUND', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('a', 1));
    const msg = await b.dequeue();
    await b.ack(id, msg!.receiptHandle);
    const row = await taskRow(b.database, id);
    expect(row).toMatchObject({ state: 'completed', receipt_handle: null, lease_expires_at: null });
    expect(row?.completed_at).toBeInstanceOf(Date);
    await expect(b.ack(id, msg!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    await expect(b.ack('0190a0b0-0000-7000-8000-000000000000', msg!.receiptHandle)).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
  });

  it('ackBatch acks owned items, skips stale ones and returns the count', async () => {
    const b = await freshQueue();
    await b.enqueueBatch(Array.from({ length: 4 }, (_, i) => createTask('ab', i)));
    const msgs = await b.dequeueBatch(4);
    const items = msgs.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle }));
    items[3] = { ...items[3]!, receiptHandle: '0190a0b0-0000-4000-8000-000000000000' };
    expect(await b.ackBatch(items)).toBe(3);
    expect(await b.tasks.countByState('completed')).toBe(3);
    expect(await b.tasks.countByState('processing')).toBe(1);
    expect(await b.ackBatch([])).toBe(0);
  });

  it('ackBatchWithResults stores one result per acked task in the same transaction', async () => {
    const b = await freshQueue();
    await b.enqueueBatch(Array.from({ length: 3 }, (_, i) => createTask('abr', i)));
    const msgs = await b.dequeueBatch(3);
    const acked = await b.ackBatchWithResults(
      msgs.map((m, i) => ({
        taskId: m.task.metadata.id,
        receiptHandle: m.receiptHandle,
        result: { result: { square: i * i }, runtimeMs: 10 + i },
      })),
    );
    expect(acked).toBe(3);
    const results = await b.results.getBatch(msgs.map((m) => m.task.metadata.id));
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(r.status).toBe('SUCCESS');
      expect(r.taskName).toBe('abr');
      expect(r.completedAt).toBeInstanceOf(Date);
    }
    const byId = new Map(results.map((r) => [r.taskId, r]));
    for (const [i, m] of msgs.entries()) {
      expect(byId.get(m.task.metadata.id)?.result).toEqual({ square: i * i });
    }
  });

  it('reject retries with a delay, then dead-letters; requeue:false fails without a DLQ row', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('r', 1, { maxRetries: 1 }));
    const m1 = await b.dequeue();
    const r1 = await b.reject(id, m1!.receiptHandle, { error: 'e1', delayMs: 300 });
    expect(r1).toMatchObject({ outcome: 'retried', retryCount: 1 });
    const row1 = await taskRow(b.database, id);
    expect(row1).toMatchObject({
      state: 'pending',
      retry_count: 1,
      error_message: 'e1',
      receipt_handle: null,
    });
    expect(await b.dequeue()).toBeNull(); // not due for 300 ms
    const m2 = await pollUntil(() => b.dequeue(), 10_000);
    expect(m2.retryCount).toBe(1);
    const r2 = await b.reject(id, m2.receiptHandle, { error: 'e2', storeResult: true, traceback: 'tb' });
    expect(r2.outcome).toBe('dead-lettered');
    expect((await taskRow(b.database, id))?.state).toBe('failed');
    expect(await b.results.get(id)).toMatchObject({ status: 'FAILURE', error: 'e2', traceback: 'tb' });
    const dlq = await b.dlq.list();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({ taskId: id, retryCount: 1, errorMessage: 'e2' });

    const other = await b.enqueue(createTask('r', 2, { maxRetries: 5 }));
    const m3 = await b.dequeue();
    expect(await b.reject(other, m3!.receiptHandle, { requeue: false, error: 'fatal' })).toEqual({
      outcome: 'failed',
    });
    expect(await taskRow(b.database, other)).toMatchObject({ state: 'failed', error_message: 'fatal' });
    expect(await b.dlq.list()).toHaveLength(1);
  });

  it('rejectBatch settles each item in one transaction; stale items give null', async () => {
    const b = await freshQueue();
    await b.enqueueBatch([createTask('rb', 1, { maxRetries: 2 }), createTask('rb', 2, { maxRetries: 0 })]);
    const [m1, m2] = await b.dequeueBatch(2);
    const outcomes = await b.rejectBatch([
      { taskId: m1!.task.metadata.id, receiptHandle: m1!.receiptHandle, delayMs: 0 },
      { taskId: m2!.task.metadata.id, receiptHandle: m2!.receiptHandle, error: 'x' },
      { taskId: m2!.task.metadata.id, receiptHandle: m2!.receiptHandle },
    ]);
    expect(outcomes[0]).toMatchObject({ outcome: 'retried', retryCount: 1 });
    expect(outcomes[1]).toMatchObject({ outcome: 'dead-lettered' });
    expect(outcomes[2]).toBeNull();
    expect(await b.queueSize()).toBe(1);
    expect(await b.rejectBatch([])).toEqual([]);
  });
});

describe('leases, progress and cancel', () => {
  it('extendLease pushes the expiry; release returns the task to pending without a retry', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('l', 1));
    const msg = await b.dequeue({ leaseMs: 1_000 });
    const before = (await taskRow(b.database, id))!.lease_expires_at!;
    const extended = await b.extendLease(id, msg!.receiptHandle, 120_000);
    expect(extended.getTime()).toBeGreaterThan(before.getTime() + 100_000);
    expect((await taskRow(b.database, id))?.lease_expires_at?.getTime()).toBe(extended.getTime());
    expect(await b.release(id, msg!.receiptHandle)).toBe(true);
    expect(await taskRow(b.database, id)).toMatchObject({
      state: 'pending',
      retry_count: 0,
      receipt_handle: null,
      worker_id: null,
    });
    expect(await b.release(id, msg!.receiptHandle)).toBe(false);
    await expect(b.extendLease(id, msg!.receiptHandle, 1000)).rejects.toMatchObject({
      code: 'STALE_RECEIPT',
    });
  });

  it('updateProgress records percent and step; false for a task of another queue', async () => {
    const b = await freshQueue();
    const c = await freshQueue();
    const id = await b.enqueue(createTask('p', 1));
    expect(await b.updateProgress(id, 42.5, 'parsing')).toBe(true);
    expect(await taskRow(b.database, id)).toMatchObject({ progress_percent: 42.5, progress_step: 'parsing' });
    expect(await c.updateProgress(id, 99)).toBe(false);
    expect((await taskRow(b.database, id))?.progress_percent).toBe(42.5);
  });

  it('cancel and cancelBatch cancel live tasks only', async () => {
    const b = await freshQueue();
    const [a, p, done, x] = await b.enqueueBatch([
      createTask('c', 1),
      createTask('c', 2),
      createTask('c', 3),
      createTask('c', 4),
    ]);
    // Claim the first three (FIFO), finish one of them.
    const claimed = await b.dequeueBatch(3);
    const doneMsg = claimed.find((m) => m.task.metadata.id === done)!;
    await b.ack(done!, doneMsg.receiptHandle);
    expect(await b.cancel(a!)).toBe(true); // processing
    expect(await b.cancel(a!)).toBe(false); // already cancelled
    expect(await b.cancel(done!)).toBe(false); // completed
    expect(await b.cancelBatch([p!, x!, done!])).toBe(2);
    const states = await b.database
      .selectFrom('celers_tasks')
      .select(['id', 'state'])
      .where('queue_name', '=', b.queueName)
      .execute();
    expect(Object.fromEntries(states.map((s) => [s.id, s.state]))).toEqual({
      [a!]: 'cancelled',
      [p!]: 'cancelled',
      [done!]: 'completed',
      [x!]: 'cancelled',
    });
    expect(await b.cancelBatch([])).toBe(0);
    // The cancelled processing task's receipt is dead.
    await expect(
      b.ack(a!, claimed.find((m) => m.task.metadata.id === a)!.receiptHandle),
    ).rejects.toMatchObject({
      code: 'STALE_RECEIPT',
    });
  });
});

describe('queue control', () => {
  it('pause makes dequeue return null while tasks stay pending; resume restores it', async () => {
    const b = await freshQueue();
    await b.enqueue(createTask('pz', 1));
    expect(await b.isPaused()).toBe(false);
    await b.pause();
    expect(await b.isPaused()).toBe(true);
    expect(await b.dequeue()).toBeNull();
    expect(await b.dequeueBatch(10)).toEqual([]);
    expect(await b.queueSize()).toBe(1);
    await b.resume();
    expect(await b.isPaused()).toBe(false);
    expect(await b.dequeue()).not.toBeNull();
  });

  it('drain mode refuses enqueues of every kind but lets workers claim and ack', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('d', 1));
    await b.enableDrainMode();
    expect(await b.isDrainMode()).toBe(true);
    await expect(b.enqueueAt(createTask('d', 2), Date.now())).rejects.toMatchObject({
      code: 'QUEUE_DRAINING',
    });
    await expect(b.enqueueAfter(createTask('d', 3), 10)).rejects.toMatchObject({ code: 'QUEUE_DRAINING' });
    const msg = await b.dequeue();
    await b.ack(id, msg!.receiptHandle);
    expect(await b.tasks.statistics()).toMatchObject({ pending: 0, completed: 1, total: 1 });
    await b.disableDrainMode();
    expect(await b.isDrainMode()).toBe(false);
    await b.enqueue(createTask('d', 4));
    expect(await b.queueSize()).toBe(1);
  });
});
