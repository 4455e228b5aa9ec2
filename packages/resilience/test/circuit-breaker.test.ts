import { CelersError } from '@celers/core';
import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  type CircuitBreakerStats,
  DEFAULT_CIRCUIT_BREAKER_CONFIG,
  resolveCircuitBreakerConfig,
} from '../src/index.js';

/** A clock the test moves by hand. */
function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const ok = () => Promise.resolve('ok');
const boom = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

type Step = { call: 'ok' | 'fail'; expectCode?: 'CIRCUIT_OPEN' } | { advance: number } | { reset: true };

interface Case {
  name: string;
  config: { failureThreshold: number; resetTimeoutMs: number; successThreshold: number };
  steps: Step[];
  expected: Partial<CircuitBreakerStats>;
}

const cfg = { failureThreshold: 3, resetTimeoutMs: 1000, successThreshold: 2 };

const cases: Case[] = [
  {
    name: 'starts closed',
    config: cfg,
    steps: [],
    expected: { state: 'closed', consecutiveFailures: 0, totalFailures: 0 },
  },
  {
    name: 'stays closed below the failure threshold',
    config: cfg,
    steps: [{ call: 'fail' }, { call: 'fail' }],
    expected: { state: 'closed', consecutiveFailures: 2, totalFailures: 2 },
  },
  {
    name: 'a success resets the consecutive failure count',
    config: cfg,
    steps: [{ call: 'fail' }, { call: 'fail' }, { call: 'ok' }, { call: 'fail' }, { call: 'fail' }],
    expected: { state: 'closed', consecutiveFailures: 2, totalFailures: 4, totalSuccesses: 1 },
  },
  {
    name: 'closed → open after N consecutive failures',
    config: cfg,
    steps: [{ call: 'fail' }, { call: 'fail' }, { call: 'fail' }],
    expected: { state: 'open', consecutiveFailures: 3, totalFailures: 3, totalRejected: 0 },
  },
  {
    name: 'open rejects without running the call',
    config: cfg,
    steps: [
      { call: 'fail' },
      { call: 'fail' },
      { call: 'fail' },
      { call: 'ok', expectCode: 'CIRCUIT_OPEN' },
      { call: 'ok', expectCode: 'CIRCUIT_OPEN' },
    ],
    expected: { state: 'open', totalRejected: 2, totalSuccesses: 0 },
  },
  {
    name: 'stays open until the reset timeout has fully passed',
    config: cfg,
    steps: [{ call: 'fail' }, { call: 'fail' }, { call: 'fail' }, { advance: 999 }],
    expected: { state: 'open' },
  },
  {
    name: 'open → half-open after the reset timeout',
    config: cfg,
    steps: [{ call: 'fail' }, { call: 'fail' }, { call: 'fail' }, { advance: 1000 }],
    expected: { state: 'half-open', consecutiveSuccesses: 0, openedAt: null },
  },
  {
    name: 'half-open stays half-open below the success threshold',
    config: cfg,
    steps: [{ call: 'fail' }, { call: 'fail' }, { call: 'fail' }, { advance: 1000 }, { call: 'ok' }],
    expected: { state: 'half-open', consecutiveSuccesses: 1, consecutiveFailures: 0 },
  },
  {
    name: 'half-open → closed after M successes',
    config: cfg,
    steps: [
      { call: 'fail' },
      { call: 'fail' },
      { call: 'fail' },
      { advance: 1000 },
      { call: 'ok' },
      { call: 'ok' },
    ],
    expected: { state: 'closed', consecutiveSuccesses: 0, consecutiveFailures: 0, totalSuccesses: 2 },
  },
  {
    name: 'half-open → open again on one failure',
    config: cfg,
    steps: [
      { call: 'fail' },
      { call: 'fail' },
      { call: 'fail' },
      { advance: 1000 },
      { call: 'ok' },
      { call: 'fail' },
    ],
    expected: { state: 'open', consecutiveSuccesses: 0, consecutiveFailures: 1, totalFailures: 4 },
  },
  {
    name: 're-opened circuit waits a full timeout again',
    config: cfg,
    steps: [
      { call: 'fail' },
      { call: 'fail' },
      { call: 'fail' },
      { advance: 1000 },
      { call: 'fail' },
      { advance: 500 },
      { call: 'ok', expectCode: 'CIRCUIT_OPEN' },
      { advance: 500 },
      { call: 'ok' },
    ],
    expected: { state: 'half-open', totalRejected: 1, consecutiveSuccesses: 1 },
  },
  {
    name: 'reset closes an open circuit and clears the consecutive counters',
    config: cfg,
    steps: [{ call: 'fail' }, { call: 'fail' }, { call: 'fail' }, { reset: true }, { call: 'ok' }],
    expected: {
      state: 'closed',
      consecutiveFailures: 0,
      totalFailures: 3,
      totalSuccesses: 1,
      openedAt: null,
    },
  },
  {
    name: 'threshold 1 opens on the first failure and closes on the first trial success',
    config: { failureThreshold: 1, resetTimeoutMs: 10, successThreshold: 1 },
    steps: [{ call: 'fail' }, { call: 'ok', expectCode: 'CIRCUIT_OPEN' }, { advance: 10 }, { call: 'ok' }],
    expected: { state: 'closed', totalFailures: 1, totalSuccesses: 1, totalRejected: 1 },
  },
];

describe('CircuitBreaker state machine (fake clock)', () => {
  it.each(cases)('$name', async ({ config, steps, expected }) => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker(config, clock.now);
    for (const step of steps) {
      if ('advance' in step) clock.advance(step.advance);
      else if ('reset' in step) breaker.reset();
      else {
        let ran = false;
        const op = () => {
          ran = true;
          return step.call === 'ok' ? ok() : boom();
        };
        const outcome = await breaker.run(op).then(
          () => null,
          (e: unknown) => e,
        );
        if (step.expectCode) {
          expect(outcome).toMatchObject({ code: step.expectCode });
          expect(ran).toBe(false);
        } else {
          expect(ran).toBe(true);
          expect(outcome === null).toBe(step.call === 'ok');
        }
      }
    }
    expect(breaker.stats()).toMatchObject(expected);
  });

  it('records timestamps from the injected clock', async () => {
    const clock = fakeClock(1_000_000);
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 50 }, clock.now);
    clock.advance(10);
    await breaker.run(ok);
    clock.advance(10);
    await breaker.run(boom).catch(() => undefined);
    const stats = breaker.stats();
    expect(stats.lastSuccessAt?.getTime()).toBe(1_000_010);
    expect(stats.lastFailureAt?.getTime()).toBe(1_000_020);
    expect(stats.openedAt?.getTime()).toBe(1_000_020);
    expect(stats.lastStateChangeAt.getTime()).toBe(1_000_020);
  });

  it('CIRCUIT_OPEN carries the time left until the trial', async () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 1000 }, clock.now);
    await breaker.run(boom).catch(() => undefined);
    clock.advance(400);
    const error = await breaker.run(ok).catch((e: unknown) => e);
    expect(CelersError.isInstance(error)).toBe(true);
    expect((error as CelersError).details).toMatchObject({
      state: 'open',
      retryInMs: 600,
      consecutiveFailures: 1,
    });
  });

  it('errors that isFailure rejects pass through and count as successes', async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      isFailure: (e) => (e as { code?: string }).code === 'ECONNREFUSED',
    });
    const stale = new CelersError('STALE_RECEIPT', 'lost');
    for (let i = 0; i < 5; i++) await expect(breaker.run(() => Promise.reject(stale))).rejects.toBe(stale);
    expect(breaker.stats()).toMatchObject({ state: 'closed', totalFailures: 0, totalSuccesses: 5 });
    await expect(breaker.run(boom)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(breaker.stats().state).toBe('open');
  });

  it('half-open lets only halfOpenMaxCalls trial calls through at once', async () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker(
      { failureThreshold: 1, resetTimeoutMs: 100, successThreshold: 2, halfOpenMaxCalls: 1 },
      clock.now,
    );
    await breaker.run(boom).catch(() => undefined);
    clock.advance(100);
    let release!: () => void;
    const trial = breaker.run(() => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    expect(breaker.stats().halfOpenInFlight).toBe(1);
    await expect(breaker.run(ok)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
      details: { state: 'half-open' },
    });
    release();
    await trial;
    expect(breaker.stats()).toMatchObject({
      state: 'half-open',
      halfOpenInFlight: 0,
      consecutiveSuccesses: 1,
    });
    await breaker.run(ok);
    expect(breaker.stats().state).toBe('closed');
  });

  it('a call started before the circuit opened cannot move the state machine when it ends', async () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker(
      { failureThreshold: 2, resetTimeoutMs: 100, successThreshold: 1 },
      clock.now,
    );
    let failSlow!: () => void;
    const slow = breaker.run(
      () =>
        new Promise<never>(
          (_, reject) => (failSlow = () => reject(Object.assign(new Error('lost'), { code: 'ECONNRESET' }))),
        ),
    );
    await breaker.run(boom).catch(() => undefined);
    await breaker.run(boom).catch(() => undefined);
    expect(breaker.state).toBe('open');
    clock.advance(100);
    expect(breaker.state).toBe('half-open');
    // The slow call from the closed epoch fails now: it is counted, but must not re-open the probing circuit.
    failSlow();
    await slow.catch(() => undefined);
    expect(breaker.stats()).toMatchObject({ state: 'half-open', totalFailures: 3 });
    await breaker.run(ok);
    expect(breaker.state).toBe('closed');
  });

  it('recordSuccess/recordFailure drive the same machine for callers that do not use run', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2 });
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
  });
});

describe('resolveCircuitBreakerConfig', () => {
  it('fills defaults', () => {
    expect(resolveCircuitBreakerConfig({})).toMatchObject({
      ...DEFAULT_CIRCUIT_BREAKER_CONFIG,
      isFailure: expect.any(Function),
    });
    expect(Object.isFrozen(resolveCircuitBreakerConfig({ failureThreshold: 2 }))).toBe(true);
  });

  it.each([
    [{ failureThreshold: 0 }, 'options.circuitBreaker.failureThreshold'],
    [{ failureThreshold: 1.5 }, 'options.circuitBreaker.failureThreshold'],
    [{ resetTimeoutMs: 0 }, 'options.circuitBreaker.resetTimeoutMs'],
    [{ resetTimeoutMs: Number.NaN }, 'options.circuitBreaker.resetTimeoutMs'],
    [{ successThreshold: -1 }, 'options.circuitBreaker.successThreshold'],
    [{ halfOpenMaxCalls: 0 }, 'options.circuitBreaker.halfOpenMaxCalls'],
    [{ isFailure: 'yes' }, 'options.circuitBreaker.isFailure'],
    ['nope', 'options.circuitBreaker'],
  ])('rejects %j naming %s', (config, argument) => {
    expect(() => resolveCircuitBreakerConfig(config as never, 'options.circuitBreaker')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });

  it('the constructor validates too', () => {
    expect(() => new CircuitBreaker({ failureThreshold: -3 })).toThrow(
      expect.objectContaining({ argument: 'config.failureThreshold' }),
    );
  });
});
