// Diagnostics fed real data: a private server with performance_schema ON (the shared test server has it
// off), real load from a broker, and the digests, slow queries, query stats, reset, index usage and bloat
// read back from the server.
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { type PrivateServer, startPrivateServer, waitUntil } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseDiagnostics } from '../src/index.js';

let server: PrivateServer;
let broker: MysqlBroker;
let diagnostics: DatabaseDiagnostics;

beforeAll(async () => {
  server = await startPrivateServer({
    args: [
      '--performance-schema=ON',
      '--performance-schema-consumer-statements-digest=ON',
      '--performance-schema-consumer-events-statements-current=ON',
      '--performance-schema-instrument=wait/io/table/sql/handler=ON',
      '--innodb-file-per-table=ON',
    ],
  });
  broker = await MysqlBroker.connect({ url: server.url, queue: 'live', migrate: true });
  diagnostics = new DatabaseDiagnostics(broker);
}, 120_000);
afterAll(async () => {
  await broker?.close();
  await server?.destroy();
});

async function load(tasks: number, payloadBytes = 16): Promise<void> {
  const padding = 'x'.repeat(payloadBytes);
  for (let done = 0; done < tasks; done += 500) {
    await broker.enqueueBatch(
      Array.from({ length: Math.min(500, tasks - done) }, (_, i) => createTask('live.job', { i, padding })),
    );
  }
}

/** A claim statement's digest: the locking claim's SELECT, or the UPDATE that raises each claimed delivery count. */
const CLAIM_DIGEST = /FOR UPDATE SKIP LOCKED|`delivery_count` = `delivery_count` \+/i;

describe('performance_schema diagnostics on real load', () => {
  it('query stats list the broker statements with their executions, and reset empties them', async () => {
    expect(await diagnostics.performanceSchemaStatus()).toEqual({ available: true });
    expect(await diagnostics.resetQueryStats()).toEqual({ available: true });
    await load(200);
    for (let i = 0; i < 20; i++) {
      const claimed = await broker.dequeueBatch(5);
      await broker.ackBatch(
        claimed.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
      );
    }
    const stats = await diagnostics.queryStats({ limit: 50 });
    if (!stats.available) throw new Error(stats.reason);
    const texts = stats.queries.map((q) => q.digestText);
    const insert = stats.queries.find((q) => /^INSERT INTO `?celers_live_tasks/i.test(q.digestText));
    // the claim: the locking SELECT, or on MariaDB the optimistic claim's fenced UPDATE
    const claim = stats.queries.find((q) => CLAIM_DIGEST.test(q.digestText));
    expect(insert, texts.join('\n')).toBeDefined();
    expect(claim, texts.join('\n')).toBeDefined();
    expect(claim?.executionCount).toBeGreaterThanOrEqual(20);
    expect(claim?.rowsExamined).toBeGreaterThan(0);
    expect(claim?.totalTimeMs).toBeGreaterThan(0);
    expect(claim?.lastSeen).toBeInstanceOf(Date);
    // ordered by total time, every row on a celers_ table
    const totals = stats.queries.map((q) => q.totalTimeMs);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(stats.queries.every((q) => /celers_/.test(q.digestText))).toBe(true);

    await diagnostics.resetQueryStats();
    const after = await diagnostics.queryStats({ limit: 50 });
    if (!after.available) throw new Error(after.reason);
    expect(after.queries.find((q) => CLAIM_DIGEST.test(q.digestText))).toBeUndefined();
  });

  it('slow queries and profiles rank a deliberately slow scan first', async () => {
    await diagnostics.resetQueryStats();
    // an unindexed LIKE scan with SLEEP: slow by construction, and on a celers_ table
    await sql`SELECT COUNT(*) AS n, SLEEP(0.2) AS s FROM celers_tasks WHERE task_name LIKE ${'%job%'}`.execute(
      broker.database,
    );
    const slow = await diagnostics.slowQueries(3);
    if (!slow.available) throw new Error(slow.reason);
    expect(slow.queries[0]?.digestText).toMatch(/SLEEP/);
    expect(slow.queries[0]?.avgTimeMs).toBeGreaterThanOrEqual(150);
    expect(slow.queries[0]?.noIndexUsedCount).toBe(1);
    const profiled = await diagnostics.profileQueryPerformance(150, 5);
    if (!profiled.available) throw new Error(profiled.reason);
    expect(profiled.queries.map((q) => q.digestText)).toHaveLength(1);
    expect(profiled.queries[0]?.digestText).toMatch(/SLEEP/);
  });

  it('index usage counts reads of the claim index at run time', async () => {
    const before = await diagnostics.indexUsage();
    if (!before.available) throw new Error(before.reason);
    const readsOf = (rows: typeof before.indexes, name: string) =>
      rows
        .filter((r) => r.tableName === 'celers_live_tasks' && r.indexName === name)
        .reduce((a, r) => a + r.reads, 0);
    await load(50);
    for (let i = 0; i < 10; i++) await broker.dequeueBatch(3);
    const after = await diagnostics.indexUsage();
    if (!after.available) throw new Error(after.reason);
    expect(readsOf(after.indexes, 'idx_tasks_dequeue')).toBeGreaterThan(
      readsOf(before.indexes, 'idx_tasks_dequeue'),
    );
    expect(after.indexes.some((r) => r.indexName === 'PRIMARY' && r.writes > 0)).toBe(true);
  });
});

describe('table bloat from DATA_FREE', () => {
  it('grows after a mass delete and drops after OPTIMIZE TABLE', async () => {
    const bloatOf = async () => {
      // DATA_FREE is live but DATA_LENGTH is a persistent statistic: refresh it so the two are comparable
      await broker.maintenance.analyzeTables();
      const tasks = (await diagnostics.tableBloat()).find((t) => t.tableName === 'celers_live_tasks');
      if (!tasks) throw new Error('no celers_live_tasks row');
      return tasks;
    };
    await load(12_000, 1_000);
    const full = await bloatOf();
    expect(full.basis).toBe('measured');
    await sql`DELETE FROM celers_live_tasks WHERE queue_name = 'live'`.execute(broker.database);
    // InnoDB's purge frees the deleted rows' pages in the background
    let deleted = full;
    await waitUntil(
      'DATA_FREE to grow after the delete',
      async () => {
        deleted = await bloatOf();
        return deleted.bloatMb >= full.bloatMb + 4;
      },
      60_000,
      500,
    );
    expect(deleted.bloatPercent).toBeGreaterThan(full.bloatPercent);
    await broker.maintenance.optimizeTables();
    const optimized = await bloatOf();
    expect(optimized.bloatMb).toBeLessThan(deleted.bloatMb);
    expect(optimized.bloatPercent).toBeLessThan(deleted.bloatPercent);
  }, 120_000);
});

describe('table bloat from page statistics', () => {
  it('fill factor falls after a mass delete and recovers after OPTIMIZE TABLE', async () => {
    const pagesOf = async () => {
      // Page statistics are persistent statistics: ANALYZE refreshes them, as the docs tell operators to
      await broker.maintenance.analyzeTables();
      const tasks = (await diagnostics.tableBloat()).find((t) => t.tableName === 'celers_live_tasks');
      if (!tasks?.pages)
        throw new Error(`no page statistics for celers_live_tasks: ${JSON.stringify(tasks)}`);
      return { ...tasks, pages: tasks.pages };
    };
    const pages = await broker.forQueue('pages');
    const padding = 'x'.repeat(1_000);
    for (let done = 0; done < 12_000; done += 500)
      await pages.enqueueBatch(
        Array.from({ length: 500 }, (_, i) => createTask('pages.job', { i: done + i, padding })),
      );
    const full = await pagesOf();
    expect(full.pages.indexes).toBeGreaterThanOrEqual(2);
    expect(full.pages.rows).toBeGreaterThan(9_000); // InnoDB's sampled estimate of 12,000
    expect(full.pages.rowsPerLeafPage).toBeGreaterThan(8); // ~1.1 KB rows in 16 KiB pages
    expect(full.pages.fillFactorPercent).toBeGreaterThan(80);
    expect(full.pages.reclaimableMb).toBeLessThan(2);

    // Most rows go, and the survivors are scattered over every page (1 in 12 by a hash of the id)
    await sql`DELETE FROM celers_live_tasks WHERE queue_name = 'pages' AND MOD(CRC32(id), 12) <> 0`.execute(
      broker.database,
    );
    // InnoDB's purge merges and frees the emptied pages in the background
    let deleted = full;
    await waitUntil(
      'the fill factor to fall after the delete',
      async () => {
        deleted = await pagesOf();
        return deleted.pages.fillFactorPercent < 40;
      },
      60_000,
      500,
    );
    expect(deleted.pages.rows).toBeLessThan(2_000);
    expect(deleted.pages.clusteredPages).toBeGreaterThan(full.pages.clusteredPages / 2); // held, not given back
    expect(deleted.pages.leafPages).toBeLessThan(full.pages.leafPages / 3);
    expect(deleted.pages.rowsPerLeafPage).toBeLessThan(full.pages.rowsPerLeafPage); // merged, still sparse
    expect(deleted.pages.reclaimableMb).toBeGreaterThan(5);
    expect(deleted.recommendation).toMatch(/OPTIMIZE TABLE/);
    expect(deleted.recommendation).toMatch(/clustered index's \d+ pages hold no rows/);

    await broker.maintenance.optimizeTables();
    const optimized = await pagesOf();
    expect(optimized.pages.clusteredPages).toBeLessThan(deleted.pages.clusteredPages / 2);
    expect(optimized.pages.fillFactorPercent).toBeGreaterThan(deleted.pages.fillFactorPercent);
    expect(optimized.pages.rowsPerLeafPage).toBeGreaterThan(deleted.pages.rowsPerLeafPage);
    expect(optimized.pages.reclaimableMb).toBeLessThan(1);
    expect(optimized.recommendation).not.toMatch(/hold no rows/);
    await pages.close();
  }, 180_000);
});
