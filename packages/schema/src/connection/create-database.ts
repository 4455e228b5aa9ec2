import { promisify } from 'node:util';
import { assertOptionalObject, CelersError } from '@celers/core';
import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import type { CelersDatabase } from '../database-types.js';
import { resolveDatabaseUrl, type UrlConnectionOptions } from './database-url.js';
import { type ConnectionSource, FailoverPool } from './failover-pool.js';
import { type PoolConfig, type ResolvedPoolConfig, resolvePoolConfig } from './pool-config.js';
import { formatUnlessNoValues } from './query-format.js';
import { SESSION_SETUP_STATEMENTS } from './session-settings.js';
import { TimedPool } from './timed-pool.js';

/** How to reach the database: a URL, or a URL plus pool settings. */
export interface DatabaseOptions {
  /**
   * `mysql://user:password@host:3306/database`, or with a comma-separated list of hosts for failover:
   * `mysql://user:password@db1:3306,db2:3306,db3:3306/database` (see {@link createDatabase}).
   */
  url: string;
  /** Pool settings (the seed's `PoolConfig`). */
  pool?: PoolConfig;
}

interface PoolEntry {
  /** What connections are taken from: the one host's pool, or the failover over every host's pool. */
  source: ConnectionSource;
  /** One mysql2 pool per host, in failover order. */
  pools: readonly Pool[];
  config: ResolvedPoolConfig;
}

// Kysely hides its pool; this registry lets health checks and warmup reach the pool behind a Kysely.
const registry = new WeakMap<object, PoolEntry>();

/**
 * Creates a `Kysely<CelersDatabase>` over one mysql2 pool. Every connection runs in UTC
 * (`time_zone = '+00:00'`) at READ COMMITTED (at REPEATABLE READ a SKIP LOCKED claim that scans to the end
 * of the index holds a gap lock that stalls concurrent INSERTs of new tasks: measured 2 s vs 13 ms) with
 * celers's own `sql_mode` (`CELERS_SQL_MODE`: strict, backslash escapes on). Every statement has a
 * timeout (`pool.statementTimeoutMs`) past which it fails with `DATABASE_TIMEOUT` and its connection is closed.
 * The URL may carry only `ssl`, `charset` (utf8mb4) and `socketPath` options (see {@link resolveDatabaseUrl}).
 *
 * A URL listing several hosts (`mysql://u:p@db1:3306,db2:3306/celers`, e.g. the nodes of a Galera cluster)
 * gives sequential failover: each new connection goes to the first host in list order that is reachable; a host
 * that fails to connect is skipped for `pool.hostCoolDownMs` (5 s) and then tried first again. Connections
 * already open on a host that goes down fail with their statement (`DATABASE_UNAVAILABLE`) and are dropped, so
 * the next call gets a connection on a live host. Each host has its own pool of up to `pool.maxConnections`; a
 * connect to a host that does not answer at all takes up to `pool.connectTimeoutMs` before the next host is
 * tried. Every host must be the same kind of server (MySQL or MariaDB) holding the same data.
 *
 * @example
 * ```ts
 * const db = createDatabase({ url: process.env.CELERS_DATABASE_URL!, pool: { maxConnections: 10 } });
 * await migrate(db);
 * const galera = createDatabase('mysql://celers:secret@10.0.0.1:3306,10.0.0.2:3306,10.0.0.3:3306/celers');
 * ```
 */
export function createDatabase(options: string | DatabaseOptions): Kysely<CelersDatabase> {
  const resolved = typeof options === 'string' ? { url: options } : options;
  assertOptionalObject(resolved, 'options');
  const urlArgument = typeof options === 'string' ? 'url' : 'options.url';
  const url = resolveDatabaseUrl(resolved.url, urlArgument);
  const config = resolvePoolConfig(resolved.pool, 'options.pool');
  const pools = url.uris.map((uri) => createMysqlPool(uri, config, url.options, urlArgument));
  const source = pools.length === 1 ? (pools[0] as Pool) : new FailoverPool(pools, config.hostCoolDownMs);
  const db = new Kysely<CelersDatabase>({
    dialect: new MysqlDialect({
      pool: new TimedPool(source, config),
      onCreateConnection: async (connection) => {
        for (const statement of SESSION_SETUP_STATEMENTS) await connection.executeQuery(statement);
      },
    }),
  });
  registry.set(db, { source, pools, config });
  return db;
}

function createMysqlPool(
  uri: string,
  config: ResolvedPoolConfig,
  urlOptions: UrlConnectionOptions,
  urlArgument: string,
): Pool {
  try {
    return createPool({
      uri,
      connectionLimit: config.maxConnections,
      maxIdle: Math.max(config.minConnections, 1),
      idleTimeout: config.idleTimeoutMs,
      connectTimeout: config.connectTimeoutMs,
      enableKeepAlive: true,
      timezone: 'Z',
      queryFormat: formatUnlessNoValues,
      dateStrings: false,
      decimalNumbers: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: urlOptions.charset ?? 'utf8mb4_unicode_ci',
      ...(urlOptions.ssl ? { ssl: urlOptions.ssl } : {}),
      ...(urlOptions.socketPath ? { socketPath: urlOptions.socketPath } : {}),
      // Never several statements per call: a smuggled `;` stays a syntax error.
      multipleStatements: false,
      // JSON columns arrive as text on MySQL and MariaDB alike and are decoded once by parseJsonColumn
      // (issue 14: parsing mysql2's already-parsed values again broke strings like "done" and "5").
      jsonStrings: true,
    });
  } catch (error) {
    // mysql2 throws a TypeError for a setting it cannot use (an unknown utf8mb4 collation, say).
    throw CelersError.invalidArgument(urlArgument, (error as Error).message);
  }
}

/** Connection pool occupancy (the seed's pool metrics), summed over the hosts of a host list. */
export interface PoolStats {
  /** Connections open (busy + idle). */
  size: number;
  /** Open connections not in use. */
  idle: number;
  /** Connections in use. */
  active: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** `maxConnections` (per host, with a list of hosts). */
  max: number;
  /** `minConnections`. */
  min: number;
}

/** Reads pool occupancy for a Kysely made by {@link createDatabase}; `null` for other instances. */
export function getPoolStats(db: object): PoolStats | null {
  const entry = registry.get(db);
  if (!entry) return null;
  let size = 0;
  let idle = 0;
  let waiting = 0;
  for (const pool of entry.pools) {
    // mysql2 keeps these as internal queues; they are the only source of pool occupancy.
    const internals = pool as unknown as {
      _allConnections?: { length: number };
      _freeConnections?: { length: number };
      _connectionQueue?: { length: number };
    };
    size += internals._allConnections?.length ?? 0;
    idle += internals._freeConnections?.length ?? 0;
    waiting += internals._connectionQueue?.length ?? 0;
  }
  return {
    size,
    idle,
    active: size - idle,
    waiting,
    max: entry.config.maxConnections,
    min: entry.config.minConnections,
  };
}

/** The resolved pool config of a Kysely made by {@link createDatabase} (for tests; not exported by the package). @internal */
export function getPoolConfig(db: object): ResolvedPoolConfig | null {
  return registry.get(db)?.config ?? null;
}

/**
 * Opens connections ahead of load (the seed's `warmup_connection_pool`): `count` defaults to
 * `minConnections` (at least 1). Returns the number of connections open afterwards.
 */
export async function warmupPool(db: Kysely<CelersDatabase>, count?: number): Promise<number> {
  const entry = registry.get(db);
  if (!entry) throw new CelersError('UNSUPPORTED', 'warmupPool needs a database created by createDatabase()');
  const target = Math.min(count ?? Math.max(entry.config.minConnections, 1), entry.config.maxConnections);
  // through the failover, so a host list warms connections on the host that new connections go to
  const connections = await Promise.all(
    Array.from({ length: target }, () => promisify(entry.source.getConnection.bind(entry.source))()),
  );
  await Promise.all(connections.map((c) => promisify(c.ping.bind(c))()));
  for (const c of connections) c.release();
  return getPoolStats(db)?.size ?? target;
}
