import type { Connection } from 'mysql2/promise';

/** The filled messages of one W10 case, by id range (both servers hand out increasing ids). */
export interface HeldMessages {
  queueId: number;
  firstId: number;
  lastId: number;
  count: number;
}

/**
 * Hides every visible message of `queue` (`visible = 0`, which both kombu's and celers' claims skip) so a
 * consumer can start and warm up before the clock runs; {@link releaseMessages} shows them again.
 */
export async function holdMessages(admin: Connection, queue: string): Promise<HeldMessages> {
  const [queues] = await admin.query('SELECT id FROM kombu_queue WHERE name = ?', [queue]);
  const queueId = (queues as Array<{ id: number }>)[0]?.id;
  if (queueId === undefined) throw new Error(`W10: kombu queue ${queue} does not exist`);
  await admin.query('UPDATE kombu_message SET visible = 0 WHERE queue_id = ? AND visible = 1', [queueId]);
  const [rows] = await admin.query(
    'SELECT MIN(id) AS firstId, MAX(id) AS lastId, COUNT(*) AS count FROM kombu_message WHERE queue_id = ?',
    [queueId],
  );
  const row = (rows as Array<{ firstId: number | null; lastId: number | null; count: number }>)[0];
  if (!row || row.firstId === null || row.lastId === null)
    throw new Error(`W10: kombu queue ${queue} is empty`);
  return { queueId, firstId: row.firstId, lastId: row.lastId, count: Number(row.count) };
}

/**
 * Makes the held messages visible in one statement. `version + 1` as any writer of kombu's rows does
 * (SQLAlchemy's version column). Throws unless every held message came back.
 */
export async function releaseMessages(admin: Connection, held: HeldMessages): Promise<void> {
  const [result] = await admin.query(
    'UPDATE kombu_message SET visible = 1, version = version + 1 WHERE queue_id = ? AND id BETWEEN ? AND ?',
    [held.queueId, held.firstId, held.lastId],
  );
  const changed = (result as { affectedRows: number }).affectedRows;
  if (changed !== held.count) throw new Error(`W10: released ${changed} of ${held.count} held messages`);
}

/** Tasks with a SUCCESS row in `celery_taskmeta`: Python's result backend and celers write the same row. */
export async function succeededTasks(admin: Connection): Promise<number> {
  const [rows] = await admin.query("SELECT COUNT(*) AS n FROM celery_taskmeta WHERE status = 'SUCCESS'");
  return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
}

/** Empties the kombu messages, Celery results and celers' leases between W10 cases (queue rows stay). */
export async function resetCeleryTables(admin: Connection): Promise<void> {
  for (const table of ['kombu_message', 'celery_taskmeta', 'celers_celery_leases'])
    await admin.query(`TRUNCATE TABLE ${table}`);
}
