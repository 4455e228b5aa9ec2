import { CelersError } from '@celers/core';
import {
  type CircuitBreakerConfig,
  type ResolvedCircuitBreakerConfig,
  resolveCircuitBreakerConfig,
} from './circuit-breaker-config.js';
import type { CircuitProbeResult } from './circuit-breaker-events.js';
import { computeRetryDelay, type RandomSource } from './retry-delay.js';

/** Circuit states (the seed's `CircuitBreakerState`). */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Counters and timestamps (the seed's `CircuitBreakerStats`). */
export interface CircuitBreakerStats {
  state: CircuitState;
  /** Failures in a row (reset by a success). */
  consecutiveFailures: number;
  /** Successful trial calls in a row while half-open. */
  consecutiveSuccesses: number;
  totalFailures: number;
  totalSuccesses: number;
  /** Calls refused with `CIRCUIT_OPEN`. */
  totalRejected: number;
  /** Trial calls currently running in half-open. */
  halfOpenInFlight: number;
  lastFailureAt: Date | null;
  lastSuccessAt: Date | null;
  /** When the circuit last opened; `null` unless open. */
  openedAt: Date | null;
  lastStateChangeAt: Date;
  /** Background probes run so far (with a `probe` configured). */
  totalProbes: number;
  /** Background probes that failed. */
  failedProbes: number;
  /** When the next background probe is due; `null` when none is scheduled or one is running. */
  nextProbeAt: Date | null;
}

/**
 * Closed → Open after `failureThreshold` consecutive failures → Half-open after `resetTimeoutMs` →
 * Closed after `successThreshold` successful trial calls (or Open again on any failure). While open, `run`
 * throws `CIRCUIT_OPEN` at once, without calling the operation.
 *
 * With a `probe` (a cheap health check), an open or half-open circuit also probes in the background on an
 * exponential backoff with equal jitter (`probeIntervalMs` doubling up to `maxProbeIntervalMs`) and closes
 * as soon as a probe succeeds: the dependency answering is proof enough, so callers resume within one probe
 * interval of its return instead of waiting out `resetTimeoutMs`. Probe timers never keep a process alive;
 * {@link CircuitBreaker.dispose} stops them.
 *
 * Each state change starts a new epoch; a call that started in an earlier epoch (e.g. a slow query that was
 * already running when the circuit opened) still updates the totals but cannot move the state machine, so a
 * stale failure never re-opens a circuit that is probing, and a stale success never closes one.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 10_000 });
 * const rows = await breaker.run(() => db.selectFrom('celers_tasks').selectAll().execute());
 * breaker.stats().state; // 'closed'
 * ```
 */
export class CircuitBreaker {
  /** The resolved settings. */
  readonly config: ResolvedCircuitBreakerConfig;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #epoch = 0;
  #halfOpenInFlight = 0;
  #consecutiveFailures = 0;
  #consecutiveSuccesses = 0;
  #totalFailures = 0;
  #totalSuccesses = 0;
  #totalRejected = 0;
  #lastFailureAt: number | null = null;
  #lastSuccessAt: number | null = null;
  #openedAt: number | null = null;
  #lastStateChangeAt: number;
  readonly #random: RandomSource;
  #probeTimer: NodeJS.Timeout | undefined;
  #probeInFlight = false;
  /** Probes since the circuit last closed (drives the backoff). */
  #probeAttempt = 0;
  #nextProbeAt: number | null = null;
  #totalProbes = 0;
  #failedProbes = 0;
  #disposed = false;

  /**
   * @param config - thresholds and timeout; validated (`INVALID_ARGUMENT` naming `config.<field>`)
   * @param now - clock in epoch ms; inject a fake one in tests
   * @param random - jitter source of the probe backoff; seed it in tests
   */
  constructor(
    config: CircuitBreakerConfig = {},
    now: () => number = Date.now,
    random: RandomSource = Math.random,
  ) {
    this.config = resolveCircuitBreakerConfig(config);
    if (typeof now !== 'function') throw CelersError.invalidArgument('now', 'expected a clock function');
    if (typeof random !== 'function')
      throw CelersError.invalidArgument('random', 'expected a function returning [0, 1)');
    this.#now = now;
    this.#random = random;
    this.#lastStateChangeAt = now();
  }

  /** The current state (moving open → half-open once `resetTimeoutMs` has passed). */
  get state(): CircuitState {
    if (
      this.#state === 'open' &&
      this.#openedAt !== null &&
      this.#now() - this.#openedAt >= this.config.resetTimeoutMs
    ) {
      this.#transition('half-open');
    }
    return this.#state;
  }

  /**
   * Runs `operation` under the breaker (the seed's `with_circuit_breaker`): fails fast with `CIRCUIT_OPEN`
   * while open (or while half-open with all trial slots busy), otherwise records the outcome.
   */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (typeof operation !== 'function')
      throw CelersError.invalidArgument('operation', 'expected a function');
    const state = this.state;
    if (
      state === 'open' ||
      (state === 'half-open' && this.#halfOpenInFlight >= this.config.halfOpenMaxCalls)
    ) {
      throw this.#rejection(state);
    }
    const epoch = this.#epoch;
    const trial = state === 'half-open';
    if (trial) this.#halfOpenInFlight++;
    let failed = false;
    try {
      return await operation();
    } catch (error) {
      failed = this.config.isFailure(error);
      throw error;
    } finally {
      if (trial && epoch === this.#epoch) this.#halfOpenInFlight--;
      this.#record(!failed, epoch);
    }
  }

  /** Records a success (for callers that do not use `run`). */
  recordSuccess(): void {
    this.#record(true, this.#epoch);
  }

  /** Records a failure (for callers that do not use `run`). */
  recordFailure(): void {
    this.#record(false, this.#epoch);
  }

  /** Back to closed with zeroed consecutive counters (the seed's `reset_circuit_breaker`). Totals are kept. */
  reset(): void {
    this.#transition('closed', true);
    this.#consecutiveFailures = 0;
  }

  /** Stops background probing for good (the owner is closing); the state machine keeps working. */
  dispose(): void {
    this.#disposed = true;
    this.#cancelProbe();
  }

  /** A snapshot of the counters (the seed's `get_circuit_breaker_stats`). */
  stats(): CircuitBreakerStats {
    const toDate = (ms: number | null) => (ms === null ? null : new Date(ms));
    return {
      state: this.state,
      consecutiveFailures: this.#consecutiveFailures,
      consecutiveSuccesses: this.#consecutiveSuccesses,
      totalFailures: this.#totalFailures,
      totalSuccesses: this.#totalSuccesses,
      totalRejected: this.#totalRejected,
      halfOpenInFlight: this.#halfOpenInFlight,
      lastFailureAt: toDate(this.#lastFailureAt),
      lastSuccessAt: toDate(this.#lastSuccessAt),
      openedAt: toDate(this.#openedAt),
      lastStateChangeAt: new Date(this.#lastStateChangeAt),
      totalProbes: this.#totalProbes,
      failedProbes: this.#failedProbes,
      nextProbeAt: toDate(this.#nextProbeAt),
    };
  }

  #record(success: boolean, epoch: number): void {
    const now = this.#now();
    if (success) {
      this.#totalSuccesses++;
      this.#lastSuccessAt = now;
    } else {
      this.#totalFailures++;
      this.#lastFailureAt = now;
    }
    if (epoch !== this.#epoch) return; // started before the last state change: totals only
    const state = this.state;
    if (success) {
      this.#consecutiveFailures = 0;
      if (state === 'half-open' && ++this.#consecutiveSuccesses >= this.config.successThreshold)
        this.#transition('closed');
      return;
    }
    this.#consecutiveSuccesses = 0;
    this.#consecutiveFailures++;
    if (
      state === 'half-open' ||
      (state === 'closed' && this.#consecutiveFailures >= this.config.failureThreshold)
    ) {
      this.#transition('open');
    }
  }

  #rejection(state: CircuitState): CelersError {
    this.#totalRejected++;
    const untilTrial = Math.max(0, (this.#openedAt ?? 0) + this.config.resetTimeoutMs - this.#now());
    const untilProbe = this.#nextProbeAt === null ? untilTrial : Math.max(0, this.#nextProbeAt - this.#now());
    const retryInMs = state === 'open' ? Math.min(untilTrial, untilProbe) : 0;
    const message =
      state === 'open'
        ? `Circuit breaker is open after ${this.#consecutiveFailures} consecutive failures; retry in ${retryInMs} ms`
        : 'Circuit breaker is half-open and its trial calls are in flight; retry shortly';
    return new CelersError('CIRCUIT_OPEN', message, {
      details: { state, retryInMs, consecutiveFailures: this.#consecutiveFailures },
    });
  }

  #transition(to: CircuitState, force = false): void {
    if (this.#state === to && !force) return;
    const from = this.#state;
    const now = this.#now();
    this.#state = to;
    this.#epoch++;
    this.#halfOpenInFlight = 0;
    this.#lastStateChangeAt = now;
    this.#consecutiveSuccesses = 0;
    this.#openedAt = to === 'open' ? now : null;
    if (to === 'closed') {
      this.#cancelProbe();
      this.#probeAttempt = 0;
    } else if (to === 'open') this.#scheduleProbe();
    if (from !== to) {
      const change = { from, to, consecutiveFailures: this.#consecutiveFailures, at: new Date(now) };
      callSafely(() => this.config.onStateChange?.(change));
    }
  }

  /** Schedules the next background probe unless one is already due or running. */
  #scheduleProbe(): void {
    if (!this.config.probe || this.#disposed || this.#probeTimer || this.#probeInFlight) return;
    const delayMs = this.#probeDelay();
    this.#nextProbeAt = this.#now() + delayMs;
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      void this.#probe();
    }, delayMs);
    this.#probeTimer.unref?.();
  }

  /** `probeIntervalMs × 2^(attempt)` capped at `maxProbeIntervalMs`, drawn from `[d/2, d]` (equal jitter). */
  #probeDelay(): number {
    return computeRetryDelay(
      {
        kind: 'exponential-jitter',
        baseDelayMs: this.config.probeIntervalMs,
        multiplier: 2,
        maxDelayMs: this.config.maxProbeIntervalMs,
      },
      this.#probeAttempt + 1,
      this.#random,
    );
  }

  async #probe(): Promise<void> {
    const probe = this.config.probe;
    if (!probe || this.#disposed || this.#state === 'closed') return;
    this.#probeInFlight = true;
    this.#nextProbeAt = null;
    this.#probeAttempt++;
    this.#totalProbes++;
    const attempt = this.#probeAttempt;
    const started = this.#now();
    let error: unknown;
    let ok = false;
    try {
      await probe();
      ok = true;
    } catch (thrown) {
      error = thrown;
      this.#failedProbes++;
    } finally {
      this.#probeInFlight = false;
    }
    if (ok) {
      this.#consecutiveFailures = 0;
      this.#transition('closed'); // the dependency answers: no reason to keep callers waiting
    } else if ((this.#state as CircuitState) !== 'closed') this.#scheduleProbe(); // may have closed meanwhile
    const result: CircuitProbeResult = {
      ok,
      attempt,
      durationMs: this.#now() - started,
      ...(ok ? {} : { error }),
      nextProbeInMs: this.#nextProbeAt === null ? null : Math.max(0, this.#nextProbeAt - this.#now()),
    };
    callSafely(() => this.config.onProbe?.(result));
  }

  #cancelProbe(): void {
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    this.#nextProbeAt = null;
  }
}

/** Runs an observer callback; its throw must never break the breaker. */
function callSafely(fn: () => void): void {
  try {
    fn();
  } catch {
    // observers are for metrics and logs; a failing one changes nothing
  }
}
