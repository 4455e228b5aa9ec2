import { type Kysely, type Migration, sql } from 'kysely';
import {
  FINISHED_TASKS_TABLE,
  GENERATED_TASK_COLUMNS,
  LIVE_TASKS_TABLE,
  STORED_TASK_COLUMNS,
  TASKS_VIEW,
} from '../task-tables.js';
import { ASCII_SHORT, QUEUE, TABLE_OPTIONS, TIME, UUID } from './ddl-fragments.js';
import { hasIndex, tableType } from './schema-probes.js';

// The hot table holds only what the claim and the settle touch, with their indexes: the claim index, the
// per-task-name claim index, the live dedup key (one live task per key), and the chain/group lookups (a
// parent's completion promotes its waiting successors; group status counts members). The admin indexes
// (created/completed time, worker) stay on the finished table, where the rows they serve live.
const CREATE_LIVE = `CREATE TABLE IF NOT EXISTS ${LIVE_TASKS_TABLE} (
  id ${UUID} NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  task_name VARCHAR(255) NOT NULL,
  payload MEDIUMBLOB NOT NULL,
  content_type ${ASCII_SHORT} NOT NULL,
  content_encoding ${ASCII_SHORT} NOT NULL,
  state ${ASCII_SHORT} NOT NULL,
  priority INT NOT NULL DEFAULT 0,
  retry_count INT NOT NULL DEFAULT 0,
  max_retries INT NOT NULL DEFAULT 3,
  timeout_ms BIGINT NULL,
  retry_policy JSON NULL,
  created_at ${TIME} NOT NULL,
  scheduled_at ${TIME} NOT NULL,
  started_at ${TIME} NULL,
  completed_at ${TIME} NULL,
  lease_expires_at ${TIME} NULL,
  receipt_handle ${UUID} NULL,
  worker_id VARCHAR(255) NULL,
  error_message TEXT NULL,
  progress_percent DOUBLE NULL,
  progress_step VARCHAR(255) NULL,
  metadata JSON NOT NULL,
  delivery_count INT NOT NULL DEFAULT 0,
  group_id VARCHAR(255) GENERATED ALWAYS AS (JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.group_id'))) VIRTUAL,
  parent_task_id ${UUID} GENERATED ALWAYS AS (JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.parent_task_id'))) VIRTUAL,
  live_dedup_key VARCHAR(255) GENERATED ALWAYS AS (
    CASE WHEN state IN ('pending', 'processing') THEN JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.dedup_key')) END
  ) STORED,
  PRIMARY KEY (id),
  KEY idx_tasks_dequeue (queue_name, state, priority DESC, scheduled_at, id),
  KEY idx_tasks_task_name_state (queue_name, task_name, state, priority DESC, scheduled_at, id),
  KEY idx_tasks_group (group_id),
  KEY idx_tasks_parent (parent_task_id),
  UNIQUE KEY uq_tasks_live_dedup (queue_name, live_dedup_key)
) ${TABLE_OPTIONS}`;

const ALL_COLUMNS = [...STORED_TASK_COLUMNS, ...GENERATED_TASK_COLUMNS].join(', ');
const STORED = STORED_TASK_COLUMNS.join(', ');
const MOVE_CHUNK = 1_000;

// SQL SECURITY INVOKER: the view needs no definer account (dumps restore anywhere), and a reader needs SELECT on
// both tables, as before on the one table.
const CREATE_VIEW = `CREATE OR REPLACE SQL SECURITY INVOKER VIEW ${TASKS_VIEW} AS
  SELECT ${ALL_COLUMNS} FROM ${LIVE_TASKS_TABLE}
  UNION ALL
  SELECT ${ALL_COLUMNS} FROM ${FINISHED_TASKS_TABLE}`;

/** Moves the rows of `from` whose state is in `states` to `to`, 1,000 per transaction, ids and all kept. */
async function moveRows(db: Kysely<unknown>, from: string, to: string, states: readonly string[]) {
  for (;;) {
    const moved = await db.transaction().execute(async (trx) => {
      const ids = await sql<{ id: string }>`SELECT id FROM ${sql.table(from)}
        WHERE state IN (${sql.join(states)}) ORDER BY id LIMIT ${MOVE_CHUNK} FOR UPDATE`.execute(trx);
      if (ids.rows.length === 0) return 0;
      const list = sql.join(ids.rows.map((r) => r.id));
      await sql`INSERT INTO ${sql.table(to)} (${sql.raw(STORED)})
        SELECT ${sql.raw(STORED)} FROM ${sql.table(from)} WHERE id IN (${list})`.execute(trx);
      await sql`DELETE FROM ${sql.table(from)} WHERE id IN (${list})`.execute(trx);
      return ids.rows.length;
    });
    if (moved < MOVE_CHUNK) return;
  }
}

/**
 * Splits `celers_tasks` into the hot `celers_live_tasks` and `celers_finished_tasks` (the old table, renamed:
 * a metadata-only change however many finished rows it holds), moves the pending and processing rows to the hot
 * table in chunks (ids, receipts and leases kept, so live leases can still be acked), and puts a read-only
 * `celers_tasks` view over both. Idempotent: each step checks what is already done, so an interrupted run heals.
 * Stop producers and workers first (their statements name the old table); see docs/operations/upgrading.md.
 */
export const splitLiveTasks: Migration = {
  async up(db: Kysely<unknown>) {
    if (
      (await tableType(db, TASKS_VIEW)) === 'BASE TABLE' &&
      (await tableType(db, FINISHED_TASKS_TABLE)) === null
    )
      await sql.raw(`RENAME TABLE ${TASKS_VIEW} TO ${FINISHED_TASKS_TABLE}`).execute(db);
    await sql.raw(CREATE_LIVE).execute(db);
    await moveRows(db, FINISHED_TASKS_TABLE, LIVE_TASKS_TABLE, ['pending', 'processing']);
    // Finished rows never hold a live dedup key, so the unique index only cost every insert.
    if (await hasIndex(db, FINISHED_TASKS_TABLE, 'uq_tasks_live_dedup'))
      await sql.raw(`ALTER TABLE ${FINISHED_TASKS_TABLE} DROP INDEX uq_tasks_live_dedup`).execute(db);
    await sql.raw(CREATE_VIEW).execute(db);
  },
  async down(db: Kysely<unknown>) {
    if ((await tableType(db, TASKS_VIEW)) === 'VIEW') await sql.raw(`DROP VIEW ${TASKS_VIEW}`).execute(db);
    if (!(await hasIndex(db, FINISHED_TASKS_TABLE, 'uq_tasks_live_dedup')))
      await sql
        .raw(
          `ALTER TABLE ${FINISHED_TASKS_TABLE} ADD UNIQUE KEY uq_tasks_live_dedup (queue_name, live_dedup_key)`,
        )
        .execute(db);
    if ((await tableType(db, LIVE_TASKS_TABLE)) !== null) {
      // Every row: completed tasks may still wait there for the archiver.
      await moveRows(db, LIVE_TASKS_TABLE, FINISHED_TASKS_TABLE, [
        'pending',
        'processing',
        'completed',
        'failed',
        'cancelled',
      ]);
      await sql.raw(`DROP TABLE ${LIVE_TASKS_TABLE}`).execute(db);
    }
    if ((await tableType(db, FINISHED_TASKS_TABLE)) !== null)
      await sql.raw(`RENAME TABLE ${FINISHED_TASKS_TABLE} TO ${TASKS_VIEW}`).execute(db);
  },
};
