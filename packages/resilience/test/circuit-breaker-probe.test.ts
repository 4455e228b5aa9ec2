import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  type CircuitProbeResult,
  type CircuitStateChange,
  resolveCircuitBreakerConfig,
  seededRandom,
} from '../src/index.js';

const down = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

/** A probe that fails `failures` times, then answers; counts its calls. */
function flakyProbe(failures: number) {
  let calls = 0;
  return {
    probe: async () => {
      calls += 1;
      if (calls <= failures) throw new Error('still down');
    },
    calls: () => calls,
  };
}

async function openCircuit(breaker: CircuitBreaker, failures: number): Promise<void> {
  for (let i = 0; i < failures; i++) await breaker.run(down).catch(() => undefined);
}

function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(tick, 2);
    };
    tick();
  });
}

describe('CircuitBreaker background probe', () => {
  it('an open circuit probes on a backoff and closes at the first successful probe, long before resetTimeoutMs', async () => {
    const { probe, calls } = flakyProbe(3);
    const changes: CircuitStateChange[] = [];
    const probes: CircuitProbeResult[] = [];
    const breaker = new CircuitBreaker(
      {
        failureThreshold: 2,
        resetTimeoutMs: 60_000,
        probe,
        probeIntervalMs: 5,
        maxProbeIntervalMs: 20,
        onStateChange: (c) => changes.push(c),
        onProbe: (p) => probes.push(p),
      },
      Date.now,
      seededRandom(1),
    );
    await openCircuit(breaker, 2);
    expect(breaker.state).toBe('open');
    await expect(breaker.run(() => Promise.resolve(1))).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });

    await until(() => breaker.state === 'closed');
    expect(calls()).toBe(4);
    expect(probes.map((p) => [p.attempt, p.ok])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    // Equal jitter on 5 ms doubling, capped at 20 ms: each wait is in [d/2, d].
    const waits = probes.slice(0, 3).map((p) => p.nextProbeInMs as number);
    expect(waits[0]).toBeGreaterThanOrEqual(0);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(20);
    expect(probes[3]?.nextProbeInMs).toBeNull();
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(['closed->open', 'open->closed']);
    expect(changes[0]?.consecutiveFailures).toBe(2);
    const stats = breaker.stats();
    expect(stats).toMatchObject({ state: 'closed', totalProbes: 4, failedProbes: 3, nextProbeAt: null });
    expect(stats.consecutiveFailures).toBe(0);
    await expect(breaker.run(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it('the backoff delays double from probeIntervalMs and never exceed maxProbeIntervalMs', async () => {
    const probes: CircuitProbeResult[] = [];
    const breaker = new CircuitBreaker(
      {
        failureThreshold: 1,
        probe: () => Promise.reject(new Error('down')),
        probeIntervalMs: 2,
        maxProbeIntervalMs: 16,
        onProbe: (p) => probes.push(p),
      },
      Date.now,
      () => 0.999, // the top of each jitter range: the backoff itself
    );
    await openCircuit(breaker, 1);
    await until(() => probes.length >= 6);
    breaker.dispose();
    // after probe n the next wait is min(16, 2·2^n), within rounding of the clock read
    const expected = [4, 8, 16, 16, 16];
    probes.slice(0, 5).forEach((p, i) => {
      expect(p.nextProbeInMs).toBeLessThanOrEqual(expected[i] as number);
      expect(p.nextProbeInMs).toBeGreaterThanOrEqual((expected[i] as number) - 3);
    });
  });

  it('dispose() stops probing; without a probe nothing runs in the background', async () => {
    const { probe, calls } = flakyProbe(1_000);
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probe,
      probeIntervalMs: 1,
      maxProbeIntervalMs: 2,
    });
    await openCircuit(breaker, 1);
    await until(() => calls() >= 2);
    breaker.dispose();
    const seen = calls();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls()).toBeLessThanOrEqual(seen + 1); // at most the one already in flight
    expect(breaker.stats().nextProbeAt).toBeNull();

    const plain = new CircuitBreaker({ failureThreshold: 1 });
    await openCircuit(plain, 1);
    expect(plain.stats()).toMatchObject({ state: 'open', totalProbes: 0, nextProbeAt: null });
  });

  it('a probe success after reset() or a closing trial call changes nothing', async () => {
    let release!: () => void;
    const probe = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    const changes: string[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probe,
      probeIntervalMs: 1,
      maxProbeIntervalMs: 1,
      onStateChange: (c) => changes.push(`${c.from}->${c.to}`),
    });
    await openCircuit(breaker, 1);
    await until(() => release !== undefined);
    breaker.reset();
    release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(changes).toEqual(['closed->open', 'open->closed']);
    expect(breaker.state).toBe('closed');
  });

  it('an observer that throws does not break the breaker', async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      probe: () => Promise.resolve(),
      probeIntervalMs: 1,
      maxProbeIntervalMs: 1,
      onStateChange: () => {
        throw new Error('listener bug');
      },
      onProbe: () => {
        throw new Error('listener bug');
      },
    });
    await openCircuit(breaker, 1);
    await until(() => breaker.state === 'closed');
  });

  it.each([
    [{ probe: 'SELECT 1' }, 'options.circuitBreaker.probe'],
    [{ onProbe: 1 }, 'options.circuitBreaker.onProbe'],
    [{ onStateChange: {} }, 'options.circuitBreaker.onStateChange'],
    [{ probeIntervalMs: 0 }, 'options.circuitBreaker.probeIntervalMs'],
    [{ maxProbeIntervalMs: Number.NaN }, 'options.circuitBreaker.maxProbeIntervalMs'],
    [{ probeIntervalMs: 500, maxProbeIntervalMs: 100 }, 'options.circuitBreaker.maxProbeIntervalMs'],
  ])('rejects %j naming %s', (config, argument) => {
    expect(() => resolveCircuitBreakerConfig(config as never, 'options.circuitBreaker')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
