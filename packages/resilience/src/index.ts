// @celers/resilience: lifecycle hooks, retry policies and a circuit breaker. Pure: no I/O.
export { CircuitBreaker, type CircuitBreakerStats, type CircuitState } from './circuit-breaker.js';
export {
  type CircuitBreakerConfig,
  DEFAULT_CIRCUIT_BREAKER_CONFIG,
  type ResolvedCircuitBreakerConfig,
  resolveCircuitBreakerConfig,
} from './circuit-breaker-config.js';
export type { CircuitProbeResult, CircuitStateChange } from './circuit-breaker-events.js';
export {
  HOOK_POINTS,
  type HookContext,
  type HookFn,
  type HookPoint,
  HookRegistry,
  hookContext,
} from './hook-registry.js';
export { computeRetryDelay, type RandomSource, seededRandom } from './retry-delay.js';
export { RetryPolicies } from './retry-policies.js';
