import { CelersError } from '@celers/core';
import {
  type Kysely,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  NO_MIGRATIONS,
  sql,
} from 'kysely';
import { withDatabaseScopedMigrationLock } from './migration-lock.js';
import { MIGRATION_NAMES, type MigrationName, migrations } from './migrations/index.js';

/** kysely's migration bookkeeping table for celers (the seed's `celers_migrations`). */
export const DEFAULT_MIGRATION_TABLE = 'celers_migrations';
/** kysely's migration lock table (created by kysely; the lock itself is a `GET_LOCK` per database). */
export const DEFAULT_MIGRATION_LOCK_TABLE = 'celers_migrations_lock';

const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };

// biome-ignore lint/suspicious/noExplicitAny: migrations work on any Kysely instance, typed or not
type AnyKysely = Kysely<any>;

function migrator(db: AnyKysely): Migrator {
  return new Migrator({
    db: withDatabaseScopedMigrationLock(db),
    provider,
    migrationTableName: DEFAULT_MIGRATION_TABLE,
    migrationLockTableName: DEFAULT_MIGRATION_LOCK_TABLE,
  });
}

function unwrap(resultSet: MigrationResultSet, action: string): string[] {
  if (resultSet.error) {
    const failed = resultSet.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new CelersError('DATABASE_ERROR', `Migration ${action} failed${failed ? ` at ${failed}` : ''}`, {
      cause: resultSet.error,
    });
  }
  return (resultSet.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Applies every pending migration. Idempotent: a migrated database is left as it is. Safe to run from
 * several processes at once: they take turns on a lock named after the database, so migrations of other
 * databases on the same server do not wait. Returns the names it applied.
 */
export async function migrate(db: AnyKysely): Promise<string[]> {
  return unwrap(await migrator(db).migrateToLatest(), 'up');
}

/** Rolls back to (and keeping) `to`, or every migration when `to` is `'zero'`. Returns the names undone. */
export async function migrateDown(db: AnyKysely, options: { to: MigrationName | 'zero' }): Promise<string[]> {
  const target = options.to === 'zero' ? NO_MIGRATIONS : options.to;
  if (target !== NO_MIGRATIONS && !MIGRATION_NAMES.includes(target as MigrationName)) {
    throw CelersError.invalidArgument('options.to', `unknown migration "${String(options.to)}"`);
  }
  return unwrap(await migrator(db).migrateTo(target), 'down');
}

/** Applies migrations up to and including `to` (for tests and staged upgrades). */
export async function migrateUpTo(db: AnyKysely, to: MigrationName): Promise<string[]> {
  if (!MIGRATION_NAMES.includes(to))
    throw CelersError.invalidArgument('to', `unknown migration "${String(to)}"`);
  return unwrap(await migrator(db).migrateTo(to), 'up');
}

/** One migration and when it ran (the seed's `MigrationInfo`). */
export interface MigrationInfo {
  name: string;
  appliedAt: Date | null;
}

/** Lists every known migration with its applied time (`null` when pending). */
export async function listMigrations(db: AnyKysely): Promise<MigrationInfo[]> {
  const infos = await migrator(db).getMigrations();
  return infos.map((m) => ({ name: m.name, appliedAt: m.executedAt ?? null }));
}

/** The seed's `MigrationVerification`: what is applied, what is missing, and whether the tables exist. */
export interface MigrationVerification {
  isComplete: boolean;
  appliedCount: number;
  missingCount: number;
  appliedMigrations: string[];
  missingMigrations: string[];
  /** Applied migrations this code does not know: the database is ahead of the code. */
  unknownMigrations: string[];
  /** Every table of the applied migrations exists. */
  schemaValid: boolean;
  /** Tables expected (from applied migrations) but not found. */
  missingTables: string[];
}

async function appliedNames(db: AnyKysely): Promise<string[] | null> {
  const exists = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_name = ${DEFAULT_MIGRATION_TABLE}`.execute(db);
  if (Number(exists.rows[0]?.n ?? 0) === 0) return null;
  const rows = await sql<{
    name: string;
  }>`SELECT name FROM ${sql.table(DEFAULT_MIGRATION_TABLE)} ORDER BY name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** The tables (and the view) each migration creates; `celers_tasks` is a table before 0013 and a view after. */
const TABLES_CREATED_BY: Readonly<Record<string, readonly string[]>> = {
  '0001_create_tasks': ['celers_tasks'],
  '0002_create_dead_letter_queue': ['celers_dead_letter_queue'],
  '0003_create_task_results': ['celers_task_results'],
  '0004_create_task_history': ['celers_task_history'],
  '0005_create_task_idempotency': ['celers_task_idempotency'],
  '0006_create_queue_config': ['celers_queue_config'],
  '0007_create_worker_heartbeat': ['celers_worker_heartbeat'],
  '0008_create_task_groups': ['celers_task_groups'],
  '0009_create_recurring_tasks': ['celers_recurring_tasks'],
  '0010_create_locks': ['celers_locks'],
  '0013_split_live_tasks': ['celers_live_tasks', 'celers_finished_tasks'],
};

/** Checks the migration table and the tables against this code's migrations (the seed's `verify_migrations`). */
export async function verifyMigrations(db: AnyKysely): Promise<MigrationVerification> {
  const applied = (await appliedNames(db)) ?? [];
  const known = new Set<string>(MIGRATION_NAMES);
  const missing = MIGRATION_NAMES.filter((n) => !applied.includes(n));
  const unknown = applied.filter((n) => !known.has(n));
  const tableRows = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_name LIKE 'celers\\_%'`.execute(db);
  const present = new Set(tableRows.rows.map((r) => r.name));
  const expected = Object.entries(TABLES_CREATED_BY)
    .filter(([migration]) => applied.includes(migration))
    .flatMap(([, tables]) => tables);
  const missingTables = expected.filter((t) => !present.has(t));
  return {
    isComplete: missing.length === 0 && unknown.length === 0,
    appliedCount: applied.length,
    missingCount: missing.length,
    appliedMigrations: applied,
    missingMigrations: missing,
    unknownMigrations: unknown,
    schemaValid: missingTables.length === 0,
    missingTables,
  };
}

/**
 * Throws `MIGRATION_REQUIRED` unless the database has exactly this code's migrations: missing ones mean
 * `celers migrate` has not run; unknown ones mean the database is ahead of this code (deploy the newer code).
 */
export async function assertMigrated(db: AnyKysely): Promise<void> {
  const v = await verifyMigrations(db);
  if (v.missingCount > 0) {
    throw new CelersError(
      'MIGRATION_REQUIRED',
      `Database is not migrated: ${v.missingCount} migration(s) missing (${v.missingMigrations.join(', ')}). Run \`celers migrate\` or call migrate(db).`,
      { details: { missing: v.missingMigrations } },
    );
  }
  if (v.unknownMigrations.length > 0) {
    throw new CelersError(
      'MIGRATION_REQUIRED',
      `Database is ahead of this code: unknown migration(s) ${v.unknownMigrations.join(', ')}. Upgrade @celers packages.`,
      { details: { unknown: v.unknownMigrations } },
    );
  }
  if (!v.schemaValid) {
    throw new CelersError('MIGRATION_REQUIRED', `Tables missing: ${v.missingTables.join(', ')}`, {
      details: { missingTables: v.missingTables },
    });
  }
}
