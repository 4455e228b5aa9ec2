import type { CelersDatabase, PoolStats } from '@celers/schema';
import { getPoolStats } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toDate, toNullableNumber, toNumber } from '../internal/numbers.js';
import { showGlobalStatus } from './server-status.sql.js';
import { selectTableSizes } from './table-sizes.sql.js';

/** A point-in-time snapshot of server, pool and table figures (the seed's `PerformanceMetrics`). */
export interface PerformanceMetrics {
  /** The database clock when the snapshot was taken. */
  capturedAt: Date;
  uptimeMs: number;
  /** Statements executed since startup (`Questions`). */
  questions: number;
  /** `questions / uptime` (per second, since startup). */
  queriesPerSecond: number;
  slowQueries: number;
  threadsConnected: number;
  threadsRunning: number;
  /** SELECT/INSERT/UPDATE/DELETE statements since startup. */
  statements: { select: number; insert: number; update: number; delete: number };
  innodb: {
    bufferPoolReadRequests: number;
    bufferPoolDiskReads: number;
    /** `1 − disk reads / read requests`, as a percentage (100 when nothing was read). */
    bufferPoolHitRatePercent: number;
    rowLockWaits: number;
    rowLockTimeMs: number;
    /** Deadlocks since startup (MariaDB's `Innodb_deadlocks`; `null` on MySQL, which has no counter). */
    deadlocks: number | null;
  };
  pool: PoolStats | null;
  /** Totals over the `celers_` tables. */
  tables: { rows: number; dataBytes: number; indexBytes: number };
}

const STATUS_NAMES = [
  'Uptime',
  'Questions',
  'Slow_queries',
  'Threads_connected',
  'Threads_running',
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Innodb_buffer_pool_read_requests',
  'Innodb_buffer_pool_reads',
  'Innodb_row_lock_waits',
  'Innodb_row_lock_time',
  'Innodb_deadlocks',
];

/** Takes the snapshot: one SHOW GLOBAL STATUS, one information_schema read, the pool counters. @internal */
export async function readPerformanceMetrics(db: Kysely<CelersDatabase>): Promise<PerformanceMetrics> {
  const { rows } = await sql<{ now: Date }>`SELECT UTC_TIMESTAMP(6) AS now`.execute(db);
  const s = await showGlobalStatus(db, STATUS_NAMES);
  const tables = await selectTableSizes(db);
  const uptimeSeconds = toNumber(s.uptime);
  const questions = toNumber(s.questions);
  const readRequests = toNumber(s.innodb_buffer_pool_read_requests);
  const diskReads = toNumber(s.innodb_buffer_pool_reads);
  return {
    capturedAt: toDate(rows[0]?.now) ?? new Date(),
    uptimeMs: uptimeSeconds * 1000,
    questions,
    queriesPerSecond: uptimeSeconds > 0 ? questions / uptimeSeconds : 0,
    slowQueries: toNumber(s.slow_queries),
    threadsConnected: toNumber(s.threads_connected),
    threadsRunning: toNumber(s.threads_running),
    statements: {
      select: toNumber(s.com_select),
      insert: toNumber(s.com_insert),
      update: toNumber(s.com_update),
      delete: toNumber(s.com_delete),
    },
    innodb: {
      bufferPoolReadRequests: readRequests,
      bufferPoolDiskReads: diskReads,
      bufferPoolHitRatePercent: readRequests > 0 ? (1 - diskReads / readRequests) * 100 : 100,
      rowLockWaits: toNumber(s.innodb_row_lock_waits),
      rowLockTimeMs: toNumber(s.innodb_row_lock_time),
      deadlocks: toNullableNumber(s.innodb_deadlocks),
    },
    pool: getPoolStats(db),
    tables: {
      rows: tables.reduce((a, t) => a + t.rows, 0),
      dataBytes: tables.reduce((a, t) => a + t.dataBytes, 0),
      indexBytes: tables.reduce((a, t) => a + t.indexBytes, 0),
    },
  };
}
