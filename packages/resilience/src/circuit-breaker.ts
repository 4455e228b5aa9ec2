import { assertDurationMs, assertInteger, CelersError } from '@celers/core';

/** Circuit states (the seed's `CircuitBreakerState`). */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Circuit breaker settings; every field optional. */
export interface CircuitBreakerConfig {
  /** Consecutive failures that open the circuit. @defaultValue 5 */
  failureThreshold?: number;
  /** How long the circuit stays open before letting trial calls through. @defaultValue 30000 */
  resetTimeoutMs?: number;
  /** Consecutive successes in half-open that close it again. @defaultValue 2 */
  successThreshold?: number;
  /** Which errors count as failures; others pass through untouched. @defaultValue every error */
  isFailure?: (error: unknown) => boolean;
}

/** Resolved {@link CircuitBreakerConfig}. */
export type ResolvedCircuitBreakerConfig = Readonly<Required<CircuitBreakerConfig>>;

/** Defaults for {@link CircuitBreakerConfig}. */
export const DEFAULT_CIRCUIT_BREAKER_CONFIG: ResolvedCircuitBreakerConfig = Object.freeze({
  failureThreshold: 5,
  resetTimeoutMs: 30_000,
  successThreshold: 2,
  isFailure: () => true,
});

/** Counters and timestamps (the seed's `CircuitBreakerStats`). */
export interface CircuitBreakerStats {
  state: CircuitState;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  totalFailures: number;
  totalSuccesses: number;
  /** Calls refused with `CIRCUIT_OPEN`. */
  totalRejected: number;
  lastFailureAt: Date | null;
  lastSuccessAt: Date | null;
  openedAt: Date | null;
  lastStateChangeAt: Date;
}

/**
 * Closed → Open after `failureThreshold` consecutive failures → Half-open after `resetTimeoutMs` →
 * Closed after `successThreshold` successes (or Open again on any failure). While open, `run` throws
 * `CIRCUIT_OPEN` at once, without calling the operation.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 10_000 });
 * const rows = await breaker.run(() => db.selectFrom('celers_tasks').selectAll().execute());
 * ```
 */
export class CircuitBreaker {
  readonly config: ResolvedCircuitBreakerConfig;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #consecutiveSuccesses = 0;
  #totalFailures = 0;
  #totalSuccesses = 0;
  #totalRejected = 0;
  #lastFailureAt: number | null = null;
  #lastSuccessAt: number | null = null;
  #openedAt: number | null = null;
  #lastStateChangeAt: number;

  /** @param now - clock in epoch ms; inject a fake one in tests */
  constructor(config: CircuitBreakerConfig = {}, now: () => number = Date.now) {
    this.config = resolveCircuitBreakerConfig(config);
    this.#now = now;
    this.#lastStateChangeAt = now();
  }

  /** The current state (moving open → half-open when the timeout has passed). */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#openedAt !== null && this.#now() - this.#openedAt >= this.config.resetTimeoutMs) {
      this.#transition('half-open');
    }
    return this.#state;
  }

  /** Runs `operation` under the breaker. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.state === 'open') {
      this.#totalRejected++;
      const retryInMs = Math.max(0, (this.#openedAt ?? 0) + this.config.resetTimeoutMs - this.#now());
      throw new CelersError('CIRCUIT_OPEN', `Circuit breaker is open; retry in ${retryInMs} ms`, {
        details: { retryInMs, consecutiveFailures: this.#consecutiveFailures },
      });
    }
    try {
      const result = await operation();
      this.recordSuccess();
      return result;
    } catch (error) {
      if (this.config.isFailure(error)) this.recordFailure();
      else this.recordSuccess(); // the database answered; the call just failed for another reason
      throw error;
    }
  }

  /** Records a success (for callers that do not use `run`). */
  recordSuccess(): void {
    this.#totalSuccesses++;
    this.#lastSuccessAt = this.#now();
    this.#consecutiveFailures = 0;
    if (this.#state === 'half-open') {
      this.#consecutiveSuccesses++;
      if (this.#consecutiveSuccesses >= this.config.successThreshold) this.#transition('closed');
    }
  }

  /** Records a failure (for callers that do not use `run`). */
  recordFailure(): void {
    this.#totalFailures++;
    this.#lastFailureAt = this.#now();
    this.#consecutiveSuccesses = 0;
    this.#consecutiveFailures++;
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#consecutiveFailures >= this.config.failureThreshold)) {
      this.#transition('open');
    }
  }

  /** Back to closed with zeroed consecutive counters (the seed's `reset_circuit_breaker`). */
  reset(): void {
    this.#consecutiveFailures = 0;
    this.#transition('closed');
  }

  /** A snapshot of the counters. */
  stats(): CircuitBreakerStats {
    const toDate = (ms: number | null) => (ms === null ? null : new Date(ms));
    return {
      state: this.state,
      consecutiveFailures: this.#consecutiveFailures,
      consecutiveSuccesses: this.#consecutiveSuccesses,
      totalFailures: this.#totalFailures,
      totalSuccesses: this.#totalSuccesses,
      totalRejected: this.#totalRejected,
      lastFailureAt: toDate(this.#lastFailureAt),
      lastSuccessAt: toDate(this.#lastSuccessAt),
      openedAt: toDate(this.#openedAt),
      lastStateChangeAt: new Date(this.#lastStateChangeAt),
    };
  }

  #transition(to: CircuitState): void {
    if (this.#state === to) return;
    this.#state = to;
    this.#lastStateChangeAt = this.#now();
    this.#consecutiveSuccesses = 0;
    this.#openedAt = to === 'open' ? this.#now() : null;
  }
}

/** Validates a circuit breaker config and fills in defaults. */
export function resolveCircuitBreakerConfig(config: CircuitBreakerConfig = {}): ResolvedCircuitBreakerConfig {
  const merged = { ...DEFAULT_CIRCUIT_BREAKER_CONFIG };
  if (config.failureThreshold !== undefined) merged.failureThreshold = assertInteger(config.failureThreshold, 'failureThreshold', 1, 1_000_000);
  if (config.resetTimeoutMs !== undefined) merged.resetTimeoutMs = assertDurationMs(config.resetTimeoutMs, 'resetTimeoutMs', 1);
  if (config.successThreshold !== undefined) merged.successThreshold = assertInteger(config.successThreshold, 'successThreshold', 1, 1_000_000);
  if (config.isFailure !== undefined) {
    if (typeof config.isFailure !== 'function') throw CelersError.invalidArgument('isFailure', 'expected a function');
    merged.isFailure = config.isFailure;
  }
  return Object.freeze(merged);
}
