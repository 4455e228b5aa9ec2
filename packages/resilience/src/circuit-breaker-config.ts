import { assertDurationMs, assertInteger, assertOptionalObject, CelersError } from '@celers/core';

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
}

/** Resolved {@link CircuitBreakerConfig}. */
export type ResolvedCircuitBreakerConfig = Readonly<Required<CircuitBreakerConfig>>;

/** Defaults for {@link CircuitBreakerConfig}. */
export const DEFAULT_CIRCUIT_BREAKER_CONFIG: ResolvedCircuitBreakerConfig = Object.freeze({
  failureThreshold: 5,
  resetTimeoutMs: 30_000,
  successThreshold: 2,
  halfOpenMaxCalls: 1,
  isFailure: () => true,
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
  const merged = { ...DEFAULT_CIRCUIT_BREAKER_CONFIG };
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
  return Object.freeze(merged);
}
