import { stateIs } from '@celers/schema';
import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';

/** What one health probe reads, in one round trip. */
export interface HealthProbe {
  version: string;
  databaseName: string;
  now: Date;
  pending: number;
  processing: number;
}

/**
 * Reads the server version, schema name, database clock and the queue's pending/processing counts in ONE
 * statement (two index range counts on idx_tasks_dequeue), so the probe's latency is one round trip.
 * @internal
 */
export async function readHealthProbe(db: Executor, queue: string): Promise<HealthProbe> {
  const result = await sql<{
    version: string;
    db: string | null;
    now: Date;
    pending: number;
    processing: number;
  }>`
    SELECT VERSION() AS version, DATABASE() AS db, UTC_TIMESTAMP(6) AS now,
      (SELECT COUNT(*) FROM celers_live_tasks WHERE queue_name = ${queue} AND ${stateIs('pending')}) AS pending,
      (SELECT COUNT(*) FROM celers_live_tasks WHERE queue_name = ${queue} AND state = 'processing') AS processing`.execute(
    db,
  );
  const row = result.rows[0];
  if (!row) throw new Error('health probe returned no row');
  return {
    version: row.version,
    databaseName: row.db ?? '',
    now: row.now,
    pending: Number(row.pending),
    processing: Number(row.processing),
  };
}

/** `SELECT 1`: the cheapest statement that proves a connection and the server work. @internal */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
