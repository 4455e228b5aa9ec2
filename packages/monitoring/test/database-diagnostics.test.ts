import { MysqlBroker } from '@celers/broker-mysql';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_TASK_INDEXES, indexUsageWarnings } from '../src/diagnostics/index-usage-check.js';
import { DatabaseDiagnostics, SERVER_VARIABLE_NAMES } from '../src/index.js';
import { createRestrictedUser } from './helpers/restricted-user.js';
import { dbNow, insertTasks } from './helpers/seed-rows.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let diagnostics: DatabaseDiagnostics;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'diag', migrate: true });
  diagnostics = new DatabaseDiagnostics(broker);
  const now = await dbNow(broker.database);
  await insertTasks(broker.database, [
    ...Array.from({ length: 40 }, (_, i) => ({
      queue: 'diag',
      state: 'pending' as const,
      priority: i % 3,
      createdAt: now,
    })),
    ...Array.from({ length: 40 }, () => ({
      queue: 'other',
      state: 'completed' as const,
      createdAt: now,
      completedAt: now,
    })),
  ]);
  await sql`ANALYZE TABLE celers_live_tasks, celers_finished_tasks`.execute(broker.database);
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('table and index statistics', () => {
  it('lists every celers table with sizes', async () => {
    const sizes = await diagnostics.tableSizes();
    const names = sizes.map((s) => s.tableName);
    for (const table of [
      'celers_live_tasks',
      'celers_finished_tasks',
      'celers_dead_letter_queue',
      'celers_task_results',
      'celers_task_history',
    ]) {
      expect(names).toContain(table);
    }
    const tasks = sizes.find((s) => s.tableName === 'celers_finished_tasks')!;
    expect(tasks.dataBytes).toBeGreaterThan(0);
    expect(tasks.indexBytes).toBeGreaterThan(0);
    expect(tasks.rows).toBeGreaterThan(0); // InnoDB estimate after ANALYZE
    expect(sizes.every((s) => s.tableName.startsWith('celers_'))).toBe(true);
  });

  it('analyses bloat from the same figures', async () => {
    const bloat = await diagnostics.tableBloat();
    const tasks = bloat.find((b) => b.tableName === 'celers_finished_tasks')!;
    const size = (await diagnostics.tableSizes()).find((s) => s.tableName === 'celers_finished_tasks')!;
    expect(tasks.totalSizeMb).toBeCloseTo((size.dataBytes + size.indexBytes) / 1024 / 1024, 9);
    expect(tasks.bloatPercent).toBeGreaterThanOrEqual(0);
    expect(typeof tasks.recommendation).toBe('string');
  });

  it('reads page statistics next to DATA_FREE, and none for a user who may not read mysql.*', async () => {
    const bloat = await diagnostics.tableBloat();
    const finished = bloat.find((b) => b.tableName === 'celers_finished_tasks')!;
    // ANALYZE in beforeAll wrote the persistent statistics: 40 finished rows on one clustered leaf page
    expect(finished.pages).toMatchObject({ pageSizeBytes: 16_384, clusteredPages: 1, leafPages: 1 });
    expect(finished.pages!.rows).toBe(40);
    expect(finished.pages!.rowsPerLeafPage).toBe(40);
    expect(finished.pages!.fillFactorPercent).toBe(100);
    expect(finished.pages!.indexes).toBeGreaterThanOrEqual(2);
    expect(finished.pages!.allocatedPages).toBeGreaterThanOrEqual(finished.pages!.indexes);
    const restricted = await createRestrictedUser(broker.database, tdb.url, tdb.name);
    try {
      const seen = await new DatabaseDiagnostics({ database: restricted.db, queue: 'diag' }).tableBloat();
      expect(seen.map((b) => b.tableName).sort()).toEqual(bloat.map((b) => b.tableName).sort());
      expect(seen.every((b) => b.pages === null && b.basis === 'measured')).toBe(true);
    } finally {
      await restricted.drop();
    }
  });

  it('lists indexes with their columns in order', async () => {
    const indexes = await diagnostics.indexStats();
    const dequeue = indexes.find(
      (i) => i.tableName === 'celers_live_tasks' && i.indexName === 'idx_tasks_dequeue',
    );
    expect(dequeue).toMatchObject({
      columns: ['queue_name', 'state', 'claim_priority', 'scheduled_at', 'id'],
      unique: false,
      indexType: 'BTREE',
    });
    expect(
      indexes.find((i) => i.tableName === 'celers_live_tasks' && i.indexName === 'PRIMARY'),
    ).toMatchObject({
      columns: ['id'],
      unique: true,
    });
  });
});

describe('query plans', () => {
  it('explains the claim query through idx_tasks_dequeue', async () => {
    const plan = await diagnostics.explainDequeue(10);
    expect(plan.length).toBeGreaterThan(0);
    // The broker's own statement: celers_live_tasks aliased `t`.
    expect(plan[0]).toMatchObject({ table: 't', key: 'idx_tasks_dequeue' });
    expect(plan[0]!.possibleKeys).toContain('idx_tasks_dequeue');
    expect(plan[0]!.extra ?? '').not.toMatch(/filesort/i);
    await expect(diagnostics.explainDequeue(0)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'limit',
    });
  });

  it('reports no index warnings on a migrated schema', async () => {
    expect(await diagnostics.checkIndexUsage()).toEqual([]);
  });

  it('explains a read-only SELECT with parameters', async () => {
    const plan = await diagnostics.explainQuery(
      'SELECT id FROM celers_finished_tasks WHERE queue_name = ? AND state = ?',
      ['diag', 'completed'],
    );
    expect(plan[0]).toMatchObject({ table: 'celers_finished_tasks' });
    expect(plan[0]!.key).not.toBeNull();
    const scan = await diagnostics.explainQuery(
      'SELECT * FROM celers_finished_tasks WHERE error_message IS NULL',
    );
    expect(scan[0]!.accessType).toBe('ALL');
  });

  it.each([
    ['DELETE FROM celers_tasks'],
    ['UPDATE celers_tasks SET priority = 1'],
    ['INSERT INTO celers_tasks (id) VALUES (1)'],
    ['DROP TABLE celers_tasks'],
    ['SHOW TABLES'],
    ['EXPLAIN SELECT 1'],
    ['WITH x AS (SELECT 1) SELECT * FROM x'],
    ['SELECT 1; DELETE FROM celers_tasks'],
    ['SELECT 1;'],
    ['SELECT * FROM celers_tasks FOR UPDATE'],
    ['SELECT * FROM celers_tasks FOR SHARE'],
    ['SELECT * FROM celers_tasks LOCK IN SHARE MODE'],
    ['SELECT id INTO @x FROM celers_tasks LIMIT 1'],
    ["SELECT * FROM celers_tasks INTO OUTFILE '/tmp/x'"],
    ['SELECT 1 /*! , (DELETE FROM celers_tasks) */'],
    ['SELECT 1 -- comment'],
    ['SELECT 1 # comment'],
    ['SELECT @a := 1'],
    [''],
    ['   '],
    ['SELECT\u0000 1'],
  ])('refuses %j before touching the database', async (statement) => {
    const before = await broker.database
      .selectFrom('celers_tasks')
      .select(sql<number>`COUNT(*)`.as('n'))
      .executeTakeFirstOrThrow();
    await expect(diagnostics.explainQuery(statement)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'sql',
    });
    const after = await broker.database
      .selectFrom('celers_tasks')
      .select(sql<number>`COUNT(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses non-strings and mismatched parameters', async () => {
    await expect(diagnostics.explainQuery(42 as never)).rejects.toMatchObject({ argument: 'sql' });
    await expect(diagnostics.explainQuery('SELECT ? AS a', [])).rejects.toMatchObject({
      argument: 'parameters',
    });
    await expect(diagnostics.explainQuery('SELECT ? AS a', [{}] as never)).rejects.toMatchObject({
      argument: 'parameters[0]',
    });
    await expect(diagnostics.explainQuery('SELECT ? AS a', [Number.NaN])).rejects.toMatchObject({
      argument: 'parameters[0]',
    });
  });

  it('turns a server error in an allowed SELECT into DATABASE_ERROR', async () => {
    await expect(diagnostics.explainQuery('SELECT nope FROM celers_tasks')).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: expect.stringMatching(/nope/),
    });
    await expect(diagnostics.explainQuery('SELECT FROM WHERE')).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
    });
  });
});

describe('index usage warnings (pure)', () => {
  const indexes = Object.entries(EXPECTED_TASK_INDEXES).flatMap(([tableName, names]) =>
    names.map((indexName) => ({
      tableName,
      indexName,
      columns: [],
      unique: false,
      cardinality: 0,
      indexType: 'BTREE',
    })),
  );
  const goodPlan = [
    {
      id: 1,
      selectType: 'SIMPLE',
      table: 'celers_live_tasks',
      accessType: 'range',
      possibleKeys: ['idx_tasks_dequeue'],
      key: 'idx_tasks_dequeue',
      keyLength: null,
      ref: null,
      rows: 10,
      filtered: null,
      extra: 'Using where',
    },
  ];

  it('is empty for a good schema and plan', () => {
    expect(indexUsageWarnings({ indexes, dequeuePlan: goodPlan })).toEqual([]);
  });

  it('flags missing indexes, scans, filesorts and unread indexes', () => {
    const warnings = indexUsageWarnings({
      indexes: indexes.filter((i) => i.indexName !== 'idx_tasks_worker'),
      dequeuePlan: [{ ...goodPlan[0]!, accessType: 'ALL', key: null, extra: 'Using where; Using filesort' }],
      usage: [
        { tableName: 'celers_finished_tasks', indexName: 'idx_tasks_worker', reads: 0, writes: 10 },
        { tableName: 'celers_live_tasks', indexName: 'PRIMARY', reads: 0, writes: 10 },
        { tableName: 'celers_live_tasks', indexName: 'idx_tasks_dequeue', reads: 5, writes: 10 },
      ],
    });
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toContain('missing index idx_tasks_worker');
    expect(warnings.join('\n')).toMatch(/in full/);
    expect(warnings.join('\n')).toMatch(/uses no index instead of idx_tasks_dequeue/);
    expect(warnings.join('\n')).toMatch(/filesort/);
    expect(warnings.join('\n')).toMatch(/celers_finished_tasks\.idx_tasks_worker has had no reads/);
  });
});

describe('connections', () => {
  it('reports pool and server connection figures', async () => {
    const d = await diagnostics.connectionDiagnostics();
    expect(d.pool).not.toBeNull();
    expect(d.pool!.max).toBeGreaterThan(0);
    expect(d.server.maxConnections).toBeGreaterThan(0);
    expect(d.server.threadsConnected).toBeGreaterThanOrEqual(1);
    expect(d.server.maxUsedConnections).toBeGreaterThanOrEqual(d.server.threadsConnected > 0 ? 1 : 0);
    expect(d.server.connectionUtilizationPercent).toBeCloseTo(
      (d.server.threadsConnected / d.server.maxConnections) * 100,
      9,
    );
  });

  it('is healthy on an idle pool, degraded past a threshold', async () => {
    const healthy = await diagnostics.checkConnectionHealth();
    expect(healthy.status).toBe('healthy');
    expect(healthy.acquireMs).not.toBeNull();
    expect(healthy.queryMs).not.toBeNull();
    const strict = await diagnostics.checkConnectionHealth({ slowQueryMs: 0 });
    if (strict.queryMs! > 0) {
      expect(strict.status).toBe('degraded');
      expect(strict.reasons[0]).toMatch(/SELECT 1 took/);
    }
    await expect(diagnostics.checkConnectionHealth({ acquireTimeoutMs: 0 })).rejects.toMatchObject({
      argument: 'options.acquireTimeoutMs',
    });
  });

  it('degrades on pool utilization and goes critical when no connection is free', async () => {
    const db = createDatabase({ url: tdb.url, pool: { maxConnections: 2 } });
    const local = new DatabaseDiagnostics({ database: db });
    let releaseFirst!: () => void;
    let releaseSecond!: () => void;
    const holding = (register: (release: () => void) => void) =>
      new Promise<void>((acquired) => {
        void db.connection().execute(async (conn) => {
          await sql`SELECT 1`.execute(conn);
          acquired();
          await new Promise<void>((release) => register(release));
        });
      });
    try {
      await holding((r) => {
        releaseFirst = r;
      });
      const half = await local.checkConnectionHealth({ utilizationWarningPercent: 50 });
      expect(half.utilizationPercent).toBe(50);
      expect(half.status).toBe('degraded');
      expect(half.reasons.join()).toMatch(/pool utilization 50%/);

      await holding((r) => {
        releaseSecond = r;
      });
      const full = await local.checkConnectionHealth({ acquireTimeoutMs: 300 });
      expect(full.status).toBe('critical');
      expect(full.utilizationPercent).toBe(100);
      expect(full.reasons[0]).toMatch(/within 300 ms/);
    } finally {
      releaseFirst?.();
      releaseSecond?.();
      await db.destroy();
    }
  });

  it('is critical, without throwing, when the database cannot be used', async () => {
    const missing = new URL(tdb.url);
    missing.port = '1'; // nothing listens there
    const db = createDatabase(missing.toString());
    try {
      const health = await new DatabaseDiagnostics({ database: db }).checkConnectionHealth({
        acquireTimeoutMs: 3000,
      });
      expect(health.status).toBe('critical');
      expect(health.reasons).toHaveLength(1);
      expect(health.queryMs).toBeNull();
    } finally {
      await db.destroy();
    }
  });

  it('judges pool health from live pool counters', async () => {
    const health = await diagnostics.poolHealth();
    expect(health.totalConnections).toBe((await diagnostics.connectionDiagnostics()).pool!.max);
    expect(health.status).toBe('healthy');
    expect(health.openConnections).toBeGreaterThanOrEqual(1);
    await expect(
      new DatabaseDiagnostics({ database: broker.database.withSchema(tdb.name) }).poolHealth(),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });
});

describe('server', () => {
  it('reads whitelisted variables only', async () => {
    const all = await diagnostics.serverVariables();
    expect(Number(all.max_connections)).toBeGreaterThan(0);
    expect(Object.keys(all).every((k) => (SERVER_VARIABLE_NAMES as readonly string[]).includes(k))).toBe(
      true,
    );
    expect(await diagnostics.serverVariables(['max_connections', 'performance_schema'])).toEqual({
      max_connections: all.max_connections,
      performance_schema: all.performance_schema,
    });
    await expect(diagnostics.serverVariables(["max_connections' OR 1=1" as never])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'names[0]',
    });
  });

  it('takes a performance snapshot', async () => {
    const m = await diagnostics.performanceMetrics();
    expect(m.uptimeMs).toBeGreaterThan(0);
    expect(m.questions).toBeGreaterThan(0);
    expect(m.queriesPerSecond).toBeCloseTo(m.questions / (m.uptimeMs / 1000), 9);
    expect(m.innodb.bufferPoolHitRatePercent).toBeGreaterThanOrEqual(0);
    expect(m.innodb.bufferPoolHitRatePercent).toBeLessThanOrEqual(100);
    expect(m.tables.dataBytes).toBeGreaterThan(0);
    expect(m.pool).not.toBeNull();
    expect(Math.abs(m.capturedAt.getTime() - Date.now())).toBeLessThan(60_000);
    if (broker.serverProfile.flavour === 'mariadb') expect(m.innodb.deadlocks).toBeGreaterThanOrEqual(0);
  });

  it('reports a primary as not a replica', async () => {
    expect(await diagnostics.replicationLag()).toEqual({ isReplica: false, status: 'not a replica' });
  });
});
