import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'roundtrip', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('queue round trip', () => {
  it('enqueues, claims with a lease and acks', async () => {
    const id = await broker.enqueue(createTask('echo', { n: 1 }));
    expect(await broker.queueSize()).toBe(1);
    const msg = await broker.dequeue({ workerId: 'w1' });
    expect(msg?.task.metadata.id).toBe(id);
    expect(msg?.workerId).toBe('w1');
    expect(msg?.leaseExpiresAt.getTime()).toBeGreaterThan(Date.now());
    await broker.ack(id, msg!.receiptHandle);
    const row = await broker.database
      .selectFrom('celers_tasks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('completed');
    expect(row.receipt_handle).toBeNull();
    await expect(broker.ack(id, msg!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
  });

  it('retries then dead-letters after maxRetries', async () => {
    const id = await broker.enqueue(createTask('boom', null, { maxRetries: 1 }));
    const first = await broker.dequeue();
    const r1 = await broker.reject(id, first!.receiptHandle, { error: 'bad', delayMs: 0 });
    expect(r1).toMatchObject({ outcome: 'retried', retryCount: 1 });
    const second = await broker.dequeue();
    expect(second?.task.metadata.id).toBe(id);
    const r2 = await broker.reject(id, second!.receiptHandle, { error: 'bad again' });
    expect(r2.outcome).toBe('dead-lettered');
    const dlq = await broker.database
      .selectFrom('celers_dead_letter_queue')
      .selectAll()
      .where('task_id', '=', id)
      .execute();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]?.error_message).toBe('bad again');
  });

  it('refuses enqueues in drain mode and leaves the table unchanged', async () => {
    await broker.enableDrainMode();
    const before = await broker.queueSize();
    await expect(broker.enqueue(createTask('x', 1))).rejects.toMatchObject({ code: 'QUEUE_DRAINING' });
    await expect(broker.enqueueBatch([createTask('x', 1)])).rejects.toMatchObject({ code: 'QUEUE_DRAINING' });
    expect(await broker.queueSize()).toBe(before);
    await broker.disableDrainMode();
    await broker.enqueueBatch([createTask('x', 1), createTask('x', 2)]);
    expect(await broker.queueSize()).toBe(before + 2);
  });
});
