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
}

/** {@link PoolConfig} with every default applied. */
export type ResolvedPoolConfig = Readonly<Required<PoolConfig>>;

/** Defaults: 20 connections and a 5 s acquire timeout, as the seed. */
export const DEFAULT_POOL_CONFIG: ResolvedPoolConfig = Object.freeze({
  maxConnections: 20,
  minConnections: 0,
  acquireTimeoutMs: 5_000,
  maxLifetimeMs: 1_800_000,
  idleTimeoutMs: 600_000,
  connectTimeoutMs: 10_000,
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
  return Object.freeze(merged);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
