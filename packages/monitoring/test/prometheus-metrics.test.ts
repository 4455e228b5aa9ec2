import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsHandler, registerBrokerMetrics } from '../src/index.js';
import { parseSamples, sampleValue } from './helpers/prometheus-text.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let other: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'prom', migrate: true });
  other = await broker.forQueue('prom-other');
});
afterAll(async () => {
  await other?.close();
  await broker?.close();
  await tdb?.drop();
});

describe('registerBrokerMetrics', () => {
  it('counts a known sequence of operations and reads queue gauges on scrape', async () => {
    const registry = new Registry();
    const unregister = registerBrokerMetrics(broker, { registry });
    const unregisterOther = registerBrokerMetrics(other, { registry });
    try {
      const before = await registry.metrics();
      expect(sampleValue(before, 'celers_tasks_enqueued_total', { queue: 'prom' })).toBe(0);
      expect(sampleValue(before, 'celers_queue_size', { queue: 'prom' })).toBe(0);

      await broker.enqueue(createTask('email', { n: 1 }));
      await broker.enqueueBatch([
        createTask('email', { n: 2 }),
        createTask('sms', { n: 3 }),
        createTask('sms', { n: 4 }),
      ]);
      await broker.enqueue(createTask('doomed', {}, { maxRetries: 0 }));
      await other.enqueue(createTask('elsewhere', {}));
      const [first, second] = await broker.dequeueBatch(2);
      await broker.ack(first!.task.metadata.id, first!.receiptHandle);
      await broker.reject(second!.task.metadata.id, second!.receiptHandle, {
        error: 'try again',
        delayMs: 0,
      });
      // claim 'doomed' (max priority ties → FIFO; claim until we hold it), then dead-letter it
      let doomed = await broker.dequeue();
      while (doomed && doomed.task.metadata.name !== 'doomed') {
        await broker.ack(doomed.task.metadata.id, doomed.receiptHandle);
        doomed = await broker.dequeue();
      }
      expect(doomed).not.toBeNull();
      await broker.reject(doomed!.task.metadata.id, doomed!.receiptHandle, { error: 'fatal' });
      await broker.dequeue({ workerId: 'holder' }); // leave one processing

      const ackedBeforeDoomed = (
        await broker.database
          .selectFrom('celers_tasks')
          .select(({ fn }) => fn.countAll<number>().as('n'))
          .where('queue_name', '=', 'prom')
          .where('state', '=', 'completed')
          .executeTakeFirstOrThrow()
      ).n;
      const dequeues = 2 + Number(ackedBeforeDoomed) - 1 + 1 + 1; // batch of 2, loop claims, doomed, holder
      const text = await registry.metrics();
      const q = { queue: 'prom' };
      expect(sampleValue(text, 'celers_tasks_enqueued_total', q)).toBe(5);
      expect(sampleValue(text, 'celers_tasks_enqueued_by_type', { ...q, task_name: 'email' })).toBe(2);
      expect(sampleValue(text, 'celers_tasks_enqueued_by_type', { ...q, task_name: 'sms' })).toBe(2);
      expect(sampleValue(text, 'celers_tasks_enqueued_by_type', { ...q, task_name: 'doomed' })).toBe(1);
      expect(sampleValue(text, 'celers_tasks_dequeued_total', q)).toBe(dequeues);
      expect(sampleValue(text, 'celers_tasks_acked_total', q)).toBe(Number(ackedBeforeDoomed));
      expect(sampleValue(text, 'celers_tasks_rejected_total', { ...q, outcome: 'retried' })).toBe(1);
      expect(sampleValue(text, 'celers_tasks_rejected_total', { ...q, outcome: 'dead-lettered' })).toBe(1);

      // gauges agree with the table
      const counts = await broker.database
        .selectFrom('celers_tasks')
        .select(['state', ({ fn }) => fn.countAll<number>().as('n')])
        .where('queue_name', '=', 'prom')
        .groupBy('state')
        .execute();
      const byState = Object.fromEntries(counts.map((c) => [c.state, Number(c.n)]));
      expect(sampleValue(text, 'celers_queue_size', q)).toBe(byState.pending ?? 0);
      expect(sampleValue(text, 'celers_processing_queue_size', q)).toBe(1);
      expect(sampleValue(text, 'celers_dlq_size', q)).toBe(1);

      // the second broker shares the registry under its own queue label
      expect(sampleValue(text, 'celers_tasks_enqueued_total', { queue: 'prom-other' })).toBe(1);
      expect(sampleValue(text, 'celers_queue_size', { queue: 'prom-other' })).toBe(1);
      expect(sampleValue(text, 'celers_dlq_size', { queue: 'prom-other' })).toBe(0);

      // operation histogram: one enqueue observation per enqueue call, labelled ok="true"
      expect(
        sampleValue(text, 'celers_operation_duration_seconds_count', {
          ...q,
          operation: 'enqueue',
          ok: 'true',
        }),
      ).toBe(2);
      expect(
        sampleValue(text, 'celers_operation_duration_seconds_count', { ...q, operation: 'ack', ok: 'true' }),
      ).toBe(Number(ackedBeforeDoomed));
      expect(
        parseSamples(text).some(
          (s) => s.name === 'celers_operation_duration_seconds_bucket' && s.labels.le === '+Inf',
        ),
      ).toBe(true);

      // a failed operation is labelled ok="false"
      await expect(broker.ack(first!.task.metadata.id, first!.receiptHandle)).rejects.toMatchObject({
        code: 'STALE_RECEIPT',
      });
      const afterFailure = await registry.metrics();
      expect(
        sampleValue(afterFailure, 'celers_operation_duration_seconds_count', {
          ...q,
          operation: 'ack',
          ok: 'false',
        }),
      ).toBe(1);
    } finally {
      unregister();
      unregisterOther();
    }
  });

  it('serves the registry over HTTP through metricsHandler', async () => {
    const registry = new Registry();
    const unregister = registerBrokerMetrics(broker, { registry, prefix: 'http_celers_' });
    const server: Server = createServer(metricsHandler(registry)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await broker.enqueue(createTask('scraped', {}));
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const body = await response.text();
      expect(sampleValue(body, 'http_celers_tasks_enqueued_total', { queue: 'prom' })).toBe(1);
      expect(
        sampleValue(body, 'http_celers_tasks_enqueued_by_type', { queue: 'prom', task_name: 'scraped' }),
      ).toBe(1);
      const pending = await broker.queueSize();
      expect(sampleValue(body, 'http_celers_queue_size', { queue: 'prom' })).toBe(pending);
      const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' });
      expect(post.status).toBe(405);
    } finally {
      server.close();
      await once(server, 'close');
      unregister();
    }
  });

  it('removes its listeners and metrics when unregistered, and can register again', async () => {
    const registry = new Registry();
    const baseline = broker.listenerCount('task:enqueued');
    const unregister = registerBrokerMetrics(broker, { registry });
    expect(broker.listenerCount('task:enqueued')).toBe(baseline + 1);
    expect(broker.listenerCount('operation:finished')).toBeGreaterThan(0);
    unregister();
    unregister(); // idempotent
    expect(broker.listenerCount('task:enqueued')).toBe(baseline);
    expect(parseSamples(await registry.metrics())).toEqual([]);
    expect(registry.getSingleMetric('celers_tasks_enqueued_total')).toBeUndefined();
    const again = registerBrokerMetrics(broker, { registry });
    await broker.enqueue(createTask('again', {}));
    expect(sampleValue(await registry.metrics(), 'celers_tasks_enqueued_total', { queue: 'prom' })).toBe(1);
    again();
  });

  it('keeps serving counters when the gauge query fails', async () => {
    const registry = new Registry();
    const { createDatabase } = await import('@celers/schema');
    // a database without the celers tables: every gauge query fails
    const missingUrl = new URL(tdb.url);
    missingUrl.pathname = '/celers_no_such_database';
    const closedDb = createDatabase(missingUrl.toString());
    const fake = Object.assign(Object.create(broker) as MysqlBroker, {});
    Object.defineProperty(fake, 'database', { get: () => closedDb });
    Object.defineProperty(fake, 'queueName', { get: () => 'broken' });
    const unregister = registerBrokerMetrics(fake, { registry });
    try {
      const text = await registry.metrics();
      expect(sampleValue(text, 'celers_metrics_collect_errors_total', { queue: 'broken' })).toBe(1);
      expect(sampleValue(text, 'celers_queue_size', { queue: 'broken' })).toBeUndefined();
      expect(sampleValue(text, 'celers_tasks_enqueued_total', { queue: 'broken' })).toBe(0);
    } finally {
      unregister();
      await closedDb.destroy();
    }
  });

  it('validates its arguments', () => {
    const registry = new Registry();
    expect(() => registerBrokerMetrics(broker, {} as never)).toThrow(
      expect.objectContaining({ argument: 'options.registry' }),
    );
    expect(() => registerBrokerMetrics(broker, { registry, prefix: '9bad' })).toThrow(
      expect.objectContaining({ argument: 'options.prefix' }),
    );
    expect(() => registerBrokerMetrics(broker, { registry, buckets: [1, 0.5] })).toThrow(
      expect.objectContaining({ argument: 'options.buckets' }),
    );
    expect(() => registerBrokerMetrics({} as never, { registry })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
