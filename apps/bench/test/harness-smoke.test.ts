// Integration: the harness's code paths against the real test server, tiny sizes, no timing assertions.
import '@celers/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseBenchArgs } from '../src/cli/bench-args.js';
import { type BenchDatabase, createBenchDatabase } from '../src/env/bench-database.js';
import { createRawTable, rawClaim, rawCount, rawDelete, rawEnqueueMany } from '../src/raw/raw-queue.sql.js';
import { runBench } from '../src/run-bench.js';

const serverUrl = () => inject('celersDatabaseUrl');

async function databaseExists(name: string): Promise<boolean> {
  const conn = await mysql.createConnection(serverUrl());
  try {
    const [rows] = await conn.query('SHOW DATABASES LIKE ?', [name]);
    return (rows as unknown[]).length > 0;
  } finally {
    await conn.end();
  }
}

describe('raw baseline queue', () => {
  let bench: BenchDatabase;
  beforeAll(async () => {
    bench = await createBenchDatabase(serverUrl());
    await createRawTable(bench.admin);
  });
  afterAll(async () => {
    await bench?.drop();
  });

  it('concurrent claims with SKIP LOCKED get disjoint jobs, and delete removes them', async () => {
    // 4,000 rows and fresh statistics: on a tiny table the optimizer may scan and filesort instead, which
    // locks every row (see claim-lock-probe.ts); the workloads run on tables far larger than this.
    for (let b = 0; b < 4; b++) {
      await rawEnqueueMany(
        bench.admin,
        'q',
        Array.from({ length: 1_000 }, (_, i) => ({ i: b * 1_000 + i })),
      );
    }
    await bench.admin.query('ANALYZE TABLE raw_jobs');
    const conns = await Promise.all(Array.from({ length: 4 }, () => bench.connect()));
    try {
      const claims = await Promise.all(conns.map((c) => rawClaim(c, 'q', 50)));
      const ids = claims.flat().map((j) => j.id);
      expect(ids).toHaveLength(200);
      expect(new Set(ids).size).toBe(200);
      // FIFO within a priority: together the four claims took exactly the first 200 jobs.
      expect(
        claims
          .flat()
          .map((j) => (j.payload as { i: number }).i)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 200 }, (_, i) => i));
      const [running] = await bench.admin.query("SELECT COUNT(*) AS n FROM raw_jobs WHERE state = 'running'");
      expect(Number((running as Array<{ n: number }>)[0]?.n)).toBe(200);
      expect(await rawDelete(conns[0]!, ids)).toBe(200);
      expect(await rawCount(bench.admin)).toBe(3_800);
    } finally {
      await Promise.all(conns.map((c) => c.end()));
    }
  });
});

describe('runBench smoke', () => {
  it('runs W1 and W3 at tiny sizes, reports them, and drops its database', async () => {
    const args = parseBenchArgs(['--only', 'W1,W3', '--scale', '0.001', '--url', serverUrl()], {}, '/unused');
    const messages: string[] = [];
    const report = await runBench(args, (m) => messages.push(m));
    const name = messages[0]?.match(/celers_bench_[0-9a-f]+/)?.[0];
    expect(name).toBeDefined();
    expect(await databaseExists(name!)).toBe(false);
    // The joined log lines name the failing workload and its stack, which a bare array diff would hide.
    expect(messages.filter((m) => / failed: /.test(m)).join('\n')).toBe('');
    expect(Object.keys(report.workloads).sort()).toEqual(['W1', 'W3', 'W3b', 'W3c', 'W3k', 'W3r']);
    for (const line of Object.values(report.workloads)) {
      expect(line.unit).toBe('jobs/s');
      expect(line.celers).toBeGreaterThan(0);
      expect(line.raw).toBeGreaterThan(0);
      expect(line.ratio).toBeCloseTo(line.celers / (line.raw as number));
    }
    expect(report.workloads.W1?.target).toBe('≥ 0.9 × raw');
    expect(report.server.settings).toHaveProperty('innodb_flush_log_at_trx_commit');
    expect(report.machine.cores).toBeGreaterThan(0);
  }, 120_000);
});

describe('claim explain', () => {
  it('explains the statement the library runs, index hint included', async () => {
    const { MysqlBroker } = await import('@celers/broker-mysql');
    const { claimStatement, explainClaim } = await import('../src/celers/claim-explain.js');
    const bench = await createBenchDatabase(serverUrl());
    const broker = await MysqlBroker.connect({ url: bench.url, queue: 'explain', migrate: true });
    try {
      expect(claimStatement(broker, 'explain').sql).toMatch(/FORCE INDEX \(idx_tasks_dequeue\)/);
      expect(claimStatement(broker, 'explain').parameters).toContain('explain');
      expect(await explainClaim(bench.admin, broker, 'explain')).toMatch(/idx_tasks_dequeue/);
    } finally {
      await broker.close();
      await bench.drop();
    }
  });
});

describe('claim lock probe', () => {
  it('holds one claim open, measures a second claimer, and changes nothing', async () => {
    const { MysqlBroker } = await import('@celers/broker-mysql');
    const { fillTasks } = await import('../src/celers/task-filler.js');
    const { probeClaimLocking } = await import('../src/celers/claim-lock-probe.js');
    const bench = await createBenchDatabase(serverUrl());
    const broker = await MysqlBroker.connect({ url: bench.url, queue: 'probe', migrate: true });
    try {
      await fillTasks(broker.database, { queue: 'probe', count: 200, state: 'pending' });
      const probe = await probeClaimLocking(bench, broker, 'probe');
      expect(probe.first).toBe(50);
      // celers' statement carries the index hint, so the second claimer always finds the next 50; without
      // the hint the plan depends on statistics.
      expect(probe.secondAsIs).toBe(50);
      expect([0, 50]).toContain(probe.secondWithoutHint);
      expect(await broker.queueSize()).toBe(200);
    } finally {
      await broker.close();
      await bench.drop();
    }
  });
});

describe('W7 smoke', () => {
  it('times every operation of the criterion set, celers and raw, plus the cold first call', async () => {
    const args = parseBenchArgs(['--only', 'W7', '--scale', '0.001', '--url', serverUrl()], {}, '/unused');
    const messages: string[] = [];
    const report = await runBench(args, (m) => messages.push(m));
    // The joined log lines name the failing workload and its stack, which a bare array diff would hide.
    expect(messages.filter((m) => / failed: /.test(m)).join('\n')).toBe('');
    const ids = Object.keys(report.workloads);
    for (const op of ['enqueue', 'dequeue', 'ack', 'reject', 'queueSize', 'statistics', 'firstCall'])
      expect(ids).toContain(`W7.${op}`);
    for (const size of [10, 100, 1000]) {
      for (const op of ['enqueueBatch', 'dequeueBatch', 'ackBatch'])
        expect(ids).toContain(`W7.${op}.${size}`);
    }
    for (const [id, line] of Object.entries(report.workloads)) {
      expect(line.unit).toBe('ms');
      expect(line.celers).toBeGreaterThan(0);
      expect(line.met).toBeNull();
      // Every operation has a raw equivalent except reject.
      if (id === 'W7.reject') expect(line.raw).toBeNull();
      else expect(line.raw).toBeGreaterThan(0);
    }
    expect(report.workloads['W7.firstCall']?.baseline).toBe('after warmupPool');
  }, 120_000);
});
