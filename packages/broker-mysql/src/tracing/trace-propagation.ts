import { context, propagation } from '@opentelemetry/api';

/**
 * Writes the active OpenTelemetry context into task metadata as W3C `traceparent`/`tracestate`, through the
 * registered propagator (a no-op when no SDK is installed). An explicit `traceparent` already in the
 * metadata wins.
 * @internal
 */
export function injectActiveTraceContext(metadata: Record<string, unknown>): void {
  if (typeof metadata.traceparent === 'string') return;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (carrier.traceparent) {
    metadata.traceparent = carrier.traceparent;
    if (carrier.tracestate) metadata.tracestate = carrier.tracestate;
  }
}
