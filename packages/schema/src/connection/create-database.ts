import { assertOptionalObject, CelersError } from '@celers/core';
import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import type { CelersDatabase } from '../database-types.js';
import { resolveDatabaseUrl, type UrlConnectionOptions } from './database-url.js';
import { type PoolConfig, type ResolvedPoolConfig, resolvePoolConfig } from './pool-config.js';
import { SESSION_SETUP_STATEMENTS } from './session-settings.js';
import { TimedPool } from './timed-pool.js';

/** How to reach the database: a URL, or a URL plus pool settings. */
export interface DatabaseOptions {
  /** `mysql://user:password@host:3306/database` */
  url: string;
  /** Pool settings (the seed's `PoolConfig`). */
  pool?: PoolConfig;
}

interface PoolEntry {
  pool: Pool;
  config: ResolvedPoolConfig;
}

// Kysely hides its pool; this registry lets health checks and warmup reach the pool behind a Kysely.
const pools = new WeakMap<object, PoolEntry>();

/**
 * Creates a `Kysely<CelersDatabase>` over one mysql2 pool. Every connection runs in UTC
 * (`time_zone = '+00:00'`) at READ COMMITTED (at REPEATABLE READ a SKIP LOCKED claim that scans to the end
 * of the index holds a gap lock that stalls concurrent INSERTs of new tasks: measured 2 s vs 13 ms) with
 * celers's own `sql_mode` (`CELERS_SQL_MODE`: strict, backslash escapes on). Every statement has a
 * timeout (`pool.statementTimeoutMs`) past which it fails with `DATABASE_TIMEOUT` and its connection is closed.
 * The URL may carry only `ssl`, `charset` (utf8mb4) and `socketPath` options (see {@link resolveDatabaseUrl}).
 *
 * @example
 * ```ts
 * const db = createDatabase({ url: process.env.CELERS_DATABASE_URL!, pool: { maxConnections: 10 } });
 * await migrate(db);
 * ```
 */
export function createDatabase(options: string | DatabaseOptions): Kysely<CelersDatabase> {
  const resolved = typeof options === 'string' ? { url: options } : options;
  assertOptionalObject(resolved, 'options');
  const urlArgument = typeof options === 'string' ? 'url' : 'options.url';
  const url = resolveDatabaseUrl(resolved.url, urlArgument);
  const config = resolvePoolConfig(resolved.pool, 'options.pool');
  const pool = createMysqlPool(url.uri, config, url.options, urlArgument);
  const db = new Kysely<CelersDatabase>({
    dialect: new MysqlDialect({
      pool: new TimedPool(pool, config),
      onCreateConnection: async (connection) => {
        for (const statement of SESSION_SETUP_STATEMENTS) await connection.executeQuery(statement);
      },
    }),
  });
  pools.set(db, { pool, config });
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

/** Connection pool occupancy (the seed's pool metrics). */
export interface PoolStats {
  /** Connections open (busy + idle). */
  size: number;
  /** Open connections not in use. */
  idle: number;
  /** Connections in use. */
  active: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** `maxConnections`. */
  max: number;
  /** `minConnections`. */
  min: number;
}

/** Reads pool occupancy for a Kysely made by {@link createDatabase}; `null` for other instances. */
export function getPoolStats(db: object): PoolStats | null {
  const entry = pools.get(db);
  if (!entry) return null;
  // mysql2 keeps these as internal queues; they are the only source of pool occupancy.
  const internals = entry.pool as unknown as {
    _allConnections?: { length: number };
    _freeConnections?: { length: number };
    _connectionQueue?: { length: number };
  };
  const size = internals._allConnections?.length ?? 0;
  const idle = internals._freeConnections?.length ?? 0;
  return {
    size,
    idle,
    active: size - idle,
    waiting: internals._connectionQueue?.length ?? 0,
    max: entry.config.maxConnections,
    min: entry.config.minConnections,
  };
}

/** The resolved pool config of a Kysely made by {@link createDatabase}. */
export function getPoolConfig(db: object): ResolvedPoolConfig | null {
  return pools.get(db)?.config ?? null;
}

/**
 * Opens connections ahead of load (the seed's `warmup_connection_pool`): `count` defaults to
 * `minConnections` (at least 1). Returns the number of connections open afterwards.
 */
export async function warmupPool(db: Kysely<CelersDatabase>, count?: number): Promise<number> {
  const entry = pools.get(db);
  const target = Math.min(
    count ?? Math.max(entry?.config.minConnections ?? 1, 1),
    entry?.config.maxConnections ?? 1,
  );
  const promisePool = entry?.pool.promise();
  if (!promisePool)
    throw new CelersError('UNSUPPORTED', 'warmupPool needs a database created by createDatabase()');
  const connections = await Promise.all(Array.from({ length: target }, () => promisePool.getConnection()));
  await Promise.all(connections.map((c) => c.ping()));
  for (const c of connections) c.release();
  return getPoolStats(db)?.size ?? target;
}
