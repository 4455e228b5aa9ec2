import type { Kysely, Migration } from 'kysely';
import {
  FINISHED_PHASE,
  RUNNABLE_PHASE,
  SCHEDULED_PHASE,
  SCHEDULED_STORED_STATE,
} from '../stored-task-states.js';
import { LIVE_TASKS_TABLE } from '../task-tables.js';
import { hasColumn, indexColumns } from './schema-probes.js';
import { alterLiveTable } from './table-migration.js';

const NAME_INDEX = 'idx_tasks_task_name_state';
const PROMOTE_INDEX = 'idx_tasks_promote';

/** The claim-stable coarsening of `state` (see stored-task-states.ts). */
const RUN_PHASE = `run_phase CHAR(1) CHARACTER SET ascii COLLATE ascii_bin GENERATED ALWAYS AS (
    CASE WHEN state IN ('pending', 'processing') THEN '${RUNNABLE_PHASE}'
      WHEN state = '${SCHEDULED_STORED_STATE}' THEN '${SCHEDULED_PHASE}' ELSE '${FINISHED_PHASE}' END
  ) VIRTUAL`;
/**
 * The due time of a scheduled row, NULL for every other state (a `promote_at <= ?` range never holds a NULL).
 * 0017 drops it, and adds it back going down.
 */
export const PROMOTE_AT = `promote_at DATETIME(6) GENERATED ALWAYS AS (
    IF(state = '${SCHEDULED_STORED_STATE}', scheduled_at, NULL)
  ) VIRTUAL`;

/** Each index's key with the claim-stable column (after 0016) and with `state` (0014–0015). */
const KEYS = {
  [NAME_INDEX]: {
    column: 'run_phase',
    stable: '(queue_name, task_name, run_phase, priority DESC, scheduled_at, id)',
    before: '(queue_name, task_name, state, priority DESC, scheduled_at, id)',
  },
  [PROMOTE_INDEX]: {
    column: 'promote_at',
    stable: '(queue_name, promote_at)',
    before: '(queue_name, state, scheduled_at)',
  },
} as const;

/**
 * The `DROP INDEX x, ADD INDEX x …` clauses that give each index its `stable` key (or back its `before` key),
 * skipping the indexes already in that shape. Same name, one statement: the old index serves reads until the
 * new one replaces it.
 */
async function reKey(db: Kysely<unknown>, to: 'stable' | 'before'): Promise<string[]> {
  const clauses: string[] = [];
  for (const [index, key] of Object.entries(KEYS)) {
    const columns = await indexColumns(db, LIVE_TASKS_TABLE, index);
    if (columns.includes(key.column) === (to === 'stable')) continue;
    if (columns.length > 0) clauses.push(`DROP INDEX ${index}`);
    clauses.push(`ADD INDEX ${index} ${key[to]}`);
  }
  return clauses;
}

/**
 * Issue 17: the live table's per-name and promotion indexes keyed on values a claim does not change. Every claim
 * sets `state` pending → processing; InnoDB rewrites a secondary index entry only when one of its key values
 * changes, so with `state` in their keys all three secondary indexes were rewritten per claimed row. Now
 * `idx_tasks_task_name_state` is keyed on the VIRTUAL `run_phase` (one value for pending and processing) and
 * `idx_tasks_promote` on the VIRTUAL `promote_at` (NULL unless scheduled); only `idx_tasks_dequeue` changes at
 * claim. The indexes keep their names. The finished table and the view are untouched (the view names its
 * columns). Two statements, neither a table copy: the columns (metadata only), then the indexes (built in
 * place); see docs/operations/upgrading.md. Idempotent: each step checks what is already done.
 */
export const claimStableIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    const columns: string[] = [];
    if (!(await hasColumn(db, LIVE_TASKS_TABLE, 'run_phase'))) columns.push(`ADD COLUMN ${RUN_PHASE}`);
    if (!(await hasColumn(db, LIVE_TASKS_TABLE, 'promote_at'))) columns.push(`ADD COLUMN ${PROMOTE_AT}`);
    // Apart from the indexes: MariaDB adds virtual columns instantly only in a statement of their own.
    await alterLiveTable(db, columns);
    await alterLiveTable(db, await reKey(db, 'stable'));
  },
  async down(db: Kysely<unknown>) {
    await alterLiveTable(db, await reKey(db, 'before'));
    const columns: string[] = [];
    if (await hasColumn(db, LIVE_TASKS_TABLE, 'promote_at')) columns.push('DROP COLUMN promote_at');
    if (await hasColumn(db, LIVE_TASKS_TABLE, 'run_phase')) columns.push('DROP COLUMN run_phase');
    await alterLiveTable(db, columns);
  },
};
