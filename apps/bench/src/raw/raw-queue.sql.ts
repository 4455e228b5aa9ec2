import type { Connection, ResultSetHeader } from 'mysql2/promise';

/** The raw baseline's table: deliberately plain, as a hand-written queue would be. */
export const RAW_TABLE = 'raw_jobs';

/** DDL of the raw baseline: BIGINT auto-increment key, JSON payload, one claim index. */
export const RAW_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${RAW_TABLE} (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  queue VARCHAR(255) NOT NULL,
  state VARCHAR(16) NOT NULL,
  priority INT NOT NULL DEFAULT 0,
  run_at DATETIME(6) NOT NULL,
  payload JSON NOT NULL,
  KEY idx_raw_claim (queue, state, priority, run_at, id)
) ENGINE=InnoDB`;

/** A job the raw baseline claimed. */
export interface RawJob {
  id: number;
  payload: unknown;
}

/** Creates the raw table if missing. */
export async function createRawTable(conn: Connection): Promise<void> {
  await conn.query(RAW_TABLE_DDL);
}

/** Empties the raw table between workloads. */
export async function truncateRawTable(conn: Connection): Promise<void> {
  await conn.query(`TRUNCATE TABLE ${RAW_TABLE}`);
}

/** One INSERT per job (autocommit). */
export async function rawEnqueueOne(conn: Connection, queue: string, payload: unknown): Promise<void> {
  await conn.execute(
    `INSERT INTO ${RAW_TABLE} (queue, state, priority, run_at, payload) VALUES (?, 'pending', 0, UTC_TIMESTAMP(6), ?)`,
    [queue, JSON.stringify(payload)],
  );
}

/** One multi-row INSERT for all of `payloads` (autocommit). */
export async function rawEnqueueMany(
  conn: Connection,
  queue: string,
  payloads: readonly unknown[],
): Promise<void> {
  if (payloads.length === 0) return;
  const rows = payloads.map((p) => [queue, 'pending', 0, JSON.stringify(p)]);
  const placeholders = rows.map(() => '(?, ?, ?, UTC_TIMESTAMP(6), ?)').join(', ');
  await conn.query(
    `INSERT INTO ${RAW_TABLE} (queue, state, priority, run_at, payload) VALUES ${placeholders}`,
    rows.flat(),
  );
}

/**
 * Claims up to `limit` due jobs in one READ COMMITTED transaction: `SELECT … FOR UPDATE SKIP LOCKED`, then
 * `UPDATE state='running'`, then COMMIT. The session's isolation is set when the connection opens.
 *
 * The ORDER BY follows the plain ascending index (lower priority number first, as Oban does). Ordering by
 * `priority DESC` over that index makes MariaDB scan the whole table and filesort, and FOR UPDATE then locks
 * every pending row, so concurrent claimers skip everything and get nothing (measured: four concurrent claims
 * of 50 over 200 rows returned 50 jobs in total). celers avoids it with `priority DESC` in its index.
 */
export async function rawClaim(conn: Connection, queue: string, limit: number): Promise<RawJob[]> {
  await conn.query('START TRANSACTION');
  try {
    const [rows] = await conn.query(
      `SELECT id, payload FROM ${RAW_TABLE}
       WHERE queue = ? AND state = 'pending' AND run_at <= UTC_TIMESTAMP(6)
       ORDER BY priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED`,
      [queue, limit],
    );
    const jobs = (rows as Array<{ id: number; payload: unknown }>).map((r) => ({
      id: Number(r.id),
      // MariaDB returns JSON as text, MySQL as a parsed value.
      payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
    }));
    if (jobs.length > 0) {
      await conn.query(`UPDATE ${RAW_TABLE} SET state = 'running' WHERE id IN (?)`, [jobs.map((j) => j.id)]);
    }
    await conn.query('COMMIT');
    return jobs;
  } catch (error) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Deletes finished jobs (autocommit); returns how many rows went. */
export async function rawDelete(conn: Connection, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const [result] = await conn.query(`DELETE FROM ${RAW_TABLE} WHERE id IN (?)`, [
    [...ids].sort((a, b) => a - b),
  ]);
  return (result as ResultSetHeader).affectedRows;
}

/** Jobs in the raw table (any state). */
export async function rawCount(conn: Connection): Promise<number> {
  const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${RAW_TABLE}`);
  return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
}
