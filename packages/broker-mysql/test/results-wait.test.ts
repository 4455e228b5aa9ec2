// results.wait: resolves on SUCCESS, rejects on failure, missing tasks, missing results and timeouts; a settle
// through the same broker wakes it at once, a settle through another broker (its own pool, as another process
// would) is seen by polling.
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let other: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'wait', migrate: true });
  other = await MysqlBroker.connect({ url: tdb.url, queue: 'wait' }); // a second pool: no local wakeup
});
afterAll(async () => {
  await other?.close();
  await broker?.close();
  await tdb?.drop();
});

async function claim(b: MysqlBroker) {
  const msg = await b.dequeue();
  if (!msg) throw new Error('nothing to claim');
  return msg;
}

describe('results.wait', () => {
  it('resolves with the result when the same broker acks it', async () => {
    const id = await broker.enqueue(createTask('wait.ok', { n: 2 }));
    const waiting = broker.results.wait(id, { timeoutMs: 10_000 });
    const msg = await claim(broker);
    await new Promise((r) => setTimeout(r, 50));
    await broker.ackBatchWithResults([
      { taskId: id, receiptHandle: msg.receiptHandle, result: { result: 'done', runtimeMs: 3 } },
    ]);
    const result = await waiting;
    expect(result).toMatchObject({ taskId: id, status: 'SUCCESS', result: 'done' });
  });

  it('sees an ack made through another broker (another pool, as another process) by polling', async () => {
    const id = await broker.enqueue(createTask('wait.remote', {}));
    const waiting = broker.results.wait(id, { timeoutMs: 10_000 });
    const msg = await claim(other);
    await new Promise((r) => setTimeout(r, 300));
    await other.ackBatchWithResults([
      { taskId: id, receiptHandle: msg.receiptHandle, result: { result: { n: 7 } } },
    ]);
    expect((await waiting).result).toEqual({ n: 7 });
  });

  it('rejects with TASK_FAILED and the failure result when the task fails for good', async () => {
    const id = await broker.enqueue(createTask('wait.fail', {}, { maxRetries: 0 }));
    // The expectation is attached before the reject: a local settle can wake the wait (and reject it) at once.
    const waiting = expect(broker.results.wait(id, { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'TASK_FAILED',
      details: { result: expect.objectContaining({ status: 'FAILURE', error: 'boom' }) },
    });
    const msg = await claim(other);
    await other.reject(id, msg.receiptHandle, { error: 'boom', storeResult: true });
    await waiting;
  });

  it('rejects with INVALID_STATE for a task completed without a stored result', async () => {
    const id = await broker.enqueue(createTask('wait.noresult', {}));
    const msg = await claim(broker);
    await broker.ack(id, msg.receiptHandle);
    await expect(broker.results.wait(id, { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
  });

  it('rejects with TIMEOUT while the task is still pending, and TASK_NOT_FOUND for an unknown task', async () => {
    const id = await broker.enqueue(createTask('wait.slow', {}));
    await expect(broker.results.wait(id, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(
      broker.results.wait('01890000-0000-7000-8000-000000000000', { timeoutMs: 1_000 }),
    ).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    await broker.cancel(id);
  });

  it('refuses bad arguments with INVALID_ARGUMENT naming them', async () => {
    await expect(broker.results.wait('nope')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'taskId',
    });
    const id = await broker.enqueue(createTask('wait.args', {}));
    await expect(broker.results.wait(id, { timeoutMs: -1 })).rejects.toMatchObject({
      argument: 'options.timeoutMs',
    });
    await expect(broker.results.wait(id, { signal: {} as AbortSignal })).rejects.toMatchObject({
      argument: 'options.signal',
    });
    await broker.cancel(id);
  });
});
