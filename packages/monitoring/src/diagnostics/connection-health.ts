import type { CelersDatabase, PoolStats } from '@celers/schema';
import { getPoolStats } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNumber } from '../internal/numbers.js';
import { showGlobalStatus, showGlobalVariables } from './server-status.sql.js';

/** Status of {@link checkConnection}: the seed's healthy (`Ok(true)`), degraded (`Ok(false)`), critical (`Err`). */
export type ConnectionHealthStatus = 'healthy' | 'degraded' | 'critical';

/** Thresholds of the connection health check (the seed's values as defaults). */
export interface ConnectionHealthOptions {
  /** Give up acquiring a connection after this long → `critical`. @defaultValue 5000 */
  acquireTimeoutMs?: number;
  /** Acquiring slower than this → `degraded`. @defaultValue 1000 */
  slowAcquireMs?: number;
  /** `SELECT 1` slower than this → `degraded`. @defaultValue 100 */
  slowQueryMs?: number;
  /** Pool utilization at or above this → `degraded`. @defaultValue 90 */
  utilizationWarningPercent?: number;
}

/** Default {@link ConnectionHealthOptions}. */
export const DEFAULT_CONNECTION_HEALTH_OPTIONS: Readonly<Required<ConnectionHealthOptions>> = Object.freeze({
  acquireTimeoutMs: 5000,
  slowAcquireMs: 1000,
  slowQueryMs: 100,
  utilizationWarningPercent: 90,
});

/** Result of {@link checkConnection}. */
export interface ConnectionHealth {
  status: ConnectionHealthStatus;
  /** Time to get a pooled connection (ms), `null` when none was obtained. */
  acquireMs: number | null;
  /** Round trip of `SELECT 1` (ms), `null` when it did not run. */
  queryMs: number | null;
  /** Busy connections / pool maximum before the probe, `null` when the pool is unknown. */
  utilizationPercent: number | null;
  /** Why the status is not `healthy`. */
  reasons: string[];
}

/** Pool figures plus the server's view of connections (the seed's `ConnectionDiagnostics`). */
export interface ConnectionDiagnostics {
  /** This process's pool, `null` when the Kysely was not made by `createDatabase`. */
  pool: PoolStats | null;
  /** `active / max × 100` of the pool. */
  poolUtilizationPercent: number | null;
  server: {
    threadsConnected: number;
    threadsRunning: number;
    maxUsedConnections: number;
    maxConnections: number;
    /** `threadsConnected / maxConnections × 100`. */
    connectionUtilizationPercent: number;
    /** Connection attempts since startup. */
    totalConnections: number;
    abortedConnects: number;
  };
}

/** Pool occupancy as a percentage of its maximum. @internal */
export function poolUtilization(stats: PoolStats | null): number | null {
  return stats && stats.max > 0 ? (stats.active / stats.max) * 100 : null;
}

/** Reads pool stats and the server's connection counters. @internal */
export async function readConnectionDiagnostics(db: Kysely<CelersDatabase>): Promise<ConnectionDiagnostics> {
  const pool = getPoolStats(db);
  const status = await showGlobalStatus(db, [
    'Threads_connected',
    'Threads_running',
    'Max_used_connections',
    'Connections',
    'Aborted_connects',
  ]);
  const variables = await showGlobalVariables(db, ['max_connections']);
  const threadsConnected = toNumber(status.threads_connected);
  const maxConnections = toNumber(variables.max_connections);
  return {
    pool,
    poolUtilizationPercent: poolUtilization(pool),
    server: {
      threadsConnected,
      threadsRunning: toNumber(status.threads_running),
      maxUsedConnections: toNumber(status.max_used_connections),
      maxConnections,
      connectionUtilizationPercent: maxConnections > 0 ? (threadsConnected / maxConnections) * 100 : 0,
      totalConnections: toNumber(status.connections),
      abortedConnects: toNumber(status.aborted_connects),
    },
  };
}

/**
 * The seed's `check_connection_health`: acquire a connection (timeout → critical), time `SELECT 1`, and read
 * pool utilization. Slow acquire, slow query or high utilization → degraded; any failure → critical. Never
 * throws for a database problem: it reports it.
 * @internal
 */
export async function checkConnection(
  db: Kysely<CelersDatabase>,
  options: Readonly<Required<ConnectionHealthOptions>>,
): Promise<ConnectionHealth> {
  const utilizationPercent = poolUtilization(getPoolStats(db));
  let acquireMs: number | null = null;
  let queryMs: number | null = null;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.acquireTimeoutMs);
    timer.unref();
  });
  try {
    const probe = db.connection().execute(async (conn) => {
      acquireMs = performance.now() - started;
      const queryStarted = performance.now();
      await sql`SELECT 1`.execute(conn);
      queryMs = performance.now() - queryStarted;
      return 'done' as const;
    });
    probe.catch(() => undefined); // a late failure after a timeout has nobody to report to
    if ((await Promise.race([probe, timeout])) === 'timeout') {
      return {
        status: 'critical',
        acquireMs,
        queryMs,
        utilizationPercent,
        reasons: [`no connection or reply within ${options.acquireTimeoutMs} ms`],
      };
    }
  } catch (error) {
    const e = error as { code?: string; sqlMessage?: string; message?: string };
    return {
      status: 'critical',
      acquireMs,
      queryMs,
      utilizationPercent,
      reasons: [
        `connection check failed: ${e?.code ?? ''} ${e?.sqlMessage ?? e?.message ?? String(error)}`.trim(),
      ],
    };
  } finally {
    clearTimeout(timer);
  }
  const reasons: string[] = [];
  if (acquireMs !== null && acquireMs > options.slowAcquireMs) {
    reasons.push(`acquiring a connection took ${Math.round(acquireMs)} ms (> ${options.slowAcquireMs} ms)`);
  }
  if (queryMs !== null && queryMs > options.slowQueryMs) {
    reasons.push(`SELECT 1 took ${Math.round(queryMs)} ms (> ${options.slowQueryMs} ms)`);
  }
  if (utilizationPercent !== null && utilizationPercent >= options.utilizationWarningPercent) {
    reasons.push(
      `pool utilization ${utilizationPercent.toFixed(0)}% (≥ ${options.utilizationWarningPercent}%)`,
    );
  }
  return {
    status: reasons.length > 0 ? 'degraded' : 'healthy',
    acquireMs,
    queryMs,
    utilizationPercent,
    reasons,
  };
}
