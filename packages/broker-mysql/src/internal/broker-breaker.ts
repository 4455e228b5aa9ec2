import { type BrokerEventMap, coerceError } from '@celers/core';
import { CircuitBreaker, type CircuitBreakerConfig } from '@celers/resilience';
import { type CelersDatabase, isUnavailableError } from '@celers/schema';
import { type Kysely, sql } from 'kysely';

/**
 * The broker's circuit breaker: only "database unavailable" errors count, and while open it probes the pool
 * with `SELECT 1` (bypassing the breaker) on a jittered backoff, closing at the first answer, so workers resume
 * within about a second of the server coming back. Transitions and probes become the broker events
 * `circuit:changed` and `circuit:probed`; the caller's own `onStateChange`/`onProbe` still run. A caller's
 * `probe` replaces `SELECT 1`.
 * @internal
 */
export function createBrokerBreaker(
  db: Kysely<CelersDatabase>,
  queue: string,
  config: CircuitBreakerConfig,
  emit: <K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]) => void,
): CircuitBreaker {
  return new CircuitBreaker({
    isFailure: isUnavailableError,
    probe: () => sql`SELECT 1`.execute(db),
    ...config,
    onStateChange: (change) => {
      emit('circuit:changed', {
        queue,
        from: change.from,
        to: change.to,
        consecutiveFailures: change.consecutiveFailures,
      });
      config.onStateChange?.(change);
    },
    onProbe: (result) => {
      emit('circuit:probed', {
        queue,
        ok: result.ok,
        attempt: result.attempt,
        durationMs: result.durationMs,
        nextProbeInMs: result.nextProbeInMs,
        error: result.ok ? null : coerceError(result.error),
      });
      config.onProbe?.(result);
    },
  });
}
