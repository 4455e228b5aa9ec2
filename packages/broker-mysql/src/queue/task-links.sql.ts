import { LIVE_STORED_STATES, TASK_LINKS_TABLE } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';

// celers_task_links (migration 0015) holds the group, parent and live dedup key of the tasks that have any, so the
// live table carries no index for them. A links row is written in the transaction that puts its task into the
// live table (enqueue, revive, import, DLQ requeue) and derived from that row, so it can never disagree with it.
// Nothing removes a row when its task finishes: a row whose task is not live is stale, and the writers below
// delete stale rows that stand in their way (the archiver and the maintenance sweep delete the rest).

/** Task ids per links statement. */
const LINK_CHUNK = 1_000;

/** Metadata keys copied into a links row. */
const LINK_KEYS = ['group_id', 'parent_task_id', 'dedup_key'] as const;

/** True when a task with this custom metadata needs a links row (a plain task does not: one INSERT, no transaction). */
export function hasLinks(custom: Readonly<Record<string, unknown>> | undefined): boolean {
  if (custom === undefined) return false;
  for (const key of LINK_KEYS) if (custom[key] !== undefined && custom[key] !== null) return true;
  return false;
}

const DEDUP_OF = sql`JSON_UNQUOTE(JSON_EXTRACT(t.metadata, '$.dedup_key'))`;
/** The dedup key a live row holds: only while it is pending, scheduled or processing (as the old unique index). */
const LIVE_DEDUP = sql`CASE WHEN t.state IN (${sql.join([...LIVE_STORED_STATES])}) THEN ${DEDUP_OF} END`;

async function insertFromLive(db: Executor, list: ReturnType<typeof sql.join>) {
  await sql`INSERT INTO ${sql.table(TASK_LINKS_TABLE)} (task_id, queue_name, group_id, parent_task_id, dedup_key)
    SELECT t.id, t.queue_name, t.group_id, t.parent_task_id, ${LIVE_DEDUP} FROM celers_live_tasks AS t
    WHERE t.id IN (${list}) AND (t.group_id IS NOT NULL OR t.parent_task_id IS NOT NULL OR ${LIVE_DEDUP} IS NOT NULL)
    ORDER BY t.id`.execute(db);
}

/**
 * Deletes the links rows in the way of live tasks `ids`: their own old rows (a revived task's, or an orphan with a
 * reused id) and stale holders of their dedup keys, i.e. rows whose task is not live. Fenced by the holder's
 * task_id, so a key a live task holds is never taken away.
 */
async function deleteStaleLinks(db: Executor, list: ReturnType<typeof sql.join>) {
  await sql`DELETE FROM ${sql.table(TASK_LINKS_TABLE)} WHERE task_id IN (${list})`.execute(db);
  const held = await sql<{ task_id: string }>`SELECT l.task_id FROM ${sql.table(TASK_LINKS_TABLE)} AS l
    JOIN celers_live_tasks AS t ON l.queue_name = t.queue_name AND l.dedup_key = ${DEDUP_OF}
    WHERE t.id IN (${list})
      AND NOT EXISTS (SELECT 1 FROM celers_live_tasks AS h WHERE h.id = l.task_id
        AND h.state IN (${sql.join([...LIVE_STORED_STATES])}))`.execute(db);
  if (held.rows.length > 0)
    await sql`DELETE FROM ${sql.table(TASK_LINKS_TABLE)}
      WHERE task_id IN (${sql.join(held.rows.map((r) => r.task_id).sort())})`.execute(db);
}

/**
 * Writes the links rows of live tasks `ids` (those with a group, parent or dedup key), read from their rows. Run it
 * in the transaction that inserted or revived them. A duplicate key error (a stale row in the way) deletes the
 * stale rows and tries once more; a live holder of a dedup key still fails with error 1062 on
 * `uq_task_links_dedup`, and the caller's transaction rolls the task back.
 * @internal
 */
export async function linkLiveTasks(db: Executor, ids: readonly string[]): Promise<void> {
  const sorted = [...ids].sort();
  for (let i = 0; i < sorted.length; i += LINK_CHUNK) await linkChunk(db, sorted.slice(i, i + LINK_CHUNK));
}

async function linkChunk(db: Executor, ids: readonly string[]) {
  const list = sql.join(ids);
  try {
    await insertFromLive(db, list);
  } catch (error) {
    if ((error as { errno?: number })?.errno !== 1062) throw error;
    // InnoDB rolled back only the failed statement: the transaction and its task rows stand.
    await deleteStaleLinks(db, list);
    await insertFromLive(db, list);
  }
}

/**
 * {@link linkLiveTasks} for tasks just inserted (`linked`, of the statement's rows `inserted`): when it fails (a
 * live task holds a dedup key), it deletes the inserted rows again before rethrowing, so a caller's transaction that catches the error and commits keeps no task
 * without its links (InnoDB undid only the failed statement, not the task INSERT).
 * @internal
 */
export async function linkNewTasks(
  db: Executor,
  linked: readonly string[],
  inserted: readonly string[] = linked,
): Promise<void> {
  try {
    await linkLiveTasks(db, linked);
  } catch (error) {
    const sorted = [...inserted].sort();
    for (let i = 0; i < sorted.length; i += LINK_CHUNK)
      await sql`DELETE FROM celers_live_tasks WHERE id IN (${sql.join(sorted.slice(i, i + LINK_CHUNK))})`.execute(
        db,
      );
    throw error;
  }
}

/** Deletes the links rows of tasks `ids` (rows moved out of the live table by the archiver). @internal */
export async function unlinkTasks(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`DELETE FROM ${sql.table(TASK_LINKS_TABLE)} WHERE task_id IN (${sql.join([...ids].sort())})`.execute(
    db,
  );
}

/**
 * Maintenance sweep: deletes the links rows whose task is in neither task table (deleted by a keepCompleted:false
 * ack, a purge or retention), walking the links table by primary key, {@link LINK_CHUNK} rows per statement.
 * Stale rows of finished tasks are harmless and stay until the archiver moves or retention deletes their task.
 * Returns rows deleted.
 * @internal
 */
export async function deleteOrphanLinks(db: Executor): Promise<number> {
  let deleted = 0;
  let after = '';
  for (;;) {
    const rows = await sql<{ task_id: string }>`SELECT task_id FROM ${sql.table(TASK_LINKS_TABLE)}
      WHERE task_id > ${after} ORDER BY task_id LIMIT ${LINK_CHUNK}`.execute(db);
    const last = rows.rows.at(-1);
    if (last === undefined) return deleted;
    // The DELETE checks both tables itself: a task revived or imported meanwhile keeps its row.
    const r = await sql`DELETE l FROM ${sql.table(TASK_LINKS_TABLE)} AS l
      WHERE l.task_id IN (${sql.join(rows.rows.map((o) => o.task_id))})
        AND NOT EXISTS (SELECT 1 FROM celers_live_tasks AS t WHERE t.id = l.task_id)
        AND NOT EXISTS (SELECT 1 FROM celers_finished_tasks AS f WHERE f.id = l.task_id)`.execute(db);
    deleted += Number(r.numAffectedRows ?? 0n);
    if (rows.rows.length < LINK_CHUNK) return deleted;
    after = last.task_id;
  }
}
