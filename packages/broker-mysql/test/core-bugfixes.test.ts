// Regression tests for bugs found in the queue path while finishing the broker core.
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEXT_BYTES, MysqlBroker } from '../src/index.js';
import { taskRow } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'fixes', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('reject with long multi-byte errors', () => {
  it('stores an error of 40,000 three-byte characters truncated to the TEXT column, instead of failing', async () => {
    const id = await broker.enqueue(createTask('long-error', 1, { maxRetries: 0 }));
    const msg = await broker.dequeue();
    const error = '€'.repeat(40_000); // 120,000 bytes: 65,535 characters would still be 196,605 bytes
    const outcome = await broker.reject(id, msg!.receiptHandle, {
      error,
      storeResult: true,
      traceback: 'ä'.repeat(40_000),
    });
    expect(outcome.outcome).toBe('dead-lettered');
    const row = await taskRow(broker.database, id);
    expect(row?.state).toBe('failed');
    expect(Buffer.byteLength(row!.error_message!, 'utf8')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(row!.error_message!.startsWith('€€€')).toBe(true);
    expect(row!.error_message!.endsWith('€')).toBe(true); // cut on a character boundary
    const result = await broker.results.get(id);
    expect(Buffer.byteLength(result!.traceback!, 'utf8')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
  });
});

describe('results given to acks are validated', () => {
  it('ackBatch with an unknown result status is INVALID_ARGUMENT and acks nothing', async () => {
    const id = await broker.enqueue(createTask('ack-status', 1));
    const msg = await broker.dequeue();
    await expect(
      broker.ackBatch([
        { taskId: id, receiptHandle: msg!.receiptHandle, result: { status: 'DONE' as never } },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'items[0].result.status' });
    expect((await taskRow(broker.database, id))?.state).toBe('processing');
    expect(await broker.results.get(id)).toBeNull();
  });

  it('ackBatchWithResults without a result is INVALID_ARGUMENT', async () => {
    const id = await broker.enqueue(createTask('ack-missing', 1));
    const msg = await broker.dequeue();
    await expect(
      broker.ackBatchWithResults([{ taskId: id, receiptHandle: msg!.receiptHandle } as never]),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'items[0].result',
    });
    expect((await taskRow(broker.database, id))?.state).toBe('processing');
  });
});

describe('ackBatch with the same item twice', () => {
  it('acks the task once and counts it once', async () => {
    const id = await broker.enqueue(createTask('twice', 1));
    const msg = await broker.dequeue();
    const acked: string[][] = [];
    broker.on('task:acked', (e) => acked.push(e.taskIds));
    const item = { taskId: id, receiptHandle: msg!.receiptHandle };
    expect(await broker.ackBatch([item, { ...item, taskId: id.toUpperCase() }])).toEqual({
      count: 1,
      outcomes: ['acked', 'acked'],
    });
    expect(acked).toEqual([[id]]);
    expect((await taskRow(broker.database, id))?.state).toBe('completed');
  });
});

describe('broker.transaction', () => {
  it("rethrows the callback's own error unchanged (not wrapped as a database error)", async () => {
    class PaymentDeclined extends Error {}
    const thrown = new PaymentDeclined('card declined');
    const task = createTask('tx', 1);
    const caught = await broker
      .transaction(async (trx) => {
        await broker.enqueue(task, { transaction: trx });
        throw thrown;
      })
      .catch((error: unknown) => error);
    expect(caught).toBe(thrown);
    expect(await taskRow(broker.database, task.metadata.id)).toBeUndefined();
  });
});
