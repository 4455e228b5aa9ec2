import { assertDurationMs, assertInteger, assertOptionalObject, CelersError } from '@celers/core';

/** Connection pool settings (the seed's `PoolConfig`); every field is optional. */
export interface PoolConfig {
  /** Most connections open at once. @defaultValue {@link DEFAULT_POOL_CONFIG}.maxConnections (20) */
  maxConnections?: number;
  /** Connections `warmupPool` opens ahead of load. @defaultValue 0 */
  minConnections?: number;
  /** How long to wait for a free connection before failing with `DATABASE_UNAVAILABLE`. @defaultValue 5000 */
  acquireTimeoutMs?: number;
  /** Connections older than this are closed instead of reused. @defaultValue 1800000 (30 min) */
  maxLifetimeMs?: number;
  /** Idle connections above `minConnections` are closed after this. @defaultValue 600000 (10 min) */
  idleTimeoutMs?: number;
  /** TCP connect timeout. @defaultValue 10000 */
  connectTimeoutMs?: number;
  /**
   * Longest a statement may run. Past it the call fails with `DATABASE_TIMEOUT` and the connection is
   * destroyed (the server rolls back its open transaction), never returned to the pool still busy. The pool checks
   * its deadlines on one timer every tenth of the shorter of this and `acquireTimeoutMs` (at most 250 ms), so a
   * timeout fires up to that much late.
   * @defaultValue 30000
   */
  statementTimeoutMs?: number;
  /**
   * The same limit for statements whose time grows with table size: DDL (migrations), `OPTIMIZE`/`ANALYZE
   * TABLE` and the migrator's lock wait. Purges delete in bounded chunks and use `statementTimeoutMs`.
   * @defaultValue 3600000 (1 h)
   */
  maintenanceStatementTimeoutMs?: number;
  /**
   * With a list of hosts in the URL: how long a host that failed to connect is skipped before new
   * connections try it again.
   * @defaultValue 5000
   */
  hostCoolDownMs?: number;
}

/** {@link PoolConfig} with every default applied. */
export type ResolvedPoolConfig = Readonly<Required<PoolConfig>>;

/** Longest delay `setTimeout` honours (2^31 - 1 ms, ~24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/** Defaults: 20 connections and a 5 s acquire timeout, as the seed; 30 s per statement. */
export const DEFAULT_POOL_CONFIG: ResolvedPoolConfig = Object.freeze({
  maxConnections: 20,
  minConnections: 0,
  acquireTimeoutMs: 5_000,
  maxLifetimeMs: 1_800_000,
  idleTimeoutMs: 600_000,
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 30_000,
  maintenanceStatementTimeoutMs: 3_600_000,
  hostCoolDownMs: 5_000,
});

/** Validates a pool config and fills in defaults. */
export function resolvePoolConfig(config: PoolConfig = {}, argument = 'pool'): ResolvedPoolConfig {
  assertOptionalObject(config, argument);
  const merged = { ...DEFAULT_POOL_CONFIG, ...stripUndefined(config) };
  assertInteger(merged.maxConnections, `${argument}.maxConnections`, 1, 10_000);
  assertInteger(merged.minConnections, `${argument}.minConnections`, 0, 10_000);
  if (merged.minConnections > merged.maxConnections) {
    throw CelersError.invalidArgument(`${argument}.minConnections`, 'must not exceed maxConnections');
  }
  assertDurationMs(merged.acquireTimeoutMs, `${argument}.acquireTimeoutMs`, 1);
  assertDurationMs(merged.maxLifetimeMs, `${argument}.maxLifetimeMs`, 1);
  assertDurationMs(merged.idleTimeoutMs, `${argument}.idleTimeoutMs`, 1);
  assertDurationMs(merged.connectTimeoutMs, `${argument}.connectTimeoutMs`, 1);
  // setTimeout fires at once past 2^31-1 ms, so that is the ceiling of both statement timeouts.
  assertInteger(merged.statementTimeoutMs, `${argument}.statementTimeoutMs`, 1, MAX_TIMER_MS);
  assertInteger(
    merged.maintenanceStatementTimeoutMs,
    `${argument}.maintenanceStatementTimeoutMs`,
    1,
    MAX_TIMER_MS,
  );
  assertDurationMs(merged.hostCoolDownMs, `${argument}.hostCoolDownMs`, 1);
  return Object.freeze(merged);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
