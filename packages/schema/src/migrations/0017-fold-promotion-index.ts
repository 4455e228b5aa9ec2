import type { Kysely, Migration } from 'kysely';
import { SCHEDULED_STORED_STATE } from '../stored-task-states.js';
import { LIVE_TASKS_TABLE } from '../task-tables.js';
import { PROMOTE_AT } from './0016-claim-stable-indexes.js';
import { hasColumn, hasIndex, indexColumns } from './schema-probes.js';
import { alterLiveTable } from './table-migration.js';

const DEQUEUE_INDEX = 'idx_tasks_dequeue';
const PROMOTE_INDEX = 'idx_tasks_promote';

/** The claim index's sort priority: the task's own, and one constant for every scheduled row. */
const CLAIM_PRIORITY = `claim_priority INT GENERATED ALWAYS AS (
    IF(state = '${SCHEDULED_STORED_STATE}', 0, priority)
  ) VIRTUAL`;
const DEQUEUE_KEY = {
  folded: '(queue_name, state, claim_priority DESC, scheduled_at, id)',
  before: '(queue_name, state, priority DESC, scheduled_at, id)',
} as const;

/** `DROP INDEX idx_tasks_dequeue, ADD INDEX idx_tasks_dequeue <key>`, unless it already has that key. */
async function reKeyDequeue(db: Kysely<unknown>, to: keyof typeof DEQUEUE_KEY): Promise<string[]> {
  const columns = await indexColumns(db, LIVE_TASKS_TABLE, DEQUEUE_INDEX);
  if (columns.includes('claim_priority') === (to === 'folded')) return [];
  return [`DROP INDEX ${DEQUEUE_INDEX}`, `ADD INDEX ${DEQUEUE_INDEX} ${DEQUEUE_KEY[to]}`];
}

/**
 * Issue 17: promotion reads the claim index, and the live table loses its third secondary index. Every insert,
 * delete and settle of a live row wrote an entry into `idx_tasks_promote` (queue_name, promote_at), NULL-keyed for
 * all rows but the scheduled ones. `idx_tasks_dequeue` becomes (queue_name, state, claim_priority DESC,
 * scheduled_at, id) with the VIRTUAL `claim_priority` = `priority`, or 0 for a scheduled row: the scheduled rows
 * of a queue are then one range in due order (`state = 'scheduled' AND claim_priority = 0 AND scheduled_at <= ?`),
 * which is what promotion reads; pending rows sort exactly as before. The old key could not serve promotion: its
 * scheduled rows were ordered by priority first, and MariaDB does no loose scan of a DESC key part.
 *
 * Three statements, none copies the table (see docs/operations/upgrading.md): the column (instant), the index swap
 * (built in place, in one statement so that promotion and claims always have their index), the drop of 0016's
 * `promote_at` (instant). Idempotent: each step checks what is already done.
 */
export const foldPromotionIndex: Migration = {
  async up(db: Kysely<unknown>) {
    // Apart from the indexes: MariaDB adds and drops virtual columns instantly only in a statement of their own.
    if (!(await hasColumn(db, LIVE_TASKS_TABLE, 'claim_priority')))
      await alterLiveTable(db, [`ADD COLUMN ${CLAIM_PRIORITY}`]);
    const indexes = await reKeyDequeue(db, 'folded');
    if (await hasIndex(db, LIVE_TASKS_TABLE, PROMOTE_INDEX)) indexes.push(`DROP INDEX ${PROMOTE_INDEX}`);
    await alterLiveTable(db, indexes);
    if (await hasColumn(db, LIVE_TASKS_TABLE, 'promote_at'))
      await alterLiveTable(db, ['DROP COLUMN promote_at']);
  },
  async down(db: Kysely<unknown>) {
    if (!(await hasColumn(db, LIVE_TASKS_TABLE, 'promote_at')))
      await alterLiveTable(db, [`ADD COLUMN ${PROMOTE_AT}`]);
    const indexes = await reKeyDequeue(db, 'before');
    if (!(await hasIndex(db, LIVE_TASKS_TABLE, PROMOTE_INDEX)))
      indexes.push(`ADD INDEX ${PROMOTE_INDEX} (queue_name, promote_at)`);
    await alterLiveTable(db, indexes);
    if (await hasColumn(db, LIVE_TASKS_TABLE, 'claim_priority'))
      await alterLiveTable(db, ['DROP COLUMN claim_priority']);
  },
};
