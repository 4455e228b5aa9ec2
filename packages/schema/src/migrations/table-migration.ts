import { type Kysely, type Migration, sql } from 'kysely';

/**
 * A migration that creates one table. MySQL commits DDL implicitly (no transactional rollback), so each
 * migration is one idempotent statement: `CREATE TABLE IF NOT EXISTS` up, `DROP TABLE IF EXISTS` down.
 */
export function tableMigration(table: string, createStatement: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await sql.raw(createStatement).execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
    },
  };
}
