import { MysqlBroker } from '@celers/broker-mysql';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, selectDigestStats, selectIndexUsage } from '../src/diagnostics/performance-schema.sql.js';
import { profileDigest } from '../src/diagnostics/query-profile.js';
import { summarizeReplication, toReplicaChannel } from '../src/diagnostics/replication-status.js';
import { DatabaseDiagnostics, type QueryDigestStats } from '../src/index.js';
import { createRestrictedUser, type RestrictedUser } from './helpers/restricted-user.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let restricted: RestrictedUser;
let psEnabled: boolean;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'ps', migrate: true });
  restricted = await createRestrictedUser(broker.database, tdb.url, tdb.name);
  const { rows } = await sql<{ ps: number }>`SELECT @@performance_schema AS ps`.execute(broker.database);
  psEnabled = Number(rows[0]?.ps) === 1;
});
afterAll(async () => {
  await restricted?.drop();
  await broker?.close();
  await tdb?.drop();
});

describe('performance_schema readers', () => {
  it('report availability according to @@performance_schema, never a driver error', async () => {
    const diagnostics = new DatabaseDiagnostics(broker);
    const results = [
      await diagnostics.performanceSchemaStatus(),
      await diagnostics.queryStats(),
      await diagnostics.slowQueries(5),
      await diagnostics.profileQueryPerformance(1, 5),
      await diagnostics.indexUsage(),
      await diagnostics.resetQueryStats(),
    ];
    for (const result of results) {
      expect(result.available).toBe(psEnabled);
      if (!result.available) expect(result.reason).toMatch(/performance_schema is OFF/);
    }
    if (psEnabled) {
      const stats = results[1] as { available: true; queries: QueryDigestStats[] };
      expect(Array.isArray(stats.queries)).toBe(true);
    }
  });

  it('report a user without access as unavailable', async () => {
    const diagnostics = new DatabaseDiagnostics({ database: restricted.db });
    const status = await diagnostics.queryStats();
    expect(status.available).toBe(false);
    if (!status.available)
      expect(status.reason).toMatch(psEnabled ? /cannot read performance_schema/ : /OFF/);
    // The access probe itself, which runs once the server reports performance_schema ON:
    const denied = await probe(restricted.db, 'performance_schema.events_statements_summary_by_digest');
    expect(denied.available).toBe(false);
    if (!denied.available)
      expect(denied.reason).toMatch(
        /cannot read performance_schema\.events_statements_summary_by_digest.*denied/i,
      );
    expect(
      (await probe(broker.database, 'performance_schema.events_statements_summary_by_digest')).available,
    ).toBe(true);
  });

  it('run the digest and index-usage SQL against the real tables', async () => {
    // The tables exist even when collection is off (then they are empty): this checks column names and syntax.
    const digests = await selectDigestStats(broker.database, { orderBy: 'average', limit: 5, minAvgMs: 0.5 });
    const usage = await selectIndexUsage(broker.database);
    if (!psEnabled) {
      expect(digests).toEqual([]);
      expect(usage).toEqual([]);
    }
    for (const d of digests) expect(d.executionCount).toBeGreaterThan(0);
  });

  it('validate their arguments first', async () => {
    const diagnostics = new DatabaseDiagnostics(broker);
    await expect(diagnostics.slowQueries(0)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'limit',
    });
    await expect(diagnostics.profileQueryPerformance(-1)).rejects.toMatchObject({
      argument: 'minExecutionTimeMs',
    });
    await expect(diagnostics.profileQueryPerformance(Number.NaN)).rejects.toMatchObject({
      argument: 'minExecutionTimeMs',
    });
    await expect(diagnostics.queryStats({ limit: 5000 })).rejects.toMatchObject({
      argument: 'options.limit',
    });
    await expect(diagnostics.queryStats({ allStatements: 'yes' as never })).rejects.toMatchObject({
      argument: 'options.allStatements',
    });
  });
});

describe('profileDigest', () => {
  const base: QueryDigestStats = {
    digest: 'abc',
    digestText: 'SELECT * FROM `celers_tasks` WHERE `state` = ?',
    schemaName: 'x',
    executionCount: 10,
    totalTimeMs: 100,
    avgTimeMs: 10,
    maxTimeMs: 20,
    totalLockTimeMs: 0,
    rowsExamined: 100,
    rowsSent: 1,
    rowsAffected: 0,
    noIndexUsedCount: 0,
    noGoodIndexUsedCount: 0,
    errors: 0,
    firstSeen: null,
    lastSeen: null,
  };

  it.each([
    [{}, []],
    [{ rowsExamined: 101 }, [/101 rows examined for 1/]],
    [{ noIndexUsedCount: 3 }, [/no index used in 3/]],
    [{ noGoodIndexUsedCount: 2 }, [/no good index in 2/]],
    [{ rowsExamined: 0, rowsSent: 0 }, []],
  ])('%o → %o', (override, reasons) => {
    const profile = profileDigest({ ...base, ...override });
    expect(profile.reasons).toHaveLength(reasons.length);
    for (const [i, r] of reasons.entries()) expect(profile.reasons[i]).toMatch(r);
    expect(profile.needsOptimization).toBe(reasons.length > 0);
  });
});

describe('replication status', () => {
  it('reports missing privileges as unknown instead of throwing', async () => {
    const status = await new DatabaseDiagnostics({ database: restricted.db }).replicationLag();
    expect(status).toMatchObject({ isReplica: null, status: 'unknown' });
    if (status.isReplica === null) expect(status.reason).toMatch(/denied|privilege/i);
  });

  it('understands MySQL (Source/Replica) and MariaDB (Master/Slave) columns', () => {
    const mysqlRow = {
      Channel_Name: '',
      Source_Host: 'primary.internal',
      Source_Port: 3306,
      Replica_IO_Running: 'Yes',
      Replica_SQL_Running: 'Yes',
      Seconds_Behind_Source: 3,
      Last_IO_Error: '',
      Last_SQL_Error: '',
    };
    expect(toReplicaChannel(mysqlRow)).toMatchObject({
      replicaId: 'primary.internal:3306',
      lagMs: 3000,
      status: 'warning',
      ioThreadRunning: true,
      sqlThreadRunning: true,
      lastError: null,
    });
    const mariaRow = {
      Connection_name: 'east',
      Master_Host: 'db1',
      Slave_IO_Running: 'Yes',
      Slave_SQL_Running: 'No',
      Seconds_Behind_Master: null,
      Last_SQL_Error: 'Duplicate entry',
    };
    expect(toReplicaChannel(mariaRow)).toMatchObject({
      replicaId: 'east',
      channel: 'east',
      lagMs: null,
      status: 'error',
      lastError: 'Duplicate entry',
    });
    expect(summarizeReplication([mysqlRow, mariaRow])).toMatchObject({
      isReplica: true,
      status: 'error',
      lagMs: null,
    });
    expect(summarizeReplication([mysqlRow, { ...mysqlRow, Seconds_Behind_Source: 0 }])).toMatchObject({
      status: 'warning',
      lagMs: 3000,
    });
    expect(summarizeReplication([])).toEqual({ isReplica: false, status: 'not a replica' });
  });
});
