// circuit_breaker: fail fast while the database is down, probe it when it may be back, recover by itself.
import { MysqlBroker } from '@celers/broker-mysql';
import { CelersError } from '@celers/core';
import { CircuitBreaker } from '@celers/resilience';
import { isUnavailableError } from '@celers/schema';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Every broker call runs through a circuit breaker');
    await broker.queueSize();
    const stats = broker.circuitBreaker!.stats();
    info(`broker breaker: ${JSON.stringify({ state: stats.state, totalSuccesses: stats.totalSuccesses })}`);
    check(
      stats.state === 'closed' && stats.totalSuccesses > 0,
      'broker circuit closed and counting successes',
    );

    section('A dependency goes down: Closed → Open');
    let clock = Date.now();
    const breaker = new CircuitBreaker(
      { failureThreshold: 3, resetTimeoutMs: 5_000, successThreshold: 1, isFailure: isUnavailableError },
      () => clock,
    );
    const down = () =>
      MysqlBroker.connect({
        url: 'mysql://root@127.0.0.1:1/down',
        queue: ctx.queue,
        pool: { connectTimeoutMs: 1_000 },
      });
    for (let i = 1; i <= 3; i++) {
      const error = await breaker.run(down).catch((e: unknown) => e as CelersError);
      info(`attempt ${i}: ${(error as CelersError).code}`);
    }
    check(breaker.state === 'open', 'circuit opened after 3 consecutive DATABASE_UNAVAILABLE failures');
    const fast = await breaker.run(down).catch((e: unknown) => e as CelersError);
    check(
      CelersError.isInstance(fast) && fast.code === 'CIRCUIT_OPEN',
      'open circuit fails fast with CIRCUIT_OPEN (no connection attempted)',
    );

    section('After resetTimeoutMs: Half-open → Closed on a successful trial');
    clock += 5_001;
    check(breaker.state === 'half-open', 'half-open once the reset timeout passed');
    const size = await breaker.run(() => broker.queueSize());
    info(`trial call answered: queue size ${size}`);
    check(breaker.state === 'closed', 'a successful trial call closed the circuit');
    info(`stats ${JSON.stringify(breaker.stats())}`);

    section('Manual reset');
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    breaker.reset();
    check(breaker.state === 'closed', 'reset() closes an open circuit');
  });
}
