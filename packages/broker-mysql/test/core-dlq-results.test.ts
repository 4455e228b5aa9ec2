import { createTask, decodePayload } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_PURGE_CHUNK_SIZE } from '../src/dlq/dlq.sql.js';
import { MysqlBroker } from '../src/index.js';
import { RESULT_ARCHIVE_CHUNK_SIZE } from '../src/results/results.sql.js';
import { taskRow } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

async function freshQueue(): Promise<MysqlBroker> {
  const b = await root.forQueue(`dlq-${++n}`);
  opened.push(b);
  return b;
}

/** Enqueues a task with no retries and rejects it once, so it lands in the DLQ. Returns [taskId, dlqId]. */
async function deadLetter(
  b: MysqlBroker,
  task = createTask('doomed', { k: 1 }, { maxRetries: 0 }),
): Promise<[string, string]> {
  const id = await b.enqueue(task);
  const msg = await b.dequeue();
  expect(msg?.task.metadata.id).toBe(id);
  const outcome = await b.reject(id, msg!.receiptHandle, { error: `failed ${id}` });
  if (outcome.outcome !== 'dead-lettered') throw new Error(`expected dead-lettered, got ${outcome.outcome}`);
  return [id, outcome.dlqId];
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'dlq-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('broker.dlq', () => {
  it('list and get show entries newest first, scoped to the queue', async () => {
    const b = await freshQueue();
    const other = await freshQueue();
    const [t1, d1] = await deadLetter(b);
    const [t2, d2] = await deadLetter(
      b,
      createTask('doomed-2', 'x', { maxRetries: 0, priority: 4, metadata: { m: 1 } }),
    );
    await deadLetter(other);
    const list = await b.dlq.list();
    expect(list.map((e) => e.id)).toEqual([d2, d1]);
    expect(list[0]).toMatchObject({
      id: d2,
      taskId: t2,
      queue: b.queueName,
      taskName: 'doomed-2',
      priority: 4,
      retryCount: 0,
      maxRetries: 0,
      errorMessage: `failed ${t2}`,
      contentType: 'application/json',
      payloadBytes: 3,
    });
    expect(list[0]!.metadata).toMatchObject({ m: 1 });
    expect(list[0]!.failedAt).toBeInstanceOf(Date);
    expect((await b.dlq.list({ limit: 1, offset: 1 })).map((e) => e.id)).toEqual([d1]);
    expect((await b.dlq.get(d1))?.taskId).toBe(t1);
    expect(await other.dlq.get(d1)).toBeNull();
    expect(await b.dlq.get('0190a0b0-0000-7000-8000-0000000000ff')).toBeNull();
  });

  it('requeue creates a fresh pending task in one transaction that can be claimed and acked', async () => {
    const b = await freshQueue();
    const original = createTask(
      'doomed',
      { important: true },
      {
        maxRetries: 0,
        priority: 6,
        timeoutMs: 7000,
        retryPolicy: { kind: 'fixed', delayMs: 250 },
        metadata: { tenant: 'acme' },
      },
    );
    const [taskId, dlqId] = await deadLetter(b, original);
    const newId = await b.dlq.requeue(dlqId);
    expect(newId).not.toBe(taskId);
    expect(newId[14]).toBe('7'); // UUIDv7
    expect(await b.dlq.get(dlqId)).toBeNull();
    const row = await taskRow(b.database, newId);
    expect(row).toMatchObject({
      state: 'pending',
      retry_count: 0,
      priority: 6,
      max_retries: 0,
      task_name: 'doomed',
    });
    expect(Number(row?.timeout_ms)).toBe(7000);
    const info = await b.tasks.get(newId);
    expect(info?.metadata).toMatchObject({ tenant: 'acme', requeued_from_dlq: dlqId });
    const msg = await b.dequeue();
    expect(msg?.task.metadata.id).toBe(newId);
    expect(decodePayload(msg!.task)).toEqual({ important: true });
    // The retry policy survives the DLQ round trip as an object (not double-encoded JSON text).
    expect(msg!.task.metadata.retryPolicy).toEqual({ kind: 'fixed', delayMs: 250 });
    await b.ack(newId, msg!.receiptHandle);
    expect((await taskRow(b.database, newId))?.state).toBe('completed');
    // The original failed task is untouched.
    expect((await taskRow(b.database, taskId))?.state).toBe('failed');
  });

  it('requeue of an unknown or foreign entry is TASK_NOT_FOUND and writes nothing', async () => {
    const b = await freshQueue();
    const other = await freshQueue();
    const [, dlqId] = await deadLetter(b);
    await expect(other.dlq.requeue(dlqId)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    await expect(b.dlq.requeue('0190a0b0-0000-7000-8000-0000000000ee')).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
    expect(await b.dlq.get(dlqId)).not.toBeNull();
    expect(await other.tasks.statistics()).toMatchObject({ total: 0 });
  });

  it('requeue in drain mode is QUEUE_DRAINING and keeps the entry', async () => {
    const b = await freshQueue();
    const [, dlqId] = await deadLetter(b);
    await b.enableDrainMode();
    await expect(b.dlq.requeue(dlqId)).rejects.toMatchObject({ code: 'QUEUE_DRAINING' });
    expect(await b.dlq.get(dlqId)).not.toBeNull();
    expect(await b.queueSize()).toBe(0);
    await b.disableDrainMode();
    await b.dlq.requeue(dlqId);
    expect(await b.queueSize()).toBe(1);
  });

  it('requeue emits task:enqueued, and is DUPLICATE_TASK (keeping the entry) while a live task holds its dedup key', async () => {
    const b = await freshQueue();
    const [, dlqId] = await deadLetter(
      b,
      createTask('dedup', 1, { maxRetries: 0, metadata: { dedup_key: 'invoice-7' } }),
    );
    const live = await b.enqueue(createTask('dedup', 2, { metadata: { dedup_key: 'invoice-7' } }));
    await expect(b.dlq.requeue(dlqId)).rejects.toMatchObject({ code: 'DUPLICATE_TASK' });
    expect(await b.dlq.get(dlqId)).not.toBeNull();
    expect(await b.queueSize()).toBe(1);
    await b.cancel(live); // frees the key
    const events: string[][] = [];
    b.on('task:enqueued', (e) => events.push(e.taskIds));
    const newId = await b.dlq.requeue(dlqId);
    expect(events).toEqual([[newId]]);
    expect((await b.tasks.get(newId))?.metadata).toMatchObject({
      dedup_key: 'invoice-7',
      requeued_from_dlq: dlqId,
    });
  });

  it('two brokers requeueing the same entry at once create exactly one task', async () => {
    const b = await freshQueue();
    const twin = await MysqlBroker.connect({ url: tdb.url, queue: b.queueName });
    try {
      const [, dlqId] = await deadLetter(b);
      const outcomes = await Promise.allSettled([b.dlq.requeue(dlqId), twin.dlq.requeue(dlqId)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toMatchObject({ code: 'TASK_NOT_FOUND' });
      expect(await b.queueSize()).toBe(1);
    } finally {
      await twin.close();
    }
  });

  it('purge deletes one entry; purgeAll deletes every entry of the queue in chunks', async () => {
    const b = await freshQueue();
    const other = await freshQueue();
    const [, d1] = await deadLetter(b);
    const [, keep] = await deadLetter(other);
    expect(await b.dlq.purge(d1)).toBe(true);
    expect(await b.dlq.purge(d1)).toBe(false);
    expect(await b.dlq.purge(keep)).toBe(false); // another queue's entry
    // Bulk-insert more than two chunks of DLQ rows straight into the table (portable multi-row INSERTs).
    const count = DLQ_PURGE_CHUNK_SIZE * 2 + 37;
    const rows = Array.from({ length: count }, () => ({
      id: uuidv7(),
      task_id: uuidv7(),
      queue_name: b.queueName,
      task_name: 'bulk',
      payload: Buffer.from([0]),
      content_type: 'application/json',
      content_encoding: 'identity',
      priority: 0,
      retry_count: 3,
      max_retries: 3,
      retry_policy: null,
      error_message: null,
      metadata: '{}',
      created_at: sql<Date>`UTC_TIMESTAMP(6)`,
      failed_at: sql<Date>`UTC_TIMESTAMP(6)`,
    }));
    for (let i = 0; i < rows.length; i += 500) {
      await b.database
        .insertInto('celers_dead_letter_queue')
        .values(rows.slice(i, i + 500))
        .execute();
    }
    expect(await b.tasks.statistics()).toMatchObject({ dlq: count });
    expect(await b.dlq.purgeAll()).toBe(count);
    expect(await b.dlq.list()).toEqual([]);
    expect(await b.dlq.purgeAll()).toBe(0);
    expect(await other.dlq.get(keep)).not.toBeNull();
  });
});

describe('broker.results', () => {
  it('store upserts a result; get reads it back; delete removes it', async () => {
    const b = await freshQueue();
    const id = '0190a0b0-0000-7000-8000-000000000a01';
    await b.results.store(id, { taskName: 'calc', status: 'STARTED' });
    expect(await b.results.get(id)).toMatchObject({
      taskId: id,
      taskName: 'calc',
      status: 'STARTED',
      result: null,
      completedAt: null,
    });
    await b.results.store(id, {
      taskName: 'calc',
      status: 'SUCCESS',
      result: { answer: 42, list: [1, 'two'] },
      runtimeMs: 1500,
    });
    const r = await b.results.get(id);
    expect(r).toMatchObject({
      status: 'SUCCESS',
      result: { answer: 42, list: [1, 'two'] },
      runtimeMs: 1500,
      error: null,
      queue: b.queueName,
    });
    expect(r?.completedAt).toBeInstanceOf(Date);
    const rows = await b.database
      .selectFrom('celers_task_results')
      .select('task_id')
      .where('task_id', '=', id)
      .execute();
    expect(rows).toHaveLength(1);
    await b.results.store(id, {
      taskName: 'calc',
      status: 'FAILURE',
      error: 'boom',
      traceback: 'at x\nat y',
    });
    expect(await b.results.get(id)).toMatchObject({
      status: 'FAILURE',
      error: 'boom',
      traceback: 'at x\nat y',
      result: null,
    });
    expect(await b.results.delete(id)).toBe(true);
    expect(await b.results.delete(id)).toBe(false);
    expect(await b.results.get(id)).toBeNull();
  });

  it('results are queue-scoped: another queue cannot read, delete or overwrite them', async () => {
    const b = await freshQueue();
    const other = await freshQueue();
    const id = '0190a0b0-0000-7000-8000-000000000a02';
    await b.results.store(id, { taskName: 'mine', status: 'SUCCESS', result: 1 });
    expect(await other.results.get(id)).toBeNull();
    expect(await other.results.getBatch([id])).toEqual([]);
    expect(await other.results.delete(id)).toBe(false);
    await other.results.store(id, { taskName: 'theirs', status: 'FAILURE', result: 2 });
    expect(await b.results.get(id)).toMatchObject({ taskName: 'mine', status: 'SUCCESS', result: 1 });
  });

  it('storeBatch writes many results in one transaction; getBatch reads the ones that exist', async () => {
    const b = await freshQueue();
    const ids = Array.from(
      { length: 25 },
      (_, i) => `0190a0b0-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    const stored = await b.results.storeBatch(
      ids.map((taskId, i) => ({
        taskId,
        taskName: 'batch',
        status: i % 2 ? 'FAILURE' : 'SUCCESS',
        result: { i },
      })),
    );
    expect(stored).toBe(25);
    const missing = '0190a0b0-0000-7000-8000-ffffffffffff';
    const got = await b.results.getBatch([...ids.slice(0, 10), missing]);
    expect(got.map((r) => r.taskId)).toEqual(ids.slice(0, 10));
    expect(got[3]).toMatchObject({ status: 'FAILURE', result: { i: 3 } });
    expect(await b.results.storeBatch([])).toBe(0);
    expect(await b.results.getBatch([])).toEqual([]);
    // One invalid entry: nothing of the batch is written.
    const fresh = '0190a0b0-0000-7000-8000-00000000beef';
    await expect(
      b.results.storeBatch([
        { taskId: fresh, taskName: 'ok', status: 'SUCCESS' },
        { taskId: ids[0]!, taskName: 'bad', status: 'DONE' as never },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'results[1].status' });
    expect(await b.results.get(fresh)).toBeNull();
  });

  it('archive deletes finished results older than the cutoff and keeps unfinished or recent ones', async () => {
    const b = await freshQueue();
    const old1 = '0190a0b0-0000-7000-8000-00000000c001';
    const old2 = '0190a0b0-0000-7000-8000-00000000c002';
    const recent = '0190a0b0-0000-7000-8000-00000000c003';
    const running = '0190a0b0-0000-7000-8000-00000000c004';
    await b.results.storeBatch([
      { taskId: old1, taskName: 'a', status: 'SUCCESS' },
      { taskId: old2, taskName: 'a', status: 'REVOKED' },
      { taskId: recent, taskName: 'a', status: 'SUCCESS' },
      { taskId: running, taskName: 'a', status: 'STARTED' },
    ]);
    await b.database
      .updateTable('celers_task_results')
      .set({
        completed_at: sql<Date>`UTC_TIMESTAMP(6) - INTERVAL 2 DAY`,
        created_at: sql<Date>`UTC_TIMESTAMP(6) - INTERVAL 2 DAY`,
      })
      .where('task_id', 'in', [old1, old2])
      .execute();
    await b.database
      .updateTable('celers_task_results')
      .set({ created_at: sql<Date>`UTC_TIMESTAMP(6) - INTERVAL 2 DAY` })
      .where('task_id', '=', running)
      .execute();
    expect(await b.results.archive({ olderThanMs: 24 * 3600_000 })).toBe(2);
    expect((await b.results.getBatch([old1, old2, recent, running])).map((r) => r.taskId)).toEqual([
      recent,
      running,
    ]);
    expect(await b.results.archive({ olderThanMs: 24 * 3600_000 })).toBe(0);
  });

  it('archive works through more than two chunks of old results', async () => {
    const b = await freshQueue();
    const count = RESULT_ARCHIVE_CHUNK_SIZE * 2 + 11;
    const ids = Array.from({ length: count }, () => uuidv7());
    for (let i = 0; i < ids.length; i += 1000) {
      await b.results.storeBatch(
        ids.slice(i, i + 1000).map((taskId) => ({ taskId, taskName: 'bulk', status: 'SUCCESS' as const })),
      );
    }
    const keep = uuidv7();
    await b.results.store(keep, { taskName: 'bulk', status: 'SUCCESS' });
    await b.database
      .updateTable('celers_task_results')
      .set({ completed_at: sql<Date>`UTC_TIMESTAMP(6) - INTERVAL 1 HOUR` })
      .where('queue_name', '=', b.queueName)
      .where('task_id', '<>', keep)
      .execute();
    expect(await b.results.archive({ olderThanMs: 60_000 })).toBe(count);
    expect((await b.results.getBatch([keep, ids[0]!])).map((r) => r.taskId)).toEqual([keep]);
  });
});
