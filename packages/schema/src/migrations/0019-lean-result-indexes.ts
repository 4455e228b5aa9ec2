import { type Kysely, type Migration, sql } from 'kysely';
import { hasIndex } from './schema-probes.js';

const RESULTS_TABLE = 'celers_task_results';

/** The indexes 0003 created that no celers query reads, with the key each had. */
const UNREAD_INDEXES = {
  idx_results_task_name: '(queue_name, task_name)',
  idx_results_status: '(queue_name, status)',
} as const;

/** `ALTER TABLE celers_task_results <clauses>`, online (in place, no lock); nothing when there is no clause. */
async function alterResults(db: Kysely<unknown>, clauses: readonly string[]): Promise<void> {
  if (clauses.length === 0) return;
  await sql
    .raw(`ALTER TABLE ${RESULTS_TABLE} ${clauses.join(', ')}, ALGORITHM=INPLACE, LOCK=NONE`)
    .execute(db);
}

/**
 * Issue 17 (W3r): every stored result paid three secondary index entries, and two of them were never read. Results
 * are read by task id (the primary key) and purged by age (`idx_results_completed_at`, kept); nothing filters or
 * groups them by task name or status. Dropping those two indexes takes ~3 µs of server time off each result the
 * Worker's ack writes (docs/design.md, "Two unread indexes off the results table"). Dropping an index is in place
 * and takes no lock on MySQL and MariaDB, so the migration runs online; `down` builds them again the same way.
 * Idempotent: each step checks what is already done.
 */
export const leanResultIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    const clauses: string[] = [];
    for (const index of Object.keys(UNREAD_INDEXES))
      if (await hasIndex(db, RESULTS_TABLE, index)) clauses.push(`DROP INDEX ${index}`);
    await alterResults(db, clauses);
  },
  async down(db: Kysely<unknown>) {
    const clauses: string[] = [];
    for (const [index, key] of Object.entries(UNREAD_INDEXES))
      if (!(await hasIndex(db, RESULTS_TABLE, index))) clauses.push(`ADD INDEX ${index} ${key}`);
    await alterResults(db, clauses);
  },
};
