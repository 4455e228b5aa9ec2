import {
  type TaskMetadata,
  TelemetryAttributes,
  TraceContext,
  WORKER_INSTRUMENTATION_NAME,
} from '@celers/core';
import {
  type Attributes,
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
} from '@opentelemetry/api';

/** The producer's trace context from task metadata, or `null` when absent or malformed. @internal */
export function traceContextOf(metadata: TaskMetadata): TraceContext | null {
  try {
    return TraceContext.fromMetadata(metadata.custom) ?? null;
  } catch {
    return null; // a malformed header from some producer must not fail the task
  }
}

/**
 * The parent context for a task's processing span: whatever the registered propagator extracts from the
 * metadata (W3C `traceparent`/`tracestate` with the usual SDK setup), else the task's W3C context read by
 * core's parser, so spans still link when the application registered no propagator.
 * @internal
 */
export function parentContextOf(metadata: TaskMetadata): Context {
  const carrier = stringEntries(metadata.custom);
  const extracted = propagation.extract(ROOT_CONTEXT, carrier);
  if (trace.getSpanContext(extracted)) return extracted;
  const fallback = traceContextOf(metadata);
  return fallback ? trace.setSpanContext(ROOT_CONTEXT, fallback.toSpanContext()) : ROOT_CONTEXT;
}

/**
 * Starts the CONSUMER span `celers.process <taskName>` (tracer `@celers/worker`) as a child of the
 * producer's context. Attributes name the task, never its payload.
 * @internal
 */
export function startProcessSpan(
  metadata: TaskMetadata,
  queue: string,
  workerId: string,
  attempt: number,
): { span: Span; context: Context } {
  const parent = parentContextOf(metadata);
  const attributes: Attributes = {
    [TelemetryAttributes.QueueName]: queue,
    [TelemetryAttributes.TaskId]: metadata.id,
    [TelemetryAttributes.TaskName]: metadata.name,
    [TelemetryAttributes.WorkerId]: workerId,
    [TelemetryAttributes.Attempt]: attempt,
    [TelemetryAttributes.Operation]: 'process',
  };
  const span = trace
    .getTracer(WORKER_INSTRUMENTATION_NAME)
    .startSpan(`celers.process ${metadata.name}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

function stringEntries(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) if (typeof value === 'string') out[key] = value;
  return out;
}
