import { BROKER_INSTRUMENTATION_NAME, createTask, TelemetryAttributes, TraceContext } from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractTaskContext, MysqlBroker } from '../src/index.js';

// An OpenTelemetry SDK registered for this file only (vitest isolates files), as an application would.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
const app = trace.getTracer('test-app');

const PAYLOAD_SECRET = 'PAYLOAD-SECRET-4711';
const METADATA_SECRET = 'METADATA-SECRET-0815';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

async function freshBroker(): Promise<MysqlBroker> {
  const b = await root.forQueue(`trace-${++n}`);
  opened.push(b);
  return b;
}

async function storedMetadata(b: MysqlBroker, id: string): Promise<Record<string, unknown>> {
  const row = await b.database
    .selectFrom('celers_tasks')
    .select('metadata')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {};
}

function spans(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name === name);
}

function only(name: string): ReadableSpan {
  const found = spans(name);
  expect(found, `exactly one span named ${name}`).toHaveLength(1);
  return found[0]!;
}

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'trace-root', migrate: true });
});
beforeEach(() => exporter.reset());
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
  await provider.shutdown();
  propagation.disable();
  trace.disable();
  context.disable();
});

describe('trace propagation producer → broker → consumer', () => {
  it('the consumer span joins the producer trace as a child of the enqueue PRODUCER span', async () => {
    const b = await freshBroker();
    const task = createTask(
      'orders.process',
      { card: PAYLOAD_SECRET },
      { metadata: { customer: METADATA_SECRET } },
    );
    const id = await app.startActiveSpan('POST /orders', async (span) => {
      try {
        return await b.enqueue(task);
      } finally {
        span.end();
      }
    });

    const msg = await b.dequeue({ workerId: 'w-trace' });
    expect(msg?.task.metadata.id).toBe(id);
    await app.startActiveSpan(
      'process orders.process',
      { kind: SpanKind.CONSUMER },
      extractTaskContext(msg!.task),
      async (span) => {
        try {
          await b.ack(id, msg!.receiptHandle);
        } finally {
          span.end();
        }
      },
    );

    const producer = only('POST /orders');
    const enqueue = only('celers.enqueue');
    const dequeue = only('celers.dequeue');
    const consumer = only('process orders.process');
    const ack = only('celers.ack');
    const traceId = producer.spanContext().traceId;

    // producer → celers.enqueue (PRODUCER) → consumer (CONSUMER, remote parent) → celers.ack
    expect(enqueue.kind).toBe(SpanKind.PRODUCER);
    expect(enqueue.spanContext().traceId).toBe(traceId);
    expect(enqueue.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.spanContext().traceId).toBe(traceId);
    expect(consumer.parentSpanContext).toMatchObject({
      traceId,
      spanId: enqueue.spanContext().spanId,
      isRemote: true,
    });
    expect(ack.spanContext().traceId).toBe(traceId);
    expect(ack.parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);
    // The claim ran outside any span: its own root trace.
    expect(dequeue.parentSpanContext).toBeUndefined();
    expect(dequeue.spanContext().traceId).not.toBe(traceId);

    // What the task stores is exactly the enqueue span's context, in W3C form.
    const metadata = await storedMetadata(b, id);
    expect(metadata.traceparent).toBe(`00-${traceId}-${enqueue.spanContext().spanId}-01`);
    expect(metadata.customer).toBe(METADATA_SECRET);
    expect(task.metadata.custom).toEqual({ customer: METADATA_SECRET }); // the caller's task is not mutated
  });

  it('operation spans carry db and celers attributes, never payloads or metadata values', async () => {
    const b = await freshBroker();
    const id = await b.enqueue(
      createTask('reports.build', { secret: PAYLOAD_SECRET }, { metadata: { note: METADATA_SECRET } }),
    );
    const msg = await b.dequeue({ workerId: 'w-attrs' });
    await b.reject(id, msg!.receiptHandle, { error: 'transient', delayMs: 0 });
    const again = await b.dequeue();
    await b.ackBatch([
      { taskId: id, receiptHandle: again!.receiptHandle, result: { result: { out: PAYLOAD_SECRET } } },
    ]);

    const enqueue = only('celers.enqueue');
    expect(enqueue.instrumentationScope.name).toBe(BROKER_INSTRUMENTATION_NAME);
    expect(enqueue.attributes).toMatchObject({
      // The detected server, as OpenTelemetry names it: `mariadb` on MariaDB, `mysql` on MySQL.
      [TelemetryAttributes.DbSystem]: /mariadb/i.test(b.serverProfile.version) ? 'mariadb' : 'mysql',
      [TelemetryAttributes.DbOperation]: 'enqueue',
      [TelemetryAttributes.Operation]: 'enqueue',
      [TelemetryAttributes.QueueName]: b.queueName,
      [TelemetryAttributes.TaskId]: id,
      [TelemetryAttributes.TaskName]: 'reports.build',
    });
    const [firstClaim] = spans('celers.dequeue');
    expect(firstClaim?.kind).toBe(SpanKind.CLIENT);
    expect(firstClaim?.attributes).toMatchObject({
      [TelemetryAttributes.TaskCount]: 1,
      [TelemetryAttributes.WorkerId]: 'w-attrs',
    });
    expect(only('celers.reject').attributes).toMatchObject({
      [TelemetryAttributes.TaskId]: id,
      [TelemetryAttributes.QueueName]: b.queueName,
    });
    expect(only('celers.ackBatch').attributes).toMatchObject({ [TelemetryAttributes.TaskCount]: 1 });
    for (const span of exporter.getFinishedSpans()) {
      const text = JSON.stringify({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
      });
      expect(text).not.toContain(PAYLOAD_SECRET);
      expect(text).not.toContain(METADATA_SECRET);
      expect(text).not.toContain('transient'); // error messages are task data too
    }
  });

  it('failed operations end their span with ERROR status and the CelersError code', async () => {
    const b = await freshBroker();
    const id = await b.enqueue(createTask('t', 1));
    const msg = await b.dequeue();
    await b.ack(id, msg!.receiptHandle);
    exporter.reset();
    await expect(b.ack(id, msg!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    const ack = only('celers.ack');
    expect(ack.status).toEqual({ code: SpanStatusCode.ERROR, message: 'STALE_RECEIPT' });
    expect(ack.attributes['error.type']).toBe('STALE_RECEIPT');
    expect(ack.events.map((e) => e.name)).toContain('exception');
  });

  it('every task of a batch carries the enqueueBatch span as parent', async () => {
    const b = await freshBroker();
    const ids = await app.startActiveSpan('batch producer', async (span) => {
      try {
        return await b.enqueueBatch([createTask('t', 1), createTask('t', 2), createTask('t', 3)]);
      } finally {
        span.end();
      }
    });
    const batch = only('celers.enqueueBatch');
    expect(batch.kind).toBe(SpanKind.PRODUCER);
    expect(batch.attributes[TelemetryAttributes.TaskCount]).toBe(3);
    for (const id of ids) {
      expect((await storedMetadata(b, id)).traceparent).toBe(
        `00-${batch.spanContext().traceId}-${batch.spanContext().spanId}-01`,
      );
    }
  });

  it('an explicit traceparent in the task metadata wins over the active context', async () => {
    const b = await freshBroker();
    const explicit = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const id = await app.startActiveSpan('other work', async (span) => {
      try {
        return await b.enqueue(
          createTask('t', 1, { metadata: { traceparent: explicit, tracestate: 'k=v' } }),
        );
      } finally {
        span.end();
      }
    });
    expect(await storedMetadata(b, id)).toMatchObject({ traceparent: explicit, tracestate: 'k=v' });
    const msg = await b.dequeue();
    const parent = trace.getSpanContext(extractTaskContext(msg!.task, ROOT_CONTEXT));
    expect(parent).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      isRemote: true,
    });
    expect(parent?.traceState?.get('k')).toBe('v');
  });

  it('extractTaskContext returns the base context when the task has no (valid) traceparent', async () => {
    const b = await freshBroker();
    const plain = createTask('t', 1);
    expect(extractTaskContext(plain, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    const garbage = createTask('t', 1, { metadata: { traceparent: 'not-a-traceparent' } });
    expect(trace.getSpanContext(extractTaskContext(garbage, ROOT_CONTEXT))).toBeUndefined();
    const numeric = createTask('t', 1, { metadata: { traceparent: 42 } });
    expect(trace.getSpanContext(extractTaskContext(numeric, ROOT_CONTEXT))).toBeUndefined();
    expect(() => extractTaskContext({} as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'task' }),
    );
    // Enqueued outside any application span, the task still carries the broker's own enqueue span.
    const id = await b.enqueue(createTask('t', 1));
    const enqueue = only('celers.enqueue');
    expect(enqueue.parentSpanContext).toBeUndefined();
    expect((await storedMetadata(b, id)).traceparent).toBe(
      `00-${enqueue.spanContext().traceId}-${enqueue.spanContext().spanId}-01`,
    );
  });

  it('enqueueWithTraceContext makes the broker span a child of the given context', async () => {
    const b = await freshBroker();
    const incoming = TraceContext.fromTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const id = await b.tracing.enqueueWithTraceContext(createTask('t', 1), incoming);
    const span = only('celers.enqueueWithTraceContext');
    expect(span.kind).toBe(SpanKind.PRODUCER);
    expect(span.spanContext().traceId).toBe(incoming.traceId);
    expect(span.parentSpanContext).toMatchObject({ spanId: incoming.spanId, isRemote: true });
    const stored = await b.tracing.extractTraceContext(id);
    expect(stored?.traceId).toBe(incoming.traceId);
  });

  it('without a registered propagator nothing is injected (no SDK: no cost, no metadata)', async () => {
    const b = await freshBroker();
    propagation.disable();
    try {
      const id = await app.startActiveSpan('no propagator', async (span) => {
        try {
          return await b.enqueue(createTask('t', 1));
        } finally {
          span.end();
        }
      });
      expect(await storedMetadata(b, id)).toEqual({});
    } finally {
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    }
  });
});
