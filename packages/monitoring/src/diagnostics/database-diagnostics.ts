import {
  assertInteger,
  assertLimit,
  assertNumber,
  assertOneOf,
  assertOptionalObject,
  CelersError,
} from '@celers/core';
import { getPoolStats, isUnavailableError, toCelersError } from '@celers/schema';
import {
  analyzeConnectionPoolHealth,
  type ConnectionPoolHealth,
} from '../analysis/connection-pool-health.js';
import { analyzeTableBloat, type TableBloatAnalysis } from '../analysis/table-bloat.js';
import {
  type MonitorDatabaseSource,
  type MonitoredBroker,
  type ResolvedSource,
  resolveSource,
} from '../internal/monitor-source.js';
import { runQuery } from '../internal/run-query.js';
import {
  type ConnectionDiagnostics,
  type ConnectionHealth,
  type ConnectionHealthOptions,
  checkConnection,
  DEFAULT_CONNECTION_HEALTH_OPTIONS,
  readConnectionDiagnostics,
} from './connection-health.js';
import { explainClaimQuery, explainReadOnly, type QueryPlanRow } from './explain.sql.js';
import { type IndexStats, selectIndexStats } from './index-stats.sql.js';
import { indexUsageWarnings } from './index-usage-check.js';
import { selectPageStats } from './page-stats.sql.js';
import { type PerformanceMetrics, readPerformanceMetrics } from './performance-metrics.js';
import {
  type IndexUsage,
  type PerformanceSchemaResult,
  performanceSchemaStatus,
  type QueryDigestStats,
  selectDigestStats,
  selectIndexUsage,
  truncateDigests,
  withPerformanceSchema,
} from './performance-schema.sql.js';
import { profileDigest, type QueryPerformanceProfile } from './query-profile.js';
import {
  assertExplainParameters,
  assertReadOnlySelect,
  type ExplainParameter,
} from './read-only-statement.js';
import { type ReplicationStatus, readReplicationStatus } from './replication-status.js';
import { SERVER_VARIABLE_NAMES, type ServerVariableName, showGlobalVariables } from './server-status.sql.js';
import { selectTableSizes, type TableSize } from './table-sizes.sql.js';

/** A broker, or a database with an optional queue (used by {@link DatabaseDiagnostics.explainDequeue}). */
export type DiagnosticsSource = MonitoredBroker | (Omit<MonitorDatabaseSource, 'queue'> & { queue?: string });

/** Pool health: the live pool judged by `analyzeConnectionPoolHealth`, with the acquire time just measured. */
export interface PoolHealth extends ConnectionPoolHealth {
  /** Connections open now (busy + idle). */
  openConnections: number;
  /** Callers waiting for a connection now. */
  waiting: number;
}

/** Options of the performance_schema digest reads. */
export interface QueryStatsOptions {
  /** Rows to return (1–1000). @defaultValue 20 */
  limit?: number;
  /** Include every statement of the schema, not only those on `celers_` tables. @defaultValue false */
  allStatements?: boolean;
}

const MAX_DIGESTS = 1000;
const MB = 1024 * 1024;

/**
 * Database diagnostics for the celers tables: sizes and bloat, indexes and their use, query plans,
 * performance_schema statement statistics, connections, server variables and replication. Read-only; every
 * performance_schema reader returns `{ available: false, reason }` instead of failing when it is off or not
 * readable.
 *
 * @example
 * ```ts
 * const diagnostics = new DatabaseDiagnostics(broker);
 * console.table(await diagnostics.tableSizes());
 * for (const warning of await diagnostics.checkIndexUsage()) console.warn(warning);
 * const slow = await diagnostics.slowQueries(5);
 * if (slow.available) console.table(slow.queries);
 * ```
 */
export class DatabaseDiagnostics {
  readonly #source: ResolvedSource;

  /** @param source a `MysqlBroker`, or `{ database, queue? }` (queue defaults to `default`). */
  constructor(source: DiagnosticsSource) {
    const candidate = source as { queueName?: unknown; queue?: unknown } | null;
    const withQueue =
      candidate &&
      typeof candidate === 'object' &&
      candidate.queueName === undefined &&
      candidate.queue === undefined
        ? { ...(source as object), queue: 'default' }
        : source;
    this.#source = resolveSource(withQueue);
  }

  /** Rows, data, index and free bytes of each `celers_` table (the seed's `get_table_sizes`). */
  async tableSizes(): Promise<TableSize[]> {
    return this.#run('tableSizes', () => selectTableSizes(this.#source.db));
  }

  /**
   * `analyzeTableBloat` applied to every `celers_` table's information_schema figures, with bloat measured
   * from `DATA_FREE` (free pages and extents of the table's tablespace, which OPTIMIZE TABLE gives back), and
   * next to it InnoDB's page statistics (`mysql.innodb_index_stats`): allocated and leaf pages, rows per leaf
   * page and the estimated fill factor, which fall after a mass delete even when DATA_FREE does not move.
   * Both are as fresh as the last ANALYZE TABLE (`broker.maintenance.analyzeTables()`). `pages` is `null`
   * when this user may not read `mysql.innodb_index_stats` or the table has no statistics yet.
   */
  async tableBloat(): Promise<TableBloatAnalysis[]> {
    const [sizes, pageStats] = await Promise.all([
      this.tableSizes(),
      this.#run('tableBloat', () => selectPageStats(this.#source.db)),
    ]);
    return sizes.map((t) => {
      const pages = pageStats.get(t.tableName);
      return analyzeTableBloat({
        tableName: t.tableName,
        totalSizeMb: (t.dataBytes + t.indexBytes) / MB,
        rowCount: t.rows,
        avgRowLengthBytes: t.avgRowLengthBytes,
        dataSizeMb: t.dataBytes / MB,
        indexSizeMb: t.indexBytes / MB,
        freeSizeMb: t.freeBytes / MB,
        ...(pages ? { pageStats: pages } : {}),
      });
    });
  }

  /** Every index of the `celers_` tables with its columns, uniqueness and cardinality. */
  async indexStats(): Promise<IndexStats[]> {
    return this.#run('indexStats', () => selectIndexStats(this.#source.db));
  }

  /** Reads and writes per index since the server started (performance_schema). */
  async indexUsage(): Promise<PerformanceSchemaResult<{ indexes: IndexUsage[] }>> {
    return withPerformanceSchema(this.#source.db, 'indexUsage', async () => ({
      indexes: await selectIndexUsage(this.#source.db),
    }));
  }

  /** Warnings about index problems (the seed's `check_index_usage`); empty when all is well. */
  async checkIndexUsage(): Promise<string[]> {
    const [indexes, dequeuePlan, usage] = await Promise.all([
      this.indexStats(),
      this.explainDequeue(),
      this.indexUsage(),
    ]);
    return indexUsageWarnings({ indexes, dequeuePlan, ...(usage.available ? { usage: usage.indexes } : {}) });
  }

  /** EXPLAIN of the broker's claim query for this queue (batch size `limit`, default 1). */
  async explainDequeue(limit = 1): Promise<QueryPlanRow[]> {
    const n = assertLimit(limit, 'limit');
    return this.#run('explainDequeue', () => explainClaimQuery(this.#source.db, this.#source.queue, n));
  }

  /**
   * EXPLAIN of one read-only SELECT (the seed's `explain_query`). The statement must start with SELECT and
   * contain no `;`, comments, INTO, FOR UPDATE/SHARE, LOCK or `:=` — anything else is `INVALID_ARGUMENT` —
   * and it is explained inside a READ ONLY transaction. Pass values as `?` placeholders with `parameters`.
   * EXPLAIN plans without executing, but give untrusted callers a read-only database user all the same.
   *
   * @example
   * ```ts
   * await diagnostics.explainQuery('SELECT id FROM celers_tasks WHERE queue_name = ? AND state = ?', ['emails', 'pending']);
   * ```
   */
  async explainQuery(statement: string, parameters?: readonly ExplainParameter[]): Promise<QueryPlanRow[]> {
    const text = assertReadOnlySelect(statement, 'sql');
    const values = assertExplainParameters(text, parameters, 'parameters');
    try {
      return await explainReadOnly(this.#source.db, text, values);
    } catch (error) {
      // The statement is the caller's: an unknown column is their error, not a missing migration.
      if (isUnavailableError(error)) throw toCelersError(error, 'diagnostics.explainQuery');
      const detail = (error as { sqlMessage?: string; message?: string })?.sqlMessage ?? String(error);
      throw new CelersError('DATABASE_ERROR', `diagnostics.explainQuery: ${detail}`, { cause: error });
    }
  }

  /** Whether performance_schema statement digests can be read here, and if not, why. */
  async performanceSchemaStatus(): Promise<PerformanceSchemaResult<object>> {
    return performanceSchemaStatus(this.#source.db);
  }

  /** Statement digests on `celers_` tables by total time (the seed's `get_query_stats`). */
  async queryStats(
    options: QueryStatsOptions = {},
  ): Promise<PerformanceSchemaResult<{ queries: QueryDigestStats[] }>> {
    const { limit, allStatements } = digestOptions(options);
    return withPerformanceSchema(this.#source.db, 'queryStats', async () => ({
      queries: await selectDigestStats(this.#source.db, { orderBy: 'total', limit, allStatements }),
    }));
  }

  /** Empties the statement digest table (the seed's `reset_query_stats`; needs DROP on it). */
  async resetQueryStats(): Promise<PerformanceSchemaResult<object>> {
    return withPerformanceSchema(this.#source.db, 'resetQueryStats', async () => {
      await truncateDigests(this.#source.db);
      return {};
    });
  }

  /** The `limit` statements with the highest average time (the seed's `get_slow_queries`). */
  async slowQueries(
    limit = 10,
    options: Omit<QueryStatsOptions, 'limit'> = {},
  ): Promise<PerformanceSchemaResult<{ queries: QueryDigestStats[] }>> {
    const n = assertLimit(limit, 'limit', MAX_DIGESTS);
    const { allStatements } = digestOptions(options);
    return withPerformanceSchema(this.#source.db, 'slowQueries', async () => ({
      queries: await selectDigestStats(this.#source.db, { orderBy: 'average', limit: n, allStatements }),
    }));
  }

  /**
   * Statements averaging at least `minExecutionTimeMs`, slowest first, with an optimization verdict (no index,
   * no good index, poor selectivity): the seed's `profile_query_performance`.
   */
  async profileQueryPerformance(
    minExecutionTimeMs: number,
    limit = 20,
    options: Omit<QueryStatsOptions, 'limit'> = {},
  ): Promise<PerformanceSchemaResult<{ queries: QueryPerformanceProfile[] }>> {
    const minMs = assertNumber(minExecutionTimeMs, 'minExecutionTimeMs', 0, Number.MAX_SAFE_INTEGER);
    const n = assertLimit(limit, 'limit', MAX_DIGESTS);
    const { allStatements } = digestOptions(options);
    return withPerformanceSchema(this.#source.db, 'profileQueryPerformance', async () => ({
      queries: (
        await selectDigestStats(this.#source.db, {
          orderBy: 'average',
          limit: n,
          minAvgMs: minMs,
          allStatements,
        })
      ).map(profileDigest),
    }));
  }

  /** Pool counters plus the server's `Threads_connected`, `Max_used_connections` and `max_connections`. */
  async connectionDiagnostics(): Promise<ConnectionDiagnostics> {
    return this.#run('connectionDiagnostics', () => readConnectionDiagnostics(this.#source.db));
  }

  /**
   * The pool judged by `analyzeConnectionPoolHealth` (the seed's `get_pool_health`): utilization of the pool
   * maximum and the time to acquire a connection now. `UNSUPPORTED` for a Kysely not made by `createDatabase`.
   */
  async poolHealth(): Promise<PoolHealth> {
    const stats = getPoolStats(this.#source.db);
    if (!stats)
      throw new CelersError(
        'UNSUPPORTED',
        'poolHealth needs a database created by createDatabase() (pool counters unknown)',
      );
    const probe = await checkConnection(this.#source.db, DEFAULT_CONNECTION_HEALTH_OPTIONS);
    const analysis = analyzeConnectionPoolHealth({
      totalConnections: stats.max,
      activeConnections: Math.min(stats.active, stats.max),
      avgWaitTimeMs: probe.acquireMs ?? DEFAULT_CONNECTION_HEALTH_OPTIONS.acquireTimeoutMs,
      connectionFailures: probe.status === 'critical' ? 1 : 0,
    });
    return { ...analysis, openConnections: stats.size, waiting: stats.waiting };
  }

  /**
   * healthy / degraded / critical as the seed's `check_connection_health`: acquire > 1 s, `SELECT 1` > 100 ms
   * or pool utilization ≥ 90 % → degraded; no connection within 5 s or any failure → critical. Never throws
   * for a database failure.
   */
  async checkConnectionHealth(options: ConnectionHealthOptions = {}): Promise<ConnectionHealth> {
    const given = assertOptionalObject(options, 'options') ?? {};
    const resolved = { ...DEFAULT_CONNECTION_HEALTH_OPTIONS, ...given };
    const checked = {
      acquireTimeoutMs: assertInteger(resolved.acquireTimeoutMs, 'options.acquireTimeoutMs', 1, 600_000),
      slowAcquireMs: assertNumber(resolved.slowAcquireMs, 'options.slowAcquireMs', 0, 600_000),
      slowQueryMs: assertNumber(resolved.slowQueryMs, 'options.slowQueryMs', 0, 600_000),
      utilizationWarningPercent: assertNumber(
        resolved.utilizationWarningPercent,
        'options.utilizationWarningPercent',
        0,
        100,
      ),
    };
    return checkConnection(this.#source.db, checked);
  }

  /**
   * Global server variables by name, from a fixed whitelist ({@link SERVER_VARIABLE_NAMES}); all of them when
   * `names` is omitted. Variables the server does not have are left out.
   */
  async serverVariables(names?: readonly ServerVariableName[]): Promise<Record<string, string>> {
    let selected: readonly string[] = SERVER_VARIABLE_NAMES;
    if (names !== undefined) {
      if (!Array.isArray(names))
        throw CelersError.invalidArgument('names', 'expected an array of variable names');
      selected = names.map((n, i) => assertOneOf(n, SERVER_VARIABLE_NAMES, `names[${i}]`));
    }
    return this.#run('serverVariables', () => showGlobalVariables(this.#source.db, selected));
  }

  /** A snapshot of server counters, InnoDB buffer pool and lock figures, pool stats and table totals. */
  async performanceMetrics(): Promise<PerformanceMetrics> {
    return this.#run('performanceMetrics', () => readPerformanceMetrics(this.#source.db));
  }

  /**
   * Replication state of this server (connect the diagnostics to a replica to use it): `SHOW REPLICA STATUS`,
   * or `SHOW SLAVE STATUS` on servers without it, judged by `analyzeReplicationLag`. A server that is not a
   * replica gives `{ isReplica: false, status: 'not a replica' }`.
   */
  async replicationLag(): Promise<ReplicationStatus> {
    return readReplicationStatus(this.#source.db);
  }

  #run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return runQuery(`diagnostics.${operation}`, fn);
  }
}

function digestOptions(options: unknown): { limit: number; allStatements: boolean } {
  const given = assertOptionalObject(options, 'options') ?? {};
  const limit = given.limit === undefined ? 20 : assertLimit(given.limit, 'options.limit', MAX_DIGESTS);
  if (given.allStatements !== undefined && typeof given.allStatements !== 'boolean') {
    throw CelersError.invalidArgument('options.allStatements', 'expected a boolean');
  }
  return { limit, allStatements: given.allStatements === true };
}
