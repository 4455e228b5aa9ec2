// @celers/schema: kysely table types, migrations and migrator, connection factory, server profile, driver errors.
export {
  type DatabaseOptions,
  type PoolStats,
  createDatabase,
  getPoolConfig,
  getPoolStats,
  parseDatabaseUrl,
  warmupPool,
} from './connection/create-database.js';
export { MYSQL_ERRNO, isDuplicateKeyError, isRetryableLockError, isUnavailableError, toCelersError } from './connection/driver-errors.js';
export { DEFAULT_POOL_CONFIG, type PoolConfig, type ResolvedPoolConfig, resolvePoolConfig } from './connection/pool-config.js';
export { type ServerProfile, detectServerProfile, profileFromVersion } from './connection/server-profile.js';
export { ACQUIRE_TIMEOUT_CODE } from './connection/timed-pool.js';
export * from './database-types.js';
export {
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  type MigrationInfo,
  type MigrationVerification,
  assertMigrated,
  listMigrations,
  migrate,
  migrateDown,
  migrateUpTo,
  verifyMigrations,
} from './migrator.js';
export { MIGRATION_NAMES, type MigrationName, migrations } from './migrations/index.js';
