import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { type PrivateServer, startPrivateServer } from '@celers/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBrokerMetrics } from '../src/index.js';
import { sampleValue } from './helpers/prometheus-text.js';

// The broker's own retries, counted: a lock wait timeout (a private server with a 1 s wait makes it cheap)
// and a server restart (circuit opens, probes fail, a probe closes it).
let server: PrivateServer;
let broker: MysqlBroker;

beforeAll(async () => {
  server = await startPrivateServer({ args: ['--innodb-lock-wait-timeout=1'] });
  broker = await MysqlBroker.connect({
    url: server.url,
    queue: 'prom-retries',
    migrate: true,
    circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 60_000 },
  });
});
afterAll(async () => {
  await broker?.close();
  await server?.destroy();
});

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('internal retry metrics', () => {
  it('count lock-wait retries, circuit transitions and probes, and show the circuit state', {
    timeout: 60_000,
  }, async () => {
    const registry = new Registry();
    const unregister = registerBrokerMetrics(broker, { registry });
    const q = { queue: 'prom-retries' };
    try {
      expect(sampleValue(await registry.metrics(), 'celers_circuit_state', q)).toBe(0);

      // A reject that waits on a row lock held by another transaction past innodb_lock_wait_timeout.
      const id = await broker.enqueue(createTask('locked', 1));
      const msg = await broker.dequeue();
      let retried = 0;
      broker.on('operation:retried', () => {
        retried += 1;
      });
      let rejecting: Promise<unknown> | undefined;
      await broker.database.transaction().execute(async (trx) => {
        await trx.selectFrom('celers_live_tasks').select('id').where('id', '=', id).forUpdate().execute();
        rejecting = broker.reject(id, msg!.receiptHandle, { delayMs: 0 });
        await waitUntil(() => retried >= 1);
      });
      await expect(rejecting).resolves.toMatchObject({ outcome: 'retried' });
      const afterLock = await registry.metrics();
      expect(
        sampleValue(afterLock, 'celers_internal_retries_total', {
          ...q,
          operation: 'reject',
          reason: 'lock-wait-timeout',
        }),
      ).toBe(retried);

      // The server goes away: the circuit opens and probes fail; it comes back: one probe closes it.
      await server.stop();
      await expect(broker.queueSize()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      const breaker = broker.circuitBreaker!;
      await waitUntil(() => breaker.stats().failedProbes >= 2);
      const whileOpen = await registry.metrics();
      expect(sampleValue(whileOpen, 'celers_circuit_state', q)).toBe(2);
      expect(sampleValue(whileOpen, 'celers_circuit_transitions_total', { ...q, to: 'open' })).toBe(1);
      await server.start();
      await waitUntil(() => breaker.state === 'closed');
      expect(await broker.queueSize()).toBe(1);

      const text = await registry.metrics();
      const stats = breaker.stats();
      expect(sampleValue(text, 'celers_circuit_state', q)).toBe(0);
      expect(sampleValue(text, 'celers_circuit_transitions_total', { ...q, to: 'closed' })).toBe(1);
      expect(sampleValue(text, 'celers_circuit_probes_total', { ...q, outcome: 'failed' })).toBe(
        stats.failedProbes,
      );
      expect(sampleValue(text, 'celers_circuit_probes_total', { ...q, outcome: 'ok' })).toBe(1);
    } finally {
      unregister();
    }
    expect(await registry.getSingleMetric('celers_internal_retries_total')).toBeUndefined();
  });
});
