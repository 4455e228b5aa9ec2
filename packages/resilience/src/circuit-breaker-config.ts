import { assertDurationMs, assertInteger, assertOptionalObject, CelersError } from '@celers/core';
import type { CircuitProbeResult, CircuitStateChange } from './circuit-breaker-events.js';

/** Circuit breaker settings (the seed's `CircuitBreakerConfig`); every field optional. */
export interface CircuitBreakerConfig {
  /** Consecutive failures that open the circuit. @defaultValue 5 */
  failureThreshold?: number;
  /** How long the circuit stays open before letting trial calls through (half-open). @defaultValue 30000 */
  resetTimeoutMs?: number;
  /** Consecutive successful trial calls in half-open that close it again. @defaultValue 2 */
  successThreshold?: number;
  /**
   * Trial calls allowed in flight at once while half-open; further calls fail fast with `CIRCUIT_OPEN`, so a
   * server that is still down is probed by a few calls, not by every caller at once. @defaultValue 1
   */
  halfOpenMaxCalls?: number;
  /**
   * Which errors count as failures. Other errors pass through and count as successes (the dependency
   * answered; the call failed for another reason). @defaultValue every error
   */
  isFailure?: (error: unknown) => boolean;
  /**
   * A cheap health check (the MySQL broker passes `SELECT 1`). When given, an open circuit probes in the
   * background, first after `probeIntervalMs`, then on an exponential backoff with equal jitter up to
   * `maxProbeIntervalMs`, and closes as soon as a probe succeeds, so callers never sit idle in front of a
   * healthy dependency for the rest of `resetTimeoutMs`. Probes do not count as calls. `null` means no probe
   * (for callers that supply a default, like the MySQL broker). @defaultValue none
   */
  probe?: (() => Promise<unknown>) | null;
  /** Delay before the first probe after the circuit opened. @defaultValue 100 */
  probeIntervalMs?: number;
  /**
   * Longest delay between probes (each delay is drawn from `[d/2, d]`, so a fleet of clients that lost the
   * same server does not probe in lockstep). @defaultValue 1000
   */
  maxProbeIntervalMs?: number;
  /** Called after every state change (open, half-open, closed). Throws are ignored. @defaultValue none */
  onStateChange?: (change: CircuitStateChange) => void;
  /** Called after every background probe. Throws are ignored. @defaultValue none */
  onProbe?: (result: CircuitProbeResult) => void;
}

/** The optional callbacks of a {@link CircuitBreakerConfig}: absent unless given. */
type OptionalHooks = 'probe' | 'onStateChange' | 'onProbe';

/** Resolved {@link CircuitBreakerConfig}. */
export type ResolvedCircuitBreakerConfig = Readonly<
  Required<Omit<CircuitBreakerConfig, OptionalHooks>> & Pick<CircuitBreakerConfig, OptionalHooks>
>;

/** Defaults for {@link CircuitBreakerConfig}. */
export const DEFAULT_CIRCUIT_BREAKER_CONFIG: ResolvedCircuitBreakerConfig = Object.freeze({
  failureThreshold: 5,
  resetTimeoutMs: 30_000,
  successThreshold: 2,
  halfOpenMaxCalls: 1,
  isFailure: () => true,
  probeIntervalMs: 100,
  maxProbeIntervalMs: 1_000,
});

const MAX_THRESHOLD = 1_000_000;

/**
 * Validates a circuit breaker config and fills in defaults. Bad fields are `INVALID_ARGUMENT` named
 * `<argument>.<field>`, so `MysqlBroker.connect` can report `options.circuitBreaker.failureThreshold`.
 *
 * @example
 * ```ts
 * resolveCircuitBreakerConfig({ failureThreshold: 3 }).resetTimeoutMs; // 30000
 * ```
 */
export function resolveCircuitBreakerConfig(
  config: CircuitBreakerConfig = {},
  argument = 'config',
): ResolvedCircuitBreakerConfig {
  assertOptionalObject(config, argument);
  const merged: { -readonly [K in keyof ResolvedCircuitBreakerConfig]: ResolvedCircuitBreakerConfig[K] } = {
    ...DEFAULT_CIRCUIT_BREAKER_CONFIG,
  };
  if (config.failureThreshold !== undefined) {
    merged.failureThreshold = assertInteger(
      config.failureThreshold,
      `${argument}.failureThreshold`,
      1,
      MAX_THRESHOLD,
    );
  }
  if (config.resetTimeoutMs !== undefined) {
    merged.resetTimeoutMs = assertDurationMs(config.resetTimeoutMs, `${argument}.resetTimeoutMs`, 1);
  }
  if (config.successThreshold !== undefined) {
    merged.successThreshold = assertInteger(
      config.successThreshold,
      `${argument}.successThreshold`,
      1,
      MAX_THRESHOLD,
    );
  }
  if (config.halfOpenMaxCalls !== undefined) {
    merged.halfOpenMaxCalls = assertInteger(
      config.halfOpenMaxCalls,
      `${argument}.halfOpenMaxCalls`,
      1,
      MAX_THRESHOLD,
    );
  }
  if (config.isFailure !== undefined) {
    if (typeof config.isFailure !== 'function')
      throw CelersError.invalidArgument(`${argument}.isFailure`, 'expected a function');
    merged.isFailure = config.isFailure;
  }
  for (const hook of ['probe', 'onStateChange', 'onProbe'] as const) {
    const fn = config[hook];
    if (fn === undefined || (hook === 'probe' && fn === null)) continue;
    if (typeof fn !== 'function')
      throw CelersError.invalidArgument(`${argument}.${hook}`, 'expected a function');
    (merged as Record<string, unknown>)[hook] = fn;
  }
  if (config.probeIntervalMs !== undefined) {
    merged.probeIntervalMs = assertDurationMs(config.probeIntervalMs, `${argument}.probeIntervalMs`, 1);
  }
  if (config.maxProbeIntervalMs !== undefined) {
    merged.maxProbeIntervalMs = assertDurationMs(
      config.maxProbeIntervalMs,
      `${argument}.maxProbeIntervalMs`,
      1,
    );
  }
  if (merged.maxProbeIntervalMs < merged.probeIntervalMs) {
    throw CelersError.invalidArgument(
      `${argument}.maxProbeIntervalMs`,
      `must be at least probeIntervalMs (${merged.probeIntervalMs})`,
    );
  }
  return Object.freeze(merged);
}
