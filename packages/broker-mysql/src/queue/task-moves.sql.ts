import type { FinishedTaskState } from '@celers/core';
import {
  type CelersDatabase,
  pendingStateForTime,
  STORED_TASK_COLUMNS,
  type StoredTaskColumn,
} from '@celers/schema';
import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Executor } from '../broker-context.js';
import { linkLiveTasks } from './task-links.sql.js';

// A task lives in exactly one of celers_live_tasks (pending, processing) and celers_finished_tasks (completed,
// failed, cancelled); see @celers/schema's task-tables.ts. A state change across that line is a move: copy the
// stored columns with the new values, delete the source row, in one transaction. Callers lock the rows first
// (FOR UPDATE, or a fenced claim), so the copy and the delete see the same rows.

/** Runs `fn` in `db` when it already is a transaction, else in a new one. @internal */
export async function inTransaction<T>(
  db: Executor,
  fn: (trx: Transaction<CelersDatabase> | Executor) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

type Overrides = Partial<Record<StoredTaskColumn, RawBuilder<unknown> | string | number | Date | null>>;

function selectList(overrides: Overrides) {
  return sql.join(
    STORED_TASK_COLUMNS.map((column) => {
      if (!(column in overrides)) return sql.ref(column);
      const value = overrides[column];
      const expr =
        value !== null && typeof value === 'object' && 'toOperationNode' in value ? value : sql`${value}`;
      return sql`${expr} AS ${sql.ref(column)}`;
    }),
  );
}

/**
 * Copies rows `ids` from one task table to the other with `overrides` applied, then deletes them from the
 * source; rows moved to the live table get their links rows (celers_task_links) again. Run inside the
 * transaction that locked them. @internal
 */
export async function moveTaskRows(
  db: Executor,
  from: 'celers_live_tasks' | 'celers_finished_tasks',
  to: 'celers_live_tasks' | 'celers_finished_tasks',
  ids: readonly string[],
  overrides: Overrides,
): Promise<number> {
  if (ids.length === 0) return 0;
  const list = sql.join([...ids].sort());
  const columns = sql.join(STORED_TASK_COLUMNS.map((c) => sql.ref(c)));
  const inserted = await sql`INSERT INTO ${sql.table(to)} (${columns})
    SELECT ${selectList(overrides)} FROM ${sql.table(from)} WHERE id IN (${list})`.execute(db);
  await sql`DELETE FROM ${sql.table(from)} WHERE id IN (${list})`.execute(db);
  // A revived task re-takes its links (its dedup key fails with 1062 while another live task holds it).
  if (to === 'celers_live_tasks') await linkLiveTasks(db, ids);
  return Number(inserted.numAffectedRows ?? 0n);
}

/** How a live task finishes. */
export interface FinishStamp {
  state: FinishedTaskState;
  /** When it finished (the database clock); defaults to `UTC_TIMESTAMP(6)`. */
  at?: Date;
  /** Replaces the stored error message when given (`null` clears it). */
  error?: string | null;
}

/**
 * Moves locked live tasks `ids` to the finished table as `stamp.state` (lease and receipt cleared). Returns how
 * many rows left the live table. Run inside the transaction that locked them. (Acks that keep no history
 * delete instead: `deleteLockedTasks` in ack.sql.ts.) @internal
 */
export async function finishLiveTasks(
  db: Executor,
  ids: readonly string[],
  stamp: FinishStamp,
): Promise<number> {
  if (ids.length === 0) return 0;
  return moveTaskRows(db, 'celers_live_tasks', 'celers_finished_tasks', ids, {
    state: stamp.state,
    completed_at: stamp.at ?? sql`UTC_TIMESTAMP(6)`,
    lease_expires_at: null,
    receipt_handle: null,
    ...(stamp.error !== undefined ? { error_message: stamp.error } : {}),
  });
}

/**
 * Moves locked finished tasks `ids` back to the live table as `pending` (due at `scheduledAt`, now by default),
 * with finish time, lease and receipt cleared. Run inside the transaction that locked them. @internal
 */
export async function reviveFinishedTasks(
  db: Executor,
  ids: readonly string[],
  options: { scheduledAt?: Date; resetRetries?: boolean } = {},
): Promise<number> {
  return moveTaskRows(db, 'celers_finished_tasks', 'celers_live_tasks', ids, {
    state: options.scheduledAt ? pendingStateForTime(options.scheduledAt) : 'pending',
    completed_at: null,
    lease_expires_at: null,
    receipt_handle: null,
    worker_id: null,
    scheduled_at: options.scheduledAt ?? sql`UTC_TIMESTAMP(6)`,
    ...(options.resetRetries ? { retry_count: 0 } : {}),
  });
}

/**
 * Runs the same UPDATE on both task tables (a task is in one of them): for changes that do not cross the
 * live/finished line, such as metadata, error text or the worker id. Returns the rows changed. @internal
 */
export async function updateEitherTable(
  update: (table: 'celers_live_tasks' | 'celers_finished_tasks') => Promise<{ numUpdatedRows: bigint }>,
): Promise<number> {
  const live = await update('celers_live_tasks');
  const finished = await update('celers_finished_tasks');
  return Number(live.numUpdatedRows + finished.numUpdatedRows);
}
