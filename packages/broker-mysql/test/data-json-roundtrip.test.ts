// Issue 14 item 2: every JSON column is decoded exactly once, so values that look like JSON come back as given.
import { CelersError, createTask, TraceContext } from '@celers/core';
import { RetryPolicies } from '@celers/resilience';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

/** Strings that a second JSON.parse would turn into something else (or throw on). */
const LOOKS_LIKE_JSON = ['done', '5', '"x"', 'null', '[1]', '{}', 'true', ' 7 ', ''] as const;
/** The same, as values of every JSON type. */
const VALUES: unknown[] = [
  ...LOOKS_LIKE_JSON,
  5,
  0,
  -1.5,
  true,
  false,
  null,
  [],
  {},
  ['5', 'null'],
  { a: '{}' },
];

async function freshQueue(): Promise<MysqlBroker> {
  const b = await root.forQueue(`json-${++n}`);
  opened.push(b);
  return b;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'json-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('JSON columns round-trip values that look like JSON', () => {
  it('results.get / getBatch / ack results return the stored value unchanged', async () => {
    const b = await freshQueue();
    for (const value of VALUES) {
      const id = createTask('t', null).metadata.id;
      await b.results.store(id, { taskName: 't', status: 'SUCCESS', result: value });
      expect((await b.results.get(id))?.result, JSON.stringify(value)).toEqual(value);
      expect((await b.results.getBatch([id]))[0]?.result).toEqual(value);
    }
    // The same through the worker's path: ack with results in one transaction.
    await b.enqueueBatch(LOOKS_LIKE_JSON.map(() => createTask('acked', null)));
    const claimed = await b.dequeueBatch(LOOKS_LIKE_JSON.length);
    await b.ackBatchWithResults(
      claimed.map((m, i) => ({
        taskId: m.task.metadata.id,
        receiptHandle: m.receiptHandle,
        result: { status: 'SUCCESS' as const, result: LOOKS_LIKE_JSON[i] },
      })),
    );
    const stored = await b.results.getBatch(claimed.map((m) => m.task.metadata.id));
    const byId = new Map(stored.map((r) => [r.taskId, r.result]));
    expect(claimed.map((m) => byId.get(m.task.metadata.id))).toEqual([...LOOKS_LIKE_JSON]);
  });

  it('task metadata (custom) survives enqueue → dequeue, tasks.get and the DLQ', async () => {
    const b = await freshQueue();
    const custom = Object.fromEntries(LOOKS_LIKE_JSON.map((s, i) => [`k${i}`, s]));
    const id = await b.enqueue(createTask('meta', 1, { metadata: custom, maxRetries: 0 }));
    expect((await b.tasks.get(id))?.metadata).toMatchObject(custom);
    const msg = await b.dequeue();
    expect(msg?.task.metadata.custom).toMatchObject(custom);
    const outcome = await b.reject(id, msg!.receiptHandle, { error: 'x' });
    expect(outcome.outcome).toBe('dead-lettered');
    const [entry] = await b.dlq.list();
    expect(entry?.metadata).toMatchObject(custom);
    const again = await b.dlq.requeue(entry!.id);
    expect((await b.tasks.get(again))?.metadata).toMatchObject(custom);
  });

  it('metadata set with tasks.updateMetadata is read back as the value, not re-parsed', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('upd', 1));
    for (const value of VALUES) {
      expect(await b.tasks.updateMetadata(id, '$.v', value)).toBe(true);
      expect((await b.tasks.get(id))?.metadata.v, JSON.stringify(value)).toEqual(value);
    }
  });

  it('worker capabilities with strings and Dates inside come back from heartbeats()', async () => {
    const b = await freshQueue();
    const capabilities = { version: '5', tag: 'null', startedAt: new Date(0), list: '[1]' };
    await b.workers.register('w-1', 'active', capabilities);
    const [hb] = await b.workers.heartbeats();
    expect(hb?.capabilities).toEqual({ ...capabilities, startedAt: '1970-01-01T00:00:00.000Z' });
    // A Date (or array) as the whole capabilities value is not an object: rejected, and heartbeats() still works.
    for (const bad of [new Date(0), ['x'], 'done']) {
      const error = await b.workers.register('w-2', 'active', bad as never).catch((e: unknown) => e);
      expect(CelersError.isInstance(error) && error.argument).toBe('capabilities');
    }
    expect((await b.workers.heartbeats()).map((h) => h.workerId)).toEqual(['w-1']);
  });

  it('retry policies survive storage and drive the retry', async () => {
    const b = await freshQueue();
    const policy = RetryPolicies.fixed(60_000);
    const id = await b.retries.enqueueWithRetryPolicy(createTask('rp', 1), policy, { maxRetries: 2 });
    const msg = await b.dequeue();
    expect(msg?.task.metadata.retryPolicy).toEqual(policy);
    const outcome = await b.reject(id, msg!.receiptHandle);
    expect(outcome.outcome).toBe('retried');
  });

  it('schedules keep metadata strings and their schedule', async () => {
    const b = await freshQueue();
    const metadata = { a: 'done', b: '5', c: '"x"', d: '{}' };
    const id = await b.schedules.register({
      name: 'nightly',
      taskName: 'job',
      payload: '5',
      schedule: { kind: 'every', minutes: 1 },
      metadata,
    });
    const got = await b.schedules.get(id);
    expect(got?.metadata).toEqual(metadata);
    expect(got?.payload).toBe('5');
    expect((await b.schedules.list())[0]?.schedule).toEqual({ kind: 'every', minutes: 1 });
  });

  it('idempotency records and group metadata keep their strings', async () => {
    const b = await freshQueue();
    const metadata = { note: '[1]', n: 'null' };
    await b.idempotency.enqueue(createTask('idem', 1), 'key-1', { metadata });
    expect((await b.idempotency.get('key-1', 'idem'))?.metadata).toEqual(metadata);
    await b.groups.enqueue('g-1', [createTask('g', 1)], { metadata });
    expect((await b.groups.status('g-1'))?.metadata).toEqual(metadata);
  });

  it('trace context survives storage', async () => {
    const b = await freshQueue();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const incoming = TraceContext.fromTraceparent(traceparent);
    const id = await b.tracing.enqueueWithTraceContext(createTask('tr', 1), incoming);
    const tc = await b.tracing.extractTraceContext(id);
    expect(tc?.toTraceparent()).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  });

  it('export → import keeps metadata and retry policies', async () => {
    const b = await freshQueue();
    const target = await freshQueue();
    const custom = { s: '5', t: 'null', u: '"x"' };
    const id = await b.enqueue(
      createTask('ex', 'done', { metadata: custom, retryPolicy: RetryPolicies.fixed(1_000) }),
    );
    const json = await b.transfer.exportTasks();
    const record = JSON.parse(json).tasks[0];
    expect(record.metadata).toEqual(custom);
    expect(record.retryPolicy).toEqual(RetryPolicies.fixed(1_000));
    await b.maintenance.purgeAllTasks(); // task ids are global: free the id before importing elsewhere
    expect(await target.transfer.importTasks(json)).toBe(1);
    expect((await target.tasks.get(id))?.metadata).toEqual(custom);
    expect((await target.dequeue())?.task.metadata.retryPolicy).toEqual(RetryPolicies.fixed(1_000));
  });
});
