import { PROMOTE_AHEAD_MS, SCHEDULED_STORED_STATE, stateIs } from '@celers/schema';
import { sql } from 'kysely';
import type { CompletionHook, Executor } from '../broker-context.js';

/**
 * `scheduled_at` of a chain link waiting for its parent: far enough ahead that no claim ever reaches it
 * (DATETIME's year 9999), and exact, so it doubles as the "waiting" marker.
 */
export const CHAIN_WAITING_AT = new Date(Date.UTC(9999, 11, 31, 0, 0, 0));

/** Metadata keys written on chain links. */
export const ChainMetadataKey = {
  /** The previous link's id (copied into the link's `celers_task_links` row, indexed there). */
  ParentTaskId: 'parent_task_id',
  /** The first link's id, shared by every link of the chain. */
  ChainId: 'chain_id',
  /** 0-based position in the chain. */
  ChainIndex: 'chain_index',
  /** Delay after the parent's ack before this link becomes due. */
  ChainDelayMs: 'chain_delay_ms',
} as const;

/** A link's `chain_delay_ms` (0 when absent), read from the metadata of `t`. */
const delayOf = (t: string) =>
  sql`COALESCE(CAST(JSON_UNQUOTE(JSON_EXTRACT(${sql.ref(`${t}.metadata`)}, '$.chain_delay_ms')) AS SIGNED), 0)`;

/**
 * The SET list that releases a waiting link of `t`: due after its delay, stored `scheduled` when that delay is
 * beyond the promotion margin, else `pending` (the state is derived from the metadata, not from scheduled_at, so
 * the order of the two assignments does not matter).
 */
const release = (
  t: string,
) => sql`${sql.ref(`${t}.scheduled_at`)} = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ${delayOf(t)} * 1000 MICROSECOND),
  ${sql.ref(`${t}.state`)} = CASE WHEN ${delayOf(t)} > ${PROMOTE_AHEAD_MS} THEN ${SCHEDULED_STORED_STATE} ELSE 'pending' END`;

/**
 * Makes the waiting successors of `completedIds` due (now + their `chain_delay_ms`). Called by the ack path in
 * the same statement sequence as the completion (inside the ack transaction for batch acks), so ANY consumer that
 * acks a link releases the next one: the chain lives in the rows, not in a running process. Returns rows promoted.
 * Cheap when nothing waits: one range lookup on celers_task_links' parent index per acked id, then primary-key
 * updates of the successors found.
 * @internal
 */
export async function promoteChainSuccessors(
  db: Executor,
  queue: string,
  completedIds: readonly string[],
): Promise<number> {
  if (completedIds.length === 0) return 0;
  const successors = await sql<{ task_id: string }>`SELECT task_id FROM celers_task_links
    WHERE parent_task_id IN (${sql.join([...completedIds].sort())}) AND queue_name = ${queue}`.execute(db);
  if (successors.rows.length === 0) return 0;
  // Both stored values of pending: links written before migration 0014 wait as 'pending'.
  const r = await sql`UPDATE celers_live_tasks AS t SET ${release('t')}
    WHERE t.id IN (${sql.join(successors.rows.map((row) => row.task_id).sort())})
      AND t.queue_name = ${queue} AND ${stateIs('pending', 't.state')} AND t.scheduled_at = ${CHAIN_WAITING_AT}
    ORDER BY t.id`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * Self-healing sweep: promotes every waiting link of `queue` whose parent is `completed` (for acks that
 * completed through a path that does not promote, e.g. an import or a manual `updateBatchState`). Returns rows
 * promoted.
 * @internal
 */
export async function promoteReadyLinks(db: Executor, queue: string): Promise<number> {
  // A completed parent is in the finished table, or still in the live one until the archiver moves it.
  let promoted = 0;
  for (const parents of ['celers_finished_tasks', 'celers_live_tasks'] as const) {
    const r = await sql`UPDATE celers_live_tasks AS t
      JOIN celers_task_links AS l ON l.task_id = t.id
      JOIN ${sql.table(parents)} AS p ON p.id = l.parent_task_id AND p.queue_name = t.queue_name
      SET ${release('t')}
      WHERE t.queue_name = ${queue} AND ${stateIs('pending', 't.state')} AND t.scheduled_at = ${CHAIN_WAITING_AT}
        AND p.state = 'completed'`.execute(db);
    promoted += Number(r.numAffectedRows ?? 0n);
  }
  return promoted;
}

/**
 * The chain promotion as a settle-path completion hook: only chain links can have waiting successors (every link
 * carries `chain_id`), so acks of claims without links skip the UPDATE.
 * @internal
 */
export const chainCompletionHook: CompletionHook = {
  run: promoteChainSuccessors,
  concerns: (custom) => custom[ChainMetadataKey.ChainId] !== undefined,
};
