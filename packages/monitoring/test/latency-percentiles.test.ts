import { MysqlBroker } from '@celers/broker-mysql';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueMonitor } from '../src/index.js';
import { nearestRankPercentile } from '../src/internal/nearest-rank.js';
import { at, dbNow, insertTasks, referencePercentile } from './helpers/seed-rows.js';

// Percentiles are computed in SQL with ROW_NUMBER()/COUNT(*) OVER (); these tests check them against the
// nearest-rank definition computed here from the same rows.

let tdb: TestDatabase;
let broker: MysqlBroker;
let queueCounter = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'pct', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

/** Seeds one started task per wait (ms) and one completed task per runtime in a fresh queue. */
async function seed(waits: readonly number[], runtimes: readonly number[] = []): Promise<QueueMonitor> {
  const queue = `pct-${++queueCounter}`;
  const now = await dbNow(broker.database);
  const base = at(now, -3_600_000);
  await insertTasks(broker.database, [
    ...waits.map((w) => ({ queue, state: 'processing' as const, createdAt: base, startedAt: at(base, w) })),
    ...runtimes.map((r) => ({
      queue,
      state: 'completed' as const,
      createdAt: base,
      startedAt: base,
      completedAt: at(base, r),
    })),
  ]);
  return new QueueMonitor({ database: broker.database, queue });
}

describe('latencyPercentiles (SQL, nearest rank)', () => {
  it('matches the reference on 1..100 with known ranks', async () => {
    const waits = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    const monitor = await seed([...waits].reverse());
    expect(await monitor.latencyPercentiles()).toEqual({ count: 100, p50Ms: 500, p95Ms: 950, p99Ms: 990 });
  });

  it('handles one and two values and ties', async () => {
    expect(await (await seed([42])).latencyPercentiles()).toEqual({
      count: 1,
      p50Ms: 42,
      p95Ms: 42,
      p99Ms: 42,
    });
    expect(await (await seed([10, 20])).latencyPercentiles()).toEqual({
      count: 2,
      p50Ms: 10,
      p95Ms: 20,
      p99Ms: 20,
    });
    expect(await (await seed([5, 5, 5, 7])).latencyPercentiles()).toEqual({
      count: 4,
      p50Ms: 5,
      p95Ms: 7,
      p99Ms: 7,
    });
  });

  it('agrees with the reference for random samples', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 86_400_000 }), { minLength: 1, maxLength: 60 }),
        async (waits) => {
          const result = await (await seed(waits)).latencyPercentiles();
          expect(result).toEqual({
            count: waits.length,
            p50Ms: referencePercentile(waits, 50),
            p95Ms: referencePercentile(waits, 95),
            p99Ms: referencePercentile(waits, 99),
          });
          // the library's pure helper uses the same definition
          const sorted = [...waits].sort((a, b) => a - b);
          expect(nearestRankPercentile(sorted, 95)).toBe(result.p95Ms);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('executionStats P95', () => {
  it('agrees with the reference and only counts completed tasks', async () => {
    const runtimes = [120, 5, 33, 33, 980, 47, 61, 2, 700, 15, 88, 240, 17, 9, 310, 66, 400, 51, 29, 1000, 3];
    const monitor = await seed([1, 2, 3], runtimes);
    const exec = await monitor.executionStats();
    expect(exec.count).toBe(runtimes.length);
    expect(exec.p95Ms).toBe(referencePercentile(runtimes, 95));
    expect(exec.minMs).toBe(2);
    expect(exec.maxMs).toBe(1000);
  });
});
