import { type Kysely, type Migration, type RawBuilder, sql } from 'kysely';
import { PROMOTE_AHEAD_MS, SCHEDULED_STORED_STATE } from '../stored-task-states.js';
import { LIVE_TASKS_TABLE } from '../task-tables.js';
import { forEachIdChunk, generationExpression, hasIndex } from './schema-probes.js';
import { alterLiveTable } from './table-migration.js';

const PROMOTE_INDEX = 'idx_tasks_promote';
const CHUNK = 1_000;

/** The dedup key a task holds while it is live, `'scheduled'` included (0013 knew only pending and processing). */
const dedupKey = (states: string) =>
  `live_dedup_key VARCHAR(255) GENERATED ALWAYS AS (
    CASE WHEN state IN (${states}) THEN JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.dedup_key')) END
  ) STORED`;
const DEDUP_WITH_SCHEDULED = dedupKey(`'pending', '${SCHEDULED_STORED_STATE}', 'processing'`);
const DEDUP_BEFORE = dedupKey(`'pending', 'processing'`);

async function dedupKnowsScheduled(db: Kysely<unknown>): Promise<boolean> {
  return ((await generationExpression(db, LIVE_TASKS_TABLE, 'live_dedup_key')) ?? '').includes(
    SCHEDULED_STORED_STATE,
  );
}

/** Sets `state = to` on the live rows that `match`, one primary-key chunk at a time. */
function restateInChunks(db: Kysely<unknown>, to: string, match: RawBuilder<unknown>) {
  return forEachIdChunk(db, LIVE_TASKS_TABLE, CHUNK, (ids) =>
    sql`UPDATE ${sql.table(LIVE_TASKS_TABLE)} SET state = ${to}
      WHERE id IN (${sql.join(ids)}) AND ${match}`.execute(db),
  );
}

/**
 * Issue 17: a stored `'scheduled'` state for pending tasks that are not due yet, so the claim's index range holds
 * only due (or nearly due) rows. The live dedup key covers `'scheduled'` too (a delayed task keeps its key), an
 * index `(queue_name, state, scheduled_at)` lets promotion find the scheduled rows that fall due as a pure range,
 * and pending rows due more than {@link PROMOTE_AHEAD_MS} ahead become `'scheduled'`. The column change rebuilds
 * `celers_live_tasks` (a table copy: writes to it wait meanwhile); see docs/operations/upgrading.md. Idempotent.
 */
export const scheduledState: Migration = {
  async up(db: Kysely<unknown>) {
    const changes: string[] = [];
    if (!(await dedupKnowsScheduled(db))) changes.push(`MODIFY ${DEDUP_WITH_SCHEDULED}`);
    if (!(await hasIndex(db, LIVE_TASKS_TABLE, PROMOTE_INDEX)))
      changes.push(`ADD KEY ${PROMOTE_INDEX} (queue_name, state, scheduled_at)`);
    // One ALTER: the column change copies the table anyway, so the index is built in the same pass.
    await alterLiveTable(db, changes);
    await restateInChunks(
      db,
      SCHEDULED_STORED_STATE,
      sql.raw(
        `state = 'pending' AND scheduled_at > DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ${PROMOTE_AHEAD_MS * 1000} MICROSECOND)`,
      ),
    );
  },
  async down(db: Kysely<unknown>) {
    // First, while the dedup key still covers 'scheduled': the rows keep their keys throughout.
    await restateInChunks(db, 'pending', sql.raw(`state = '${SCHEDULED_STORED_STATE}'`));
    const changes: string[] = [];
    if (await dedupKnowsScheduled(db)) changes.push(`MODIFY ${DEDUP_BEFORE}`);
    if (await hasIndex(db, LIVE_TASKS_TABLE, PROMOTE_INDEX)) changes.push(`DROP KEY ${PROMOTE_INDEX}`);
    await alterLiveTable(db, changes);
  },
};
