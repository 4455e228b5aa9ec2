import { CompiledQuery, sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { sortedIds } from '../internal/id-list.js';
import { literalList, sqlLiteral } from '../internal/sql-literal.js';

/**
 * A WHERE clause as text, its values written in as SQL literals (internal/sql-literal.ts: mysql2's escaping without
 * its per-value dispatch; an ack of 500 ids sends 500 of them).
 */
type Condition = string;

/** The rows of `ids` (in lock order). */
function byIds(ids: readonly string[]): Condition {
  return `id IN ${literalList(sortedIds(ids))}`;
}

/**
 * The rows of `ids` that `receiptHandle` still owns in `queue` (and that match `also`, when given). Statements
 * using it force PRIMARY: with the queue and state in the WHERE the optimizer may pick idx_tasks_dequeue's
 * (queue, 'processing') range instead, which reads every claimed row of the queue (stale statistics on a table
 * whose processing rows churn) and meets rows other consumers' acks hold (measured: batch-200 acks at 10 loops
 * ran slower than batch 50).
 */
function ownedBy(queue: string, ids: readonly string[], receiptHandle: string, also?: Condition): Condition {
  return `${byIds(ids)}${also ? ` AND ${also}` : ''} AND queue_name = ${sqlLiteral(queue)} AND state = 'processing'
    AND receipt_handle = ${sqlLiteral(receiptHandle)}`;
}

/** A task of an ack batch whose name the caller gave (`AckItem.taskName`). @internal */
export interface NamedTask {
  id: string;
  name: string;
}

/**
 * Each row of `tasks` with the name given for it, ANDed to the plain `id IN (…)` of {@link ownedBy}, which keeps the
 * primary-key range access: `task_name = …` when they share one name (a Worker's batch usually does), else one
 * `task_name = … AND id IN (…)` per name. A `(id, task_name) IN ((…), …)` list cost the server time per row that
 * grew with the list (the row-constructor list is searched, not looked up): dropping the same form from the
 * optimistic claim's fence cut the drain's server CPU per task by a third (design.md, 2026-12-08).
 */
function namedAs(tasks: readonly NamedTask[]): Condition {
  const byName = new Map<string, string[]>();
  for (const t of tasks) {
    const ids = byName.get(t.name);
    if (ids) ids.push(t.id);
    else byName.set(t.name, [t.id]);
  }
  if (byName.size === 1) return `task_name = ${sqlLiteral(tasks[0]?.name)}`;
  const groups = [...byName].map(
    ([name, ids]) => `(task_name = ${sqlLiteral(name)} AND id IN ${literalList(ids)})`,
  );
  return `(${groups.join(' OR ')})`;
}

/** Completes the live rows matching `where` in place (by primary key); returns how many it completed. */
async function completeWhere(db: Executor, where: Condition): Promise<number> {
  const result = await db.executeQuery(
    CompiledQuery.raw(
      `UPDATE celers_live_tasks FORCE INDEX (PRIMARY)
       SET state = 'completed', completed_at = UTC_TIMESTAMP(6), lease_expires_at = NULL, receipt_handle = NULL
       WHERE ${where}`,
    ),
  );
  return Number(result.numAffectedRows ?? 0n);
}

/** Deletes the live rows matching `where` (by primary key); returns how many it deleted. */
async function deleteWhere(db: Executor, where: Condition): Promise<number> {
  // The multi-table form: single-table DELETE takes no index hint.
  const result = await db.executeQuery(
    CompiledQuery.raw(`DELETE celers_live_tasks FROM celers_live_tasks FORCE INDEX (PRIMARY) WHERE ${where}`),
  );
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Completes the live tasks `receiptHandle` still owns (state `processing`, same receipt), in place: one UPDATE,
 * no transaction. The archiver moves them to the finished table later, in bulk. Returns the rows completed;
 * rows whose lease was lost are left untouched.
 * @internal
 */
export async function completeOwnedTasks(
  db: Executor,
  queue: string,
  ids: readonly string[],
  receiptHandle: string,
): Promise<number> {
  return ids.length === 0 ? 0 : completeWhere(db, ownedBy(queue, ids, receiptHandle));
}

/**
 * Deletes the live tasks `receiptHandle` still owns (state `processing`, same receipt): the whole ack of tasks
 * that are not kept (`keepCompleted: false`), one statement, no transaction. Returns the rows deleted; rows
 * whose lease was lost are left untouched.
 * @internal
 */
export async function deleteOwnedTasks(
  db: Executor,
  queue: string,
  ids: readonly string[],
  receiptHandle: string,
): Promise<number> {
  return ids.length === 0 ? 0 : deleteWhere(db, ownedBy(queue, ids, receiptHandle));
}

/**
 * Settles the live tasks `receiptHandle` still owns, each only if it has the given name: completes them in place
 * (`keep`) or deletes them, in one statement. Returns how many it settled; the caller compares that with
 * `tasks.length` and rolls its transaction back when they differ.
 * @internal
 */
export async function settleOwnedNamedTasks(
  db: Executor,
  queue: string,
  tasks: readonly NamedTask[],
  receiptHandle: string,
  keep: boolean,
): Promise<number> {
  if (tasks.length === 0) return 0;
  const where = ownedBy(
    queue,
    tasks.map((t) => t.id),
    receiptHandle,
    namedAs(tasks),
  );
  return keep ? completeWhere(db, where) : deleteWhere(db, where);
}

/** Completes live tasks the caller's transaction has locked (and checked the receipts of), in place. @internal */
export async function completeLockedTasks(trx: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await completeWhere(trx, byIds(ids));
}

/** Deletes live tasks the caller's transaction has locked (and checked the receipts of). @internal */
export async function deleteLockedTasks(trx: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await deleteWhere(trx, byIds(ids));
}

/** Why an owned-task change matched nothing: the task is gone, or the receipt lost it. @internal */
export async function explainMissingOwnership(
  db: Executor,
  queue: string,
  id: string,
): Promise<'TASK_NOT_FOUND' | 'STALE_RECEIPT'> {
  const row = await db
    .selectFrom('celers_tasks')
    .select('id')
    .where('id', '=', id)
    .where('queue_name', '=', queue)
    .executeTakeFirst();
  return row ? 'STALE_RECEIPT' : 'TASK_NOT_FOUND';
}

/**
 * The state of each of `ids` in `queue` (absent ids have no row) and its completion time as a sortable
 * `YYYYMMDDhhmmssffffff` string: microseconds, which a JS `Date` would cut to milliseconds. @internal
 */
export async function readAckStates(
  db: Executor,
  queue: string,
  ids: readonly string[],
): Promise<Array<{ id: string; state: string; completedAt: string | null }>> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('celers_tasks')
    .select([
      'id',
      'state',
      sql<string | null>`DATE_FORMAT(completed_at, '%Y%m%d%H%i%s%f')`.as('completedAt'),
    ])
    .where('id', 'in', [...ids])
    .where('queue_name', '=', queue)
    .execute();
}
