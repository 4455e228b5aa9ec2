import {
  CelersError,
  type SerializedTask,
  TRACEPARENT_KEY,
  TRACESTATE_KEY,
  TraceContext,
} from '@celers/core';
import { type Context, context, propagation, type TextMapGetter } from '@opentelemetry/api';

/** Reads string entries of task metadata for the propagator; anything else counts as absent. */
const metadataGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/**
 * Writes the active OpenTelemetry context into task metadata as W3C `traceparent`/`tracestate`, through the
 * registered propagator (a no-op when no SDK is installed). An explicit `traceparent` already in the
 * metadata wins. The broker calls it inside the `celers.enqueue*` PRODUCER span, so the stored context is
 * that span's: consumers become its children.
 * @internal
 */
export function injectActiveTraceContext(metadata: Record<string, unknown>): void {
  if (typeof metadata[TRACEPARENT_KEY] === 'string') return;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (carrier.traceparent) {
    metadata[TRACEPARENT_KEY] = carrier.traceparent;
    if (carrier.tracestate) metadata[TRACESTATE_KEY] = carrier.tracestate;
  }
}

/**
 * The OpenTelemetry context a consumer should use as parent for the span that processes `task`: `base`
 * (default: the active context) carrying the producer's remote span context, read from the task's
 * `traceparent`/`tracestate` metadata through the registered propagator. Without a traceparent (or without
 * a registered propagator) it returns `base` unchanged.
 *
 * @example
 * ```ts
 * import { SpanKind, trace } from '@opentelemetry/api';
 *
 * const tracer = trace.getTracer('my-consumer');
 * const msg = await broker.dequeue();
 * if (msg) {
 *   const parent = extractTaskContext(msg.task);
 *   await tracer.startActiveSpan(`process ${msg.task.metadata.name}`, { kind: SpanKind.CONSUMER }, parent, async (span) => {
 *     try { await broker.ack(msg.task.metadata.id, msg.receiptHandle); } finally { span.end(); }
 *   });
 * }
 * ```
 */
export function extractTaskContext(task: SerializedTask, base: Context = context.active()): Context {
  const custom = task?.metadata?.custom;
  if (typeof custom !== 'object' || custom === null) {
    throw CelersError.invalidArgument(
      'task',
      'expected a task with metadata.custom (a dequeued message.task)',
    );
  }
  return propagation.extract(base, custom, metadataGetter);
}

/**
 * The trace context stored in task metadata, or `null` when there is none or it is malformed (W3C asks
 * receivers to ignore an invalid traceparent rather than fail).
 * @internal
 */
export function readStoredTraceContext(metadata: Record<string, unknown>): TraceContext | null {
  try {
    return TraceContext.fromMetadata(metadata) ?? null;
  } catch (error) {
    if (CelersError.isInstance(error) && error.code === 'INVALID_ARGUMENT') return null;
    throw error;
  }
}

/**
 * Checks the trace entries a producer put in task metadata: a `traceparent` must be a valid W3C header and
 * a `tracestate` a string, so a malformed header is an `INVALID_ARGUMENT` at enqueue instead of a context
 * that consumers silently drop. Absent entries are fine.
 * @internal
 */
export function assertTraceMetadata(custom: Record<string, unknown>, argument: string): void {
  const traceparent = custom[TRACEPARENT_KEY];
  const tracestate = custom[TRACESTATE_KEY];
  if (tracestate !== undefined && typeof tracestate !== 'string') {
    throw CelersError.invalidArgument(`${argument}.${TRACESTATE_KEY}`, 'expected a W3C tracestate string');
  }
  if (traceparent === undefined) return;
  try {
    TraceContext.fromTraceparent(traceparent as string);
  } catch (cause) {
    const reason =
      typeof traceparent === 'string'
        ? `malformed traceparent "${traceparent.slice(0, 80)}"`
        : 'expected a string';
    throw new CelersError(
      'INVALID_ARGUMENT',
      `Invalid argument "${argument}.${TRACEPARENT_KEY}": ${reason}`,
      {
        argument: `${argument}.${TRACEPARENT_KEY}`,
        cause,
      },
    );
  }
}
