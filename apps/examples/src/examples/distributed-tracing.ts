// distributed_tracing: W3C traceparent on tasks, so one trace follows a request through producers and workers.
import { createTask, TraceContext } from '@celers/core';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  section('Parse and generate W3C traceparent headers');
  const incoming = TraceContext.fromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  info(`trace ${incoming.traceId} span ${incoming.spanId} sampled=${incoming.isSampled()}`);
  check(
    incoming.toTraceparent() === '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    'traceparent round-trips unchanged',
  );
  const fresh = TraceContext.generate();
  check(
    /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(fresh.toTraceparent()),
    'generated a new sampled trace context',
  );
  const bad = (() => {
    try {
      TraceContext.fromTraceparent('00-not-a-trace-01');
      return null;
    } catch (error) {
      return error as { code?: string };
    }
  })();
  check(bad?.code === 'INVALID_ARGUMENT', 'a malformed traceparent is rejected with INVALID_ARGUMENT');

  await withBroker(ctx, async (broker) => {
    section('Carry the trace from an HTTP request into a task');
    const apiSpan = incoming.createChildSpan();
    const orderTask = await broker.tracing.enqueueWithTraceContext(
      createTask('orders.process', { orderId: 7 }),
      apiSpan,
    );
    const stored = await broker.tracing.extractTraceContext(orderTask);
    info(`stored traceparent ${stored?.toTraceparent()}`);
    check(
      stored?.traceId === incoming.traceId && stored.spanId !== apiSpan.spanId,
      'the task stores the trace id with its own producer span',
    );

    section('A worker continues the trace in follow-up tasks (3 levels)');
    const msg = await broker.dequeue();
    const workerSpan = TraceContext.fromMetadata(msg!.task.metadata.custom)!.createChildSpan();
    info(`worker span ${workerSpan.spanId} (parent ${stored!.spanId})`);
    const invoiceTask = await broker.tracing.enqueueWithParentTrace(
      orderTask,
      createTask('invoices.create', { orderId: 7 }),
    );
    await broker.ack(orderTask, msg!.receiptHandle);
    const emailTask = await broker.tracing.enqueueWithParentTrace(
      invoiceTask,
      createTask('emails.invoice', { orderId: 7 }),
    );
    const chain = await Promise.all(
      [orderTask, invoiceTask, emailTask].map((id) => broker.tracing.extractTraceContext(id)),
    );
    for (const [i, c] of chain.entries()) info(`level ${i + 1}: trace ${c?.traceId} span ${c?.spanId}`);
    check(
      chain.every((c) => c?.traceId === incoming.traceId),
      'all 3 levels share one trace id',
    );
    check(new Set(chain.map((c) => c?.spanId)).size === 3, 'each level has its own span id');

    section('Sampling decisions travel with the context');
    const unsampled = TraceContext.generate(false);
    const quiet = await broker.tracing.enqueueWithTraceContext(createTask('metrics.flush', {}), unsampled);
    check(
      (await broker.tracing.extractTraceContext(quiet))?.isSampled() === false,
      'an unsampled trace stays unsampled downstream',
    );
    const untraced = await broker.enqueue(createTask('cache.evict', {}));
    check(
      (await broker.tracing.extractTraceContext(untraced)) === null,
      'tasks enqueued without a trace carry none',
    );
  });
}
