import { CelersError } from '@celers/core';
import { type Kysely, MysqlAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: the lock works on any Kysely instance, typed or not
type AnyKysely = Kysely<any>;

/** How long a migrator waits for another one on the same database before it gives up. */
export const MIGRATION_LOCK_WAIT_SECONDS = 600;

/**
 * The `GET_LOCK` name of one database's migrations. kysely's MySQL adapter takes one fixed name for the whole
 * server, so migrations of unrelated databases (tenants, test files, other kysely apps) wait for each other.
 * SHA1 keeps the name within MySQL's 64 characters for any database name.
 */
const LOCK_NAME = sql`CONCAT('celers_migrate_', SHA1(COALESCE(DATABASE(), '')))`;

/** kysely's MySQL adapter with the migration lock scoped to the connection's database. */
class DatabaseScopedLockAdapter extends MysqlAdapter {
  override async acquireMigrationLock(db: AnyKysely): Promise<void> {
    const r = await sql<{
      got: number | null;
    }>`SELECT GET_LOCK(${LOCK_NAME}, ${sql.lit(MIGRATION_LOCK_WAIT_SECONDS)}) AS got`.execute(db);
    // kysely ignores a timed-out GET_LOCK and migrates unlocked; refuse instead
    if (Number(r.rows[0]?.got) !== 1) {
      throw new CelersError(
        'DATABASE_TIMEOUT',
        `Another migrator held this database's migration lock for ${MIGRATION_LOCK_WAIT_SECONDS} s`,
      );
    }
  }

  override async releaseMigrationLock(db: AnyKysely): Promise<void> {
    await sql`SELECT RELEASE_LOCK(${LOCK_NAME})`.execute(db);
  }
}

const scopedAdapter = new DatabaseScopedLockAdapter();

/** `target[key]`, with methods bound to `target` (kysely's classes keep their state in private fields). */
function member(target: object, key: string | symbol): unknown {
  const value = Reflect.get(target, key, target);
  return typeof value === 'function' ? value.bind(target) : value;
}

/**
 * `db` as kysely's `Migrator` should see it: the same connections, plugins and compiler, but an adapter whose
 * migration lock covers only this database. The `Migrator` reads the adapter from `db.getExecutor()`, and
 * kysely offers no option to replace it, hence the two proxies.
 */
export function withDatabaseScopedMigrationLock(db: AnyKysely): AnyKysely {
  const executor = db.getExecutor();
  const scopedExecutor = new Proxy(executor, {
    get: (target, key) => (key === 'adapter' ? scopedAdapter : member(target, key)),
  });
  return new Proxy(db, {
    get: (target, key) => (key === 'getExecutor' ? () => scopedExecutor : member(target, key)),
  });
}
