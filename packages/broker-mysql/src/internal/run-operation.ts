import { BROKER_INSTRUMENTATION_NAME, type BrokerEventMap, TelemetryAttributes } from '@celers/core';
import type { CircuitBreaker } from '@celers/resilience';
import { toCelersError } from '@celers/schema';
import { type Attributes, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer(BROKER_INSTRUMENTATION_NAME);

/**
 * Wraps a broker operation in the circuit breaker and an OpenTelemetry span (a no-op without an SDK), maps
 * driver errors to CelersError and reports the duration.
 * @internal
 */
export async function runOperation<T>(
  queue: string,
  breaker: CircuitBreaker | null,
  emit: <K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]) => void,
  operation: string,
  fn: () => Promise<T>,
  attributes: Attributes = {},
): Promise<T> {
  const started = performance.now();
  const kind = operation.startsWith('enqueue') ? SpanKind.PRODUCER : SpanKind.CLIENT;
  return tracer.startActiveSpan(
    `celers.${operation}`,
    {
      kind,
      attributes: {
        [TelemetryAttributes.DbSystem]: 'mysql',
        [TelemetryAttributes.DbOperation]: operation,
        [TelemetryAttributes.QueueName]: queue,
        [TelemetryAttributes.Operation]: operation,
        ...attributes,
      },
    },
    async (span) => {
      let ok = false;
      try {
        const result = breaker ? await breaker.run(fn) : await fn();
        ok = true;
        return result;
      } catch (error) {
        const mapped = toCelersError(error, operation);
        span.recordException(mapped);
        span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.code });
        throw mapped;
      } finally {
        span.end();
        emit('operation', { queue, operation, durationMs: performance.now() - started, ok });
      }
    },
  );
}
