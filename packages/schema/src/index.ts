// @celers/schema: kysely table types, migrations and migrator, connection factory, server profile, driver errors.
export {
  createDatabase,
  type DatabaseOptions,
  getPoolStats,
  type PoolStats,
  warmupPool,
} from './connection/create-database.js';
export {
  parseDatabaseUrl,
  type ResolvedDatabaseUrl,
  resolveDatabaseUrl,
  type UrlConnectionOptions,
} from './connection/database-url.js';
export {
  isDuplicateKeyError,
  isRetryableLockError,
  isTimeoutError,
  isUnavailableError,
  MYSQL_ERRNO,
  toCelersError,
} from './connection/driver-errors.js';
export { STATEMENT_TIMEOUT_CODE } from './connection/guarded-connection.js';
export {
  DEFAULT_POOL_CONFIG,
  type PoolConfig,
  type ResolvedPoolConfig,
  resolvePoolConfig,
} from './connection/pool-config.js';
export { detectServerProfile, profileFromVersion, type ServerProfile } from './connection/server-profile.js';
export { CELERS_SQL_MODE } from './connection/session-settings.js';
export { ACQUIRE_TIMEOUT_CODE } from './connection/timed-pool.js';
export {
  STATEMENT_HEADROOM_BYTES,
  type ValueLimits,
  valueLimitsFor,
} from './connection/value-limits.js';
export * from './database-types.js';
export * from './live-task-defaults.js';
export { MIGRATION_NAMES, type MigrationName, migrations } from './migrations/index.js';
export {
  assertMigrated,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  listMigrations,
  type MigrationInfo,
  type MigrationVerification,
  migrate,
  migrateDown,
  migrateUpTo,
  verifyMigrations,
} from './migrator.js';
export * from './stored-task-states.js';
export * from './task-tables.js';
