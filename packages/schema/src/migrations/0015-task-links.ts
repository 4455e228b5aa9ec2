import { type Kysely, type Migration, sql } from 'kysely';
import { SCHEDULED_STORED_STATE } from '../stored-task-states.js';
import {
  FINISHED_TASKS_TABLE,
  LINK_DEDUP_INDEX,
  LIVE_TASKS_TABLE,
  STORED_TASK_COLUMNS,
  TASK_LINKS_TABLE,
  TASKS_VIEW,
} from '../task-tables.js';
import { QUEUE, TABLE_OPTIONS, UUID } from './ddl-fragments.js';
import { forEachIdChunk, hasColumn } from './schema-probes.js';
import { alterLiveTable } from './table-migration.js';

const CHUNK = 1_000;
const LIVE_INDEXES = ['idx_tasks_group', 'idx_tasks_parent', 'uq_tasks_live_dedup'] as const;

const CREATE_LINKS = `CREATE TABLE IF NOT EXISTS ${TASK_LINKS_TABLE} (
  task_id ${UUID} NOT NULL,
  queue_name ${QUEUE} NOT NULL,
  group_id VARCHAR(255) NULL,
  parent_task_id ${UUID} NULL,
  dedup_key VARCHAR(255) NULL,
  PRIMARY KEY (task_id),
  KEY idx_task_links_group (group_id),
  KEY idx_task_links_parent (parent_task_id),
  UNIQUE KEY ${LINK_DEDUP_INDEX} (queue_name, dedup_key)
) ${TABLE_OPTIONS}`;

/** The live dedup key of a task row (0014's generated column), computed for the view's live half. */
const LIVE_DEDUP_EXPR = `CASE WHEN state IN ('pending', '${SCHEDULED_STORED_STATE}', 'processing')
    THEN JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.dedup_key')) END`;
const DEDUP_COLUMN = `live_dedup_key VARCHAR(255) GENERATED ALWAYS AS (${LIVE_DEDUP_EXPR}) STORED`;

const STORED = STORED_TASK_COLUMNS.join(', ');
// The view keeps 0013's column list; only the live half computes live_dedup_key instead of reading a column.
const VIEW_WITH_COMPUTED_KEY = `CREATE OR REPLACE SQL SECURITY INVOKER VIEW ${TASKS_VIEW} AS
  SELECT ${STORED}, group_id, parent_task_id, ${LIVE_DEDUP_EXPR} AS live_dedup_key FROM ${LIVE_TASKS_TABLE}
  UNION ALL
  SELECT ${STORED}, group_id, parent_task_id, live_dedup_key FROM ${FINISHED_TASKS_TABLE}`;
const VIEW_WITH_COLUMN = `CREATE OR REPLACE SQL SECURITY INVOKER VIEW ${TASKS_VIEW} AS
  SELECT ${STORED}, group_id, parent_task_id, live_dedup_key FROM ${LIVE_TASKS_TABLE}
  UNION ALL
  SELECT ${STORED}, group_id, parent_task_id, live_dedup_key FROM ${FINISHED_TASKS_TABLE}`;

async function liveIndexes(db: Kysely<unknown>): Promise<Set<string>> {
  const r = await sql<{ i: string }>`SELECT DISTINCT index_name AS i FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = ${LIVE_TASKS_TABLE}`.execute(db);
  return new Set(r.rows.map((row) => row.i));
}

/**
 * Copies the links of the live rows that have any, walking the live table by primary key, 1,000 rows per
 * statement. The dedup key is copied only while the task is live, as the old unique index held it.
 * INSERT IGNORE: a rerun after an interruption skips the rows already copied.
 */
function copyLinks(db: Kysely<unknown>) {
  return forEachIdChunk(db, LIVE_TASKS_TABLE, CHUNK, (ids) =>
    sql`INSERT IGNORE INTO ${sql.table(TASK_LINKS_TABLE)} (task_id, queue_name, group_id, parent_task_id, dedup_key)
      SELECT id, queue_name, group_id, parent_task_id, ${sql.raw(LIVE_DEDUP_EXPR)} FROM ${sql.table(LIVE_TASKS_TABLE)}
      WHERE id IN (${sql.join(ids)})
        AND (group_id IS NOT NULL OR parent_task_id IS NOT NULL OR ${sql.raw(LIVE_DEDUP_EXPR)} IS NOT NULL)`.execute(
      db,
    ),
  );
}

/**
 * Issue 17: a lean live table. The group, parent and live-dedup lookups that few tasks use move from indexes of
 * `celers_live_tasks` (paid by every insert, claim and move) to `celers_task_links`, one row per task that has a
 * group, a parent or a dedup key. The live table keeps PRIMARY and the claim/promotion indexes; its unindexed
 * VIRTUAL group_id/parent_task_id columns stay (free at write). The STORED live_dedup_key column goes (dropping
 * it rebuilds the table); the view computes it. Idempotent: each step checks what is already done.
 */
export const taskLinks: Migration = {
  async up(db: Kysely<unknown>) {
    await sql.raw(CREATE_LINKS).execute(db);
    // Copy before dropping the column: live_dedup_key of a half-migrated table is read through the same CASE.
    await copyLinks(db);
    await sql.raw(VIEW_WITH_COMPUTED_KEY).execute(db);
    const present = await liveIndexes(db);
    const changes = LIVE_INDEXES.filter((i) => present.has(i)).map((i) => `DROP INDEX ${i}`);
    if (await hasColumn(db, LIVE_TASKS_TABLE, 'live_dedup_key')) changes.push('DROP COLUMN live_dedup_key');
    await alterLiveTable(db, changes);
  },
  async down(db: Kysely<unknown>) {
    const changes: string[] = [];
    if (!(await hasColumn(db, LIVE_TASKS_TABLE, 'live_dedup_key')))
      changes.push(`ADD COLUMN ${DEDUP_COLUMN}`);
    const present = await liveIndexes(db);
    if (!present.has('idx_tasks_group')) changes.push('ADD KEY idx_tasks_group (group_id)');
    if (!present.has('idx_tasks_parent')) changes.push('ADD KEY idx_tasks_parent (parent_task_id)');
    if (!present.has('uq_tasks_live_dedup'))
      changes.push('ADD UNIQUE KEY uq_tasks_live_dedup (queue_name, live_dedup_key)');
    // The column must exist before the unique key over it: one ALTER adds both in order.
    await alterLiveTable(db, changes);
    await sql.raw(VIEW_WITH_COLUMN).execute(db);
    await sql.raw(`DROP TABLE IF EXISTS ${TASK_LINKS_TABLE}`).execute(db);
  },
};
