import { createTask, TelemetryAttributes, WORKER_INSTRUMENTATION_NAME } from '@celers/core';
import {
  type Context,
  context,
  propagation,
  SpanKind,
  type TextMapGetter,
  type TextMapPropagator,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent, waitFor } from './support/wait-for.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('tracing');
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PRODUCER_SPAN_ID = '00f067aa0ba902b7';

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
beforeEach(() => exporter.reset());
afterAll(async () => {
  await provider.shutdown();
  contextManager.disable();
  propagation.disable();
});

/** The finished process spans for task `name` (the span ends after the ack, just after `completed`). */
function processSpans(name: string) {
  return waitFor(
    () => {
      const spans = exporter.getFinishedSpans().filter((s) => s.name === `celers.process ${name}`);
      return spans.length > 0 ? spans : undefined;
    },
    { message: `a finished "celers.process ${name}" span` },
  );
}

describe('Worker tracing', () => {
  it("runs the handler in a CONSUMER span whose parent is the producer's traceparent", async () => {
    const broker = await fx.queue();
    let inside: { traceId?: string; spanId?: string; ctxTraceId?: string } = {};
    const worker = fx.worker({
      broker,
      handlers: {
        traced: async (_payload, ctx) => {
          const active = trace.getActiveSpan()?.spanContext();
          inside = {
            traceId: active?.traceId,
            spanId: active?.spanId,
            ctxTraceId: ctx.traceContext?.traceId,
          };
          await ctx.progress(50); // a broker call made inside the handler is a child of the process span
        },
      },
    });
    await worker.start();
    const completed = nextEvent(worker, 'task:completed');
    const traceparent = `00-${TRACE_ID}-${PRODUCER_SPAN_ID}-01`;
    const id = await broker.enqueue(
      createTask('traced', { secret: 'payload-must-not-leak' }, { metadata: { traceparent } }),
    );
    await completed;

    const [span] = await processSpans('traced');
    expect(span).toBeDefined();
    expect(span?.instrumentationScope.name).toBe(WORKER_INSTRUMENTATION_NAME);
    expect(span?.kind).toBe(SpanKind.CONSUMER);
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.parentSpanContext?.spanId).toBe(PRODUCER_SPAN_ID);
    expect(span?.attributes).toMatchObject({
      [TelemetryAttributes.TaskId]: id,
      [TelemetryAttributes.TaskName]: 'traced',
      [TelemetryAttributes.QueueName]: broker.queueName,
      [TelemetryAttributes.WorkerId]: worker.workerId,
      [TelemetryAttributes.Attempt]: 1,
    });
    expect(JSON.stringify(span?.attributes)).not.toContain('payload-must-not-leak');
    expect(inside).toEqual({ traceId: TRACE_ID, spanId: span?.spanContext().spanId, ctxTraceId: TRACE_ID });
    const progressSpan = exporter.getFinishedSpans().find((s) => s.name === 'celers.updateProgress');
    expect(progressSpan?.parentSpanContext?.spanId).toBe(span?.spanContext().spanId);
    await worker.close();
  });

  it('marks the span as an error when the handler throws', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({
      broker,
      handlers: {
        broken: () => {
          throw new Error('no luck');
        },
      },
    });
    await worker.start();
    const failed = nextEvent(worker, 'task:failed');
    await broker.enqueue(createTask('broken', null, { maxRetries: 0 }));
    await failed;
    const [span] = await processSpans('broken');
    expect(span?.status).toMatchObject({ code: 2, message: 'no luck' }); // SpanStatusCode.ERROR
    expect(span?.events.map((e) => e.name)).toContain('exception');
    expect(span?.parentSpanContext).toBeUndefined(); // no producer context: a root span
    await worker.close();
  });

  it('extracts the parent through the registered propagator from the task metadata', async () => {
    // A propagator reading a non-W3C key proves the worker goes through propagation.extract(metadata).
    const custom: TextMapPropagator = {
      inject: () => undefined,
      extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
        const value = getter.get(carrier, 'x-test-parent');
        const spanId = Array.isArray(value) ? value[0] : value;
        if (!spanId) return ctx;
        return trace.setSpanContext(ctx, {
          traceId: TRACE_ID,
          spanId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        });
      },
      fields: () => ['x-test-parent'],
    };
    propagation.setGlobalPropagator(custom);
    try {
      const broker = await fx.queue();
      const worker = fx.worker({ broker, handlers: { custom: () => undefined } });
      await worker.start();
      const completed = nextEvent(worker, 'task:completed');
      await broker.enqueue(createTask('custom', null, { metadata: { 'x-test-parent': 'a1b2c3d4e5f60718' } }));
      await completed;
      const [span] = await processSpans('custom');
      expect(span?.parentSpanContext?.spanId).toBe('a1b2c3d4e5f60718');
      expect(span?.spanContext().traceId).toBe(TRACE_ID);
      await worker.close();
    } finally {
      propagation.disable();
    }
  });
});
