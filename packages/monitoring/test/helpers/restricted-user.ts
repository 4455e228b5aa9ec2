import { randomBytes } from 'node:crypto';
import { type CelersDatabase, createDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';

/** A database user that can only read the test database: no performance_schema, no replication privileges. */
export interface RestrictedUser {
  db: Kysely<CelersDatabase>;
  drop(): Promise<void>;
}

/** Creates a uniquely named user with `SELECT` on `databaseName` only, and a Kysely logged in as it. */
export async function createRestrictedUser(
  admin: Kysely<CelersDatabase>,
  url: string,
  databaseName: string,
): Promise<RestrictedUser> {
  const name = `celers_ro_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await sql`CREATE USER ${name}@'%' IDENTIFIED BY ${password}`.execute(admin);
  await sql`GRANT SELECT ON ${sql.id(databaseName)}.* TO ${name}@'%'`.execute(admin);
  const restrictedUrl = new URL(url);
  restrictedUrl.username = name;
  restrictedUrl.password = password;
  const db = createDatabase(restrictedUrl.toString());
  return {
    db,
    async drop() {
      await db.destroy();
      await sql`DROP USER IF EXISTS ${name}@'%'`.execute(admin);
    },
  };
}
