import type { PoolStats } from '@celers/schema';

/**
 * What `broker.health.check()` reports (the seed's `HealthStatus`).
 *
 * @example
 * ```ts
 * const h = await broker.health.check();
 * if (!h.healthy) console.warn('schema out of date', h.missingMigrations);
 * ```
 */
export interface HealthStatus {
  /** The server answered and the schema has exactly this code's migrations. */
  healthy: boolean;
  serverFlavour: 'mysql' | 'mariadb';
  /** e.g. `10.11.19-MariaDB` or `8.4.3`. */
  serverVersion: string;
  /** The connected schema (`DATABASE()`). */
  databaseName: string;
  /** Migrations this code knows that the database has not applied. */
  missingMigrations: string[];
  /** Pending tasks of this broker's queue. */
  pendingTasks: number;
  /** Processing tasks of this broker's queue. */
  processingTasks: number;
  /** Pool occupancy, or `null` when the Kysely instance was not made by `createDatabase`. */
  pool: PoolStats | null;
  /** Round-trip time of the check's query, in ms. */
  latencyMs: number;
  /** When the check ran (database clock). */
  checkedAt: Date;
}

/** Options of `broker.health.isReady`. */
export interface ReadinessOptions {
  /** Give up (return false) after this many ms. @defaultValue {@link DEFAULT_READY_TIMEOUT_MS} */
  timeoutMs?: number;
}

/** Default timeout of `isReady`. */
export const DEFAULT_READY_TIMEOUT_MS = 2_000;
