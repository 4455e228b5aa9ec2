import { type Kysely, type Migration, sql } from 'kysely';
import { LIVE_TASKS_TABLE } from '../task-tables.js';

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

/** `ALTER TABLE celers_live_tasks <clauses>` as one statement; nothing when there is no clause (already done). */
export async function alterLiveTable(db: Kysely<unknown>, clauses: readonly string[]): Promise<void> {
  if (clauses.length > 0) await sql.raw(`ALTER TABLE ${LIVE_TASKS_TABLE} ${clauses.join(', ')}`).execute(db);
}
