import type { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { describe, expect, it } from 'vitest';
import { countsByState } from './support/task-counts.js';
import { waitFor } from './support/wait-for.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('claimconn');

/** The broker, with its `dequeueBatch` calls counted: how many ran at once at most, and in total. */
function countingClaims(broker: MysqlBroker) {
  const stats = { inFlight: 0, maxInFlight: 0, calls: 0 };
  const counted = new Proxy(broker, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === 'dequeueBatch') {
        return async (...args: Parameters<MysqlBroker['dequeueBatch']>) => {
          stats.calls += 1;
          stats.inFlight += 1;
          stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
          try {
            return await target.dequeueBatch(...args);
          } finally {
            stats.inFlight -= 1;
          }
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { broker: counted, stats };
}

describe('claimConnections', () => {
  it('claims on several connections at once through a backlog, each task run once', async () => {
    const { broker, stats } = countingClaims(await fx.queue());
    const runs = new Map<number, number>();
    await broker.enqueueBatch(Array.from({ length: 3_000 }, (_, i) => createTask('job', i)));
    const worker = fx.worker({
      broker,
      concurrency: 20,
      batchSize: 25,
      claimConnections: 3,
      handlers: {
        job: async (i: number) => {
          runs.set(i, (runs.get(i) ?? 0) + 1);
        },
      },
    });
    await worker.start();
    await waitFor(() => runs.size === 3_000, { timeoutMs: 60_000, message: '3,000 tasks run' });
    await worker.close();
    expect(stats.maxInFlight).toBeGreaterThan(1);
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(await countsByState(fx.root.database, broker.queueName)).toEqual({ completed: 3_000 });
  });

  it('polls an idle queue on one connection only', async () => {
    const { broker, stats } = countingClaims(await fx.queue());
    const worker = fx.worker({ broker, claimConnections: 4, handlers: { job: async () => undefined } });
    await worker.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await worker.close();
    expect(stats.calls).toBeGreaterThan(0);
    expect(stats.maxInFlight).toBe(1);
  });

  it('rejects a bad claimConnections naming the option', async () => {
    const broker = await fx.queue();
    for (const claimConnections of [0, 17, 1.5, Number.NaN]) {
      expect(() => fx.worker({ broker, claimConnections, handlers: { job: async () => undefined } })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'options.claimConnections' }),
      );
    }
  });
});
