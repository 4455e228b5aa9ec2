import type { CircuitState } from './circuit-breaker.js';

/** A state change of a {@link CircuitBreaker}, passed to `onStateChange`. */
export interface CircuitStateChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** Consecutive failures when the change happened (the count that opened it, for `to: 'open'`). */
  readonly consecutiveFailures: number;
  readonly at: Date;
}

/** One background probe of an open circuit, passed to `onProbe`. */
export interface CircuitProbeResult {
  /** Whether the probe succeeded (then the circuit closed). */
  readonly ok: boolean;
  /** 1 for the first probe after the circuit opened, 2 for the next, ... */
  readonly attempt: number;
  readonly durationMs: number;
  /** Why the probe failed; absent when `ok`. */
  readonly error?: unknown;
  /** Delay before the next probe; `null` when none is scheduled (the circuit closed, or the breaker was disposed). */
  readonly nextProbeInMs: number | null;
}
