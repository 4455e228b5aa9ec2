import { RUNNABLE_PHASE } from '@celers/schema';
import { CompiledQuery, type QueryResult, type RawBuilder, sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { placeholders, sortedIds } from '../internal/id-list.js';
import { inlineParameters, literalList, sqlLiteral } from '../internal/sql-literal.js';
import { MESSAGE_COLUMNS, type MessageRow } from '../internal/task-row-mapper.js';
import { QueueConfigKey, queueFlagIsSet } from './queue-config.sql.js';

/**
 * The SET list of a claim, shared by the locking and the optimistic claim: `processing` under the claim's receipt,
 * lease and worker, and one more delivery.
 */
function claimAssignments(claim: ClaimMark): string {
  return `state = 'processing', started_at = ${sqlLiteral(claim.claimedAt)},
    lease_expires_at = ${sqlLiteral(claim.leaseExpiresAt)}, receipt_handle = ${sqlLiteral(claim.receiptHandle)},
    worker_id = ${sqlLiteral(claim.workerId)}, delivery_count = delivery_count + 1`;
}

/** ER_LOCK_WAIT_TIMEOUT: with a lock wait of 0, the statement met a row another transaction holds. */
const LOCK_WAIT_TIMEOUT = 1205;

/** What a claim writes on each row it takes: its receipt, when it was claimed, the lease, and by whom. @internal */
export interface ClaimMark {
  receiptHandle: string;
  claimedAt: Date;
  leaseExpiresAt: Date;
  workerId: string | null;
}

/** Claimed rows (the columns a message needs) plus the database time of the claim. */
export interface ClaimedRows {
  rows: MessageRow[];
  /** `UTC_TIMESTAMP(6)` as read by the claiming SELECT. */
  claimedAt: Date;
}

/**
 * The range of idx_tasks_task_name_state (queue, name, run_phase, priority DESC, scheduled_at, id) holding the
 * pending and processing tasks of `names`, in claim order within each name, and the filter that keeps the due
 * pending ones. `run_phase` does not tell pending from processing (so a claim leaves this index alone, migration
 * 0016): the processing rows of those names are walked and skipped, as many as the leases held on them.
 */
function byNameScan(queue: string, names: RawBuilder<unknown>) {
  return sql`celers_live_tasks AS t FORCE INDEX (idx_tasks_task_name_state)
    WHERE t.queue_name = ${queue} AND t.task_name ${names} AND t.run_phase = ${sql.lit(RUNNABLE_PHASE)}
      AND t.state = 'pending' AND t.scheduled_at <= UTC_TIMESTAMP(6)`;
}

/**
 * The index a claim walks and the rows it walks there. Unfiltered and multi-name claims walk
 * idx_tasks_dequeue (queue, state, claim_priority DESC, scheduled_at, id) in claim order (`claim_priority` is
 * the task's priority on every row but a scheduled one, migration 0017); a name filter is checked on each row
 * walked (rows of other names count as skipped; at READ COMMITTED their locks are released at once). A
 * single-name claim walks that name's range of idx_tasks_task_name_state (see {@link byNameScan}), the same
 * order within one name, so tasks of other names cost it nothing. `orderBy` names the walked index's own key
 * columns, so neither ever sorts.
 */
function claimScan(queue: string, taskNames: readonly string[] | undefined) {
  if (taskNames?.length === 1) {
    return { from: byNameScan(queue, sql`= ${taskNames[0]}`), orderBy: sql`t.priority DESC` };
  }
  const names = taskNames === undefined ? sql`` : sql`AND t.task_name IN (${sql.join(taskNames)})`;
  return {
    from: sql`celers_live_tasks AS t FORCE INDEX (idx_tasks_dequeue)
    WHERE t.queue_name = ${queue} AND t.state = 'pending' AND t.scheduled_at <= UTC_TIMESTAMP(6) ${names}`,
    orderBy: sql`t.claim_priority DESC`,
  };
}

/**
 * What the claim reads: only the columns a message is built from. `t.*` also computed the VIRTUAL group and
 * parent columns (a JSON_EXTRACT each) and sent a dozen columns that are null or known for a pending row.
 */
const CLAIM_SELECT_LIST = sql.raw(MESSAGE_COLUMNS.map((c) => `t.${c}`).join(', '));

/** The due tasks a claim takes, in claim order; `locking` adds `FOR UPDATE SKIP LOCKED`. */
function dueTasksStatement(
  queue: string,
  limit: number,
  taskNames: readonly string[] | undefined,
  locking: boolean,
) {
  const scan = claimScan(queue, taskNames);
  return sql<MessageRow & { db_now: Date }>`SELECT ${CLAIM_SELECT_LIST}, UTC_TIMESTAMP(6) AS db_now
    FROM ${scan.from}
      AND NOT ${queueFlagIsSet(queue, QueueConfigKey.Paused)}
    ORDER BY ${scan.orderBy}, t.scheduled_at ASC, t.id ASC
    LIMIT ${limit}
    ${locking ? sql`FOR UPDATE SKIP LOCKED` : sql``}`;
}

/** The claim's locking SELECT (see {@link lockDueTasks}). */
function claimStatement(queue: string, limit: number, taskNames: readonly string[] | undefined) {
  return dueTasksStatement(queue, limit, taskNames, true);
}

/**
 * A claim SELECT's rows with the database time it read. The rows keep their `db_now` column (readers take columns by
 * name): copying each row without it cost ~0.3 µs per row.
 */
function withClaimTime(rows: (MessageRow & { db_now: Date })[]): ClaimedRows {
  return { rows, claimedAt: rows[0]?.db_now ?? new Date() };
}

/**
 * The exact statement {@link lockDueTasks} runs for `queue`, compiled on `db` without running it, so apps/bench
 * can EXPLAIN the claim as the library sends it (index hint included) instead of a hand copy.
 * @internal
 */
export function compileClaimStatement(
  db: Executor,
  queue: string,
  limit: number,
  taskNames?: readonly string[],
): CompiledQuery {
  return claimStatement(queue, limit, taskNames).compile(db);
}

/**
 * Locks up to `limit` due tasks of `queue` (highest priority, then earliest `scheduled_at`, then id), skipping
 * rows other transactions hold; with `taskNames`, only tasks of those names. Must run inside a transaction,
 * which the caller then uses to mark them claimed with {@link markClaimed}. Returns nothing while the queue is
 * paused (checked in the same statement).
 *
 * Clause order is `ORDER BY … LIMIT n FOR UPDATE SKIP LOCKED` (`FOR UPDATE SKIP LOCKED LIMIT` is a syntax
 * error). It walks an index in claim order (see {@link claimScan}), so the cost is O(log n + rows skipped).
 * @internal
 */
export async function lockDueTasks(
  trx: Executor,
  queue: string,
  limit: number,
  taskNames?: readonly string[],
): Promise<ClaimedRows> {
  // Raw SQL only for the index hint (kysely has none): on a small or freshly loaded table the optimizer may
  // pick a full scan + filesort, which under FOR UPDATE locks every pending row it reads, so a second worker
  // claims nothing while the first transaction is open (measured in apps/bench: 0 vs 50 of 150 waiting).
  // FORCE INDEX works on MySQL and MariaDB alike (MariaDB ignores MySQL's /*+ INDEX() */ hints).
  return withClaimTime((await claimStatement(queue, limit, taskNames).execute(trx)).rows);
}

/**
 * Reads, without locking, the first `limit` due tasks of `queue` in claim order (of `taskNames` only, when given):
 * the locking claim's walk of {@link claimScan} without `FOR UPDATE`, for the optimistic claim of a backlog. A plain
 * read of 500 rows took a third of the server time of the locking one (3.5 vs 10.9 ms, the locks of 500 index
 * entries and rows).
 * @internal
 */
export async function peekBacklogTasks(
  db: Executor,
  queue: string,
  limit: number,
  taskNames?: readonly string[],
): Promise<ClaimedRows> {
  return withClaimTime((await dueTasksStatement(queue, limit, taskNames, false).execute(db)).rows);
}

type PeekedRow = MessageRow & { due_at: Date; db_now: Date };

/** Claim order: priority first, then the earliest due, then the id. */
function inClaimOrder(a: PeekedRow, b: PeekedRow): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const due = a.due_at.getTime() - b.due_at.getTime();
  if (due !== 0) return due;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Reads, without locking, up to `limit` due tasks of `queue` (of `taskNames` only, when given), for the peek
 * claim of a queue that is nearly empty: fewer than `limit` rows are then every due task there is, taken with
 * {@link claimPeekedTasks} in one autocommit statement instead of a transaction of four round trips; `limit` rows
 * mean a backlog, which the locking claim takes in order.
 *
 * Unfiltered and single-name peeks are the claim's own walk without the lock, so rows come in claim order. For
 * several names it reads one range of idx_tasks_task_name_state per name, like {@link hasDueTask} (the claim's
 * walk of idx_tasks_dequeue would pass every task of other names in front), so the rows come name by name and
 * are put in claim order here: a short read holds all of them, so that order is the claim's.
 * @internal
 */
export async function peekDueTasks(
  db: Executor,
  queue: string,
  limit: number,
  taskNames?: readonly string[],
): Promise<ClaimedRows> {
  if (taskNames === undefined || taskNames.length <= 1) {
    return withClaimTime((await dueTasksStatement(queue, limit, taskNames, false).execute(db)).rows);
  }
  const result = await sql<PeekedRow>`SELECT ${CLAIM_SELECT_LIST}, t.scheduled_at AS due_at,
      UTC_TIMESTAMP(6) AS db_now
    FROM ${byNameScan(queue, sql`IN (${sql.join(taskNames)})`)}
      AND NOT ${queueFlagIsSet(queue, QueueConfigKey.Paused)}
    LIMIT ${limit}`.execute(db);
  const rows = [...result.rows].sort(inClaimOrder);
  return withClaimTime(rows.map(({ due_at: _, ...row }) => row));
}

/**
 * The fence on each peeked row's delivery count. Rows peeked together usually share one count (a backlog of new
 * tasks: 0), which one comparison covers; otherwise `(id, delivery_count) IN ((…), …)` lists every row, which
 * doubles what the statement sends per row.
 */
function deliveryCountsCondition(rows: readonly Pick<MessageRow, 'id' | 'delivery_count'>[]): string {
  const first = rows[0]?.delivery_count;
  if (rows.every((r) => r.delivery_count === first)) return `delivery_count = ${sqlLiteral(first)}`;
  let pairs = '';
  for (const r of rows)
    pairs += `${pairs === '' ? '' : ', '}(${sqlLiteral(r.id)}, ${sqlLiteral(r.delivery_count)})`;
  return `(id, delivery_count) IN (${pairs})`;
}

/**
 * Claims peeked rows that are still as they were peeked, in one autocommit UPDATE: a row counts only while it
 * is pending, due, of `queue`, with the queue not paused, and with the `delivery_count` the peek read. Every
 * claim raises that count, so a row another consumer claimed since (even one it released or rejected back to
 * pending) no longer matches, and the message built from the peek is never stale. Returns the ids claimed: all of
 * them when the UPDATE changed as many rows, else those now holding `receiptHandle` (one more read by primary key).
 *
 * A row another transaction holds makes the UPDATE wait for it (ids in ascending order, so concurrent claimers do
 * not deadlock; the later one then matches nothing). With `noWait` (MariaDB: `SET STATEMENT
 * innodb_lock_wait_timeout = 0 FOR`) it fails at once instead, changes nothing, and `null` is returned: the rows are
 * left to a claim that skips locked rows.
 * @internal
 */
export async function claimPeekedTasks(
  db: Executor,
  queue: string,
  rows: readonly Pick<MessageRow, 'id' | 'delivery_count'>[],
  claim: ClaimMark,
  noWait = false,
): Promise<string[] | null> {
  if (rows.length === 0) return [];
  const ids = sortedIds(rows.map((r) => r.id));
  const versions = deliveryCountsCondition(rows);
  const paused = queueFlagIsSet(queue, QueueConfigKey.Paused).compile(db);
  const claimed = CompiledQuery.raw(
    // By primary key, as the acks are: the optimizer never trades it for a range of the claim's index. Values
    // as SQL literals (internal/sql-literal.ts): a backlog's optimistic claim sends 500 ids twice.
    `${noWait ? 'SET STATEMENT innodb_lock_wait_timeout = 0 FOR ' : ''}UPDATE celers_live_tasks FORCE INDEX (PRIMARY)
       SET ${claimAssignments(claim)}
       WHERE id IN ${literalList(ids)} AND ${versions}
         AND queue_name = ${sqlLiteral(queue)} AND state = 'pending' AND scheduled_at <= UTC_TIMESTAMP(6)
         AND NOT ${inlineParameters(paused)}`,
  );
  let result: QueryResult<unknown>;
  try {
    result = await db.executeQuery(claimed);
  } catch (error) {
    if (noWait && (error as { errno?: number }).errno === LOCK_WAIT_TIMEOUT) return null;
    throw error;
  }
  if (Number(result.numAffectedRows ?? 0) === ids.length) return ids;
  const mine = await db.executeQuery<{ id: string }>(
    CompiledQuery.raw(
      `SELECT id FROM celers_live_tasks FORCE INDEX (PRIMARY) WHERE id IN (${placeholders(ids.length)})
         AND receipt_handle = ?`,
      [...ids, claim.receiptHandle],
    ),
  );
  return mine.rows.map((r) => r.id);
}

/**
 * Whether `queue` has a due task (and is not paused), of one of `taskNames` when given, with one plain,
 * non-locking SELECT. Used before claiming on a queue that was empty last time when there is no peek claim
 * (history recorded). Unfiltered it reads the claim's
 * index; with names it is one range per name on idx_tasks_task_name_state (see {@link byNameScan}), so an idle
 * filtered worker stays cheap however many tasks of other names wait (0.03 ms vs 346 ms behind 100k of them,
 * measured when it was index-only). Since migration 0016 it reads the row of each entry walked, for its `state`:
 * the processing rows of those names, then the first due one.
 * @internal
 */
export async function hasDueTask(
  db: Executor,
  queue: string,
  taskNames?: readonly string[],
): Promise<boolean> {
  const scan =
    taskNames === undefined
      ? claimScan(queue, undefined).from
      : byNameScan(queue, sql`IN (${sql.join(taskNames)})`);
  const result = await sql<{ one: number }>`SELECT 1 AS one FROM ${scan}
      AND NOT ${queueFlagIsSet(queue, QueueConfigKey.Paused)}
    LIMIT 1`.execute(db);
  return result.rows.length > 0;
}

/**
 * Marks locked rows `processing` under a new receipt handle and lease, and counts the delivery. One receipt per
 * claim: a later claim of the same task gets another, so acks from an earlier lease are recognised as stale.
 * @internal
 */
export async function markClaimed(trx: Executor, ids: readonly string[], claim: ClaimMark): Promise<void> {
  if (ids.length === 0) return;
  // Values as SQL literals (internal/sql-literal.ts): a claim of 500 sends 500 ids.
  await trx.executeQuery(
    CompiledQuery.raw(
      `UPDATE celers_live_tasks SET ${claimAssignments(claim)} WHERE id IN ${literalList(sortedIds(ids))}`,
    ),
  );
}
