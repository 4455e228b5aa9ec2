import type { Connection } from 'mysql2/promise';

/**
 * Global status counters the analysis reads (query count, row lock waits, index reads, commits, fsyncs).
 * Some exist on one server only (`Rows_read` and `Innodb_data_fsyncs` on MariaDB, `Innodb_rows_read` and
 * `Innodb_os_log_fsyncs` on MySQL); missing ones are simply absent from snapshots.
 */
export const WATCHED_COUNTERS = [
  'Questions',
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_commit',
  'Innodb_row_lock_waits',
  'Innodb_row_lock_time',
  'Innodb_deadlocks',
  'Handler_read_key',
  'Handler_read_next',
  'Handler_read_prev',
  'Handler_read_rnd_next',
  'Innodb_rows_read',
  'Rows_read',
  'Innodb_log_writes',
  'Innodb_os_log_fsyncs',
  'Innodb_data_fsyncs',
] as const;

/** A snapshot of numeric global status counters. */
export type StatusSnapshot = Record<string, number>;

/**
 * Reads the {@link WATCHED_COUNTERS} from `SHOW GLOBAL STATUS`. They are server-wide: other clients of the
 * same server add to them, which the report says wherever a delta is quoted.
 */
export async function readStatus(conn: Connection): Promise<StatusSnapshot> {
  const [rows] = await conn.query('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [WATCHED_COUNTERS]);
  const snapshot: StatusSnapshot = {};
  for (const r of rows as Array<{ Variable_name: string; Value: string }>)
    snapshot[r.Variable_name] = Number(r.Value);
  return snapshot;
}

/** `after - before` for every counter present in both. */
export function statusDelta(before: StatusSnapshot, after: StatusSnapshot): StatusSnapshot {
  const delta: StatusSnapshot = {};
  for (const [key, value] of Object.entries(after)) {
    const prior = before[key];
    if (prior !== undefined) delta[key] = value - prior;
  }
  return delta;
}

/** Counter deltas per job, rounded to two decimals, for the analysis notes. */
export function perJob(delta: StatusSnapshot, jobs: number): StatusSnapshot {
  const out: StatusSnapshot = {};
  for (const [key, value] of Object.entries(delta)) out[key] = Math.round((value / jobs) * 100) / 100;
  return out;
}
