// Integration: the docs/performance experiments at tiny sizes against the test server (no timing assertions).
// The durability experiment is not run here: it changes a server-wide setting (SET GLOBAL).
import '@celers/testing';
import { MysqlBroker } from '@celers/broker-mysql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BenchDatabase, createBenchDatabase } from '../src/env/bench-database.js';
import { idStorageExperiment } from '../src/experiments/id-storage-experiment.js';
import { indexCostExperiment } from '../src/experiments/index-cost-experiment.js';
import { insertValuesExperiment } from '../src/experiments/insert-values-experiment.js';
import { partitioningExperiment } from '../src/experiments/partitioning-experiment.js';
import { queryPathExperiment } from '../src/experiments/query-path-experiment.js';

let bench: BenchDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  bench = await createBenchDatabase(inject('celersDatabaseUrl'));
  broker = await MysqlBroker.connect({ url: bench.url, queue: 'experiments', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await bench?.drop();
});

const tables = async () => {
  const [rows] = await bench.admin.query('SHOW TABLES');
  return (rows as Array<Record<string, string>>).map((r) => Object.values(r)[0]);
};

describe('experiments', () => {
  it('id-storage measures all four layouts and leaves no table behind', async () => {
    const before = await tables();
    const result = await idStorageExperiment(bench, () => undefined, 0.005);
    const rows = result.data as Array<{
      variant: string;
      rows: number;
      primaryMb: number;
      secondaryMb: number;
      batchRowsPerSec: number;
    }>;
    expect(rows.map((r) => r.variant)).toEqual([
      'CHAR(36) ascii, UUIDv7 (celers)',
      'BINARY(16), UUIDv7',
      'BIGINT AUTO_INCREMENT',
      'CHAR(36) ascii, UUIDv4 (random)',
    ]);
    for (const r of rows) {
      expect(r.rows).toBe(1_000);
      expect(r.batchRowsPerSec).toBeGreaterThan(0);
      expect(r.primaryMb).toBeGreaterThan(0);
    }
    expect(result.markdown).toContain('| id layout |');
    expect(await tables()).toEqual(before);
  }, 120_000);

  it('partitioning compares both tables, purges the same month, and records why celers_tasks cannot be partitioned', async () => {
    const result = await partitioningExperiment(bench, () => undefined, 0.01);
    const data = result.data as {
      rows: Array<{ purgedRows: number; drainJobsPerSec: number; plan: string }>;
      celersTasksError: string;
    };
    expect(data.rows).toHaveLength(2);
    expect(data.rows[0]?.purgedRows).toBe(data.rows[1]?.purgedRows);
    expect(data.rows[0]?.purgedRows).toBeGreaterThan(0);
    expect(data.rows[1]?.plan).toMatch(/partitions=13/);
    expect(data.celersTasksError).toMatch(/PRIMARY KEY must include all columns/);
    // The failed ALTER left celers_tasks as it was: the broker still works.
    expect(await broker.queueSize()).toBe(0);
  }, 120_000);

  it('index-cost copies celers_tasks with groups of indexes dropped, two rounds each', async () => {
    const before = await tables();
    const result = await indexCostExperiment(bench, () => undefined, 0.001);
    const data = result.data as Array<{ variant: string; rowsPerSec: number }>;
    expect(data).toHaveLength(8);
    expect(new Set(data.map((d) => d.variant)).size).toBe(4);
    expect(data.every((d) => d.rowsPerSec > 0)).toBe(true);
    expect(await tables()).toEqual(before);
  }, 120_000);

  it('insert-values times prebuilt 500-row INSERTs per layout in four rounds, and drops its tables', async () => {
    const before = await tables();
    const result = await insertValuesExperiment(bench, () => undefined, 0.001);
    const data = result.data as Array<{ variant: string; msPerStatement: number[] }>;
    expect(data).toHaveLength(6);
    expect(data.every((d) => d.msPerStatement.length === 4 && d.msPerStatement.every((ms) => ms > 0))).toBe(
      true,
    );
    expect(result.markdown).toContain('defaults left out (since 0018: 7 values)');
    expect(await tables()).toEqual(before);
  }, 120_000);

  it('query-path times every layer in four rounds and leaves only the tasks it enqueued', async () => {
    const result = await queryPathExperiment(bench, () => undefined, 0.1);
    const data = result.data as Array<{ path: string; wallUs: number[]; cpuUs: number[] }>;
    expect(data.map((d) => d.path)).toContain('createTask + broker.enqueue');
    expect(data).toHaveLength(7);
    expect(data.every((d) => d.wallUs.length === 4 && d.wallUs.every((us) => us > 0))).toBe(true);
    const [rows] = await bench.admin.query(
      "SELECT COUNT(*) AS n FROM celers_live_tasks WHERE queue_name = 'query-path'",
    );
    // 100 warm-up and 4 × 200 timed calls for each of the two INSERT paths and broker.enqueue.
    expect(Number((rows as Array<{ n: number }>)[0]?.n)).toBe(3 * (100 + 4 * 200));
  }, 120_000);
});
