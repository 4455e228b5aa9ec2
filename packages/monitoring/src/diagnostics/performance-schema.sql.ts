import type { CelersDatabase } from '@celers/schema';
import { isUnavailableError, toCelersError } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toDate, toNumber } from '../internal/numbers.js';

/** A result that depends on performance_schema: the data, or why it is not available. */
export type PerformanceSchemaResult<T> = ({ available: true } & T) | { available: false; reason: string };

/** Aggregated statistics of one statement digest (the seed's `QueryStats` / `SlowQueryInfo`). */
export interface QueryDigestStats {
  digest: string | null;
  /** Normalized statement text (values replaced by `?`). */
  digestText: string;
  schemaName: string | null;
  executionCount: number;
  totalTimeMs: number;
  avgTimeMs: number;
  maxTimeMs: number;
  totalLockTimeMs: number;
  rowsExamined: number;
  rowsSent: number;
  rowsAffected: number;
  /** Executions that used no index. */
  noIndexUsedCount: number;
  /** Executions where the server found no good index. */
  noGoodIndexUsedCount: number;
  errors: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
}

/** Reads of one index since the server started or the stats were reset. */
export interface IndexUsage {
  tableName: string;
  indexName: string;
  reads: number;
  writes: number;
}

/** Which digests to read. @internal */
export interface DigestQuery {
  orderBy: 'total' | 'average';
  limit: number;
  /** Only digests averaging at least this (ms). */
  minAvgMs?: number;
  /** Only statements mentioning a `celers_` table (default) or every statement of the schema. */
  allStatements?: boolean;
}

const DIGEST_TABLE = 'performance_schema.events_statements_summary_by_digest';
// performance_schema timers are in picoseconds.
const PS_PER_MS = 1e9;

/**
 * Whether statement digests can be read: `@@performance_schema` must be ON and the digest table readable.
 * Lack of access is reported, not thrown; only an unreachable server throws (`DATABASE_UNAVAILABLE`).
 * @internal
 */
export async function performanceSchemaStatus(
  db: Kysely<CelersDatabase>,
): Promise<PerformanceSchemaResult<object>> {
  let enabled: unknown;
  try {
    const { rows } = await sql<{ ps: unknown }>`SELECT @@performance_schema AS ps`.execute(db);
    enabled = rows[0]?.ps;
  } catch (error) {
    if (isUnavailableError(error)) throw toCelersError(error, 'performanceSchemaStatus');
    return { available: false, reason: `cannot read @@performance_schema: ${messageOf(error)}` };
  }
  if (toNumber(enabled) !== 1) {
    return {
      available: false,
      reason:
        'performance_schema is OFF on this server (set performance_schema=ON in the server configuration and restart)',
    };
  }
  return probe(db, DIGEST_TABLE);
}

/** Checks that a performance_schema table can be read by this user. @internal */
export async function probe(
  db: Kysely<CelersDatabase>,
  table: string,
): Promise<PerformanceSchemaResult<object>> {
  try {
    await sql`SELECT 1 FROM ${sql.table(table)} LIMIT 1`.execute(db);
    return { available: true };
  } catch (error) {
    if (isUnavailableError(error)) throw toCelersError(error, 'performanceSchemaStatus');
    return {
      available: false,
      reason: `cannot read ${table} (GRANT SELECT ON performance_schema.* to this user): ${messageOf(error)}`,
    };
  }
}

/** Reads statement digests of the current schema. Assumes {@link performanceSchemaStatus} said available. @internal */
export async function selectDigestStats(
  db: Kysely<CelersDatabase>,
  query: DigestQuery,
): Promise<QueryDigestStats[]> {
  const order = query.orderBy === 'total' ? sql`SUM_TIMER_WAIT` : sql`AVG_TIMER_WAIT`;
  const celersOnly = query.allStatements ? sql`TRUE` : sql`DIGEST_TEXT LIKE ${'%celers\\_%'}`;
  const minAvg =
    query.minAvgMs === undefined
      ? sql`TRUE`
      : sql`AVG_TIMER_WAIT >= ${Math.round(query.minAvgMs * PS_PER_MS)}`;
  const { rows } = await sql<Record<string, unknown>>`
    SELECT DIGEST AS digest, DIGEST_TEXT AS digest_text, SCHEMA_NAME AS schema_name, COUNT_STAR AS count_star,
           SUM_TIMER_WAIT AS sum_timer_wait, AVG_TIMER_WAIT AS avg_timer_wait, MAX_TIMER_WAIT AS max_timer_wait,
           SUM_LOCK_TIME AS sum_lock_time, SUM_ROWS_EXAMINED AS rows_examined, SUM_ROWS_SENT AS rows_sent,
           SUM_ROWS_AFFECTED AS rows_affected, SUM_NO_INDEX_USED AS no_index_used,
           SUM_NO_GOOD_INDEX_USED AS no_good_index_used, SUM_ERRORS AS errors, FIRST_SEEN AS first_seen, LAST_SEEN AS last_seen
    FROM ${sql.table(DIGEST_TABLE)}
    WHERE SCHEMA_NAME = DATABASE() AND DIGEST_TEXT IS NOT NULL AND ${celersOnly} AND ${minAvg}
    ORDER BY ${order} DESC
    LIMIT ${query.limit}`.execute(db);
  return rows.map((row) => ({
    digest: row.digest == null ? null : String(row.digest),
    digestText: String(row.digest_text ?? ''),
    schemaName: row.schema_name == null ? null : String(row.schema_name),
    executionCount: toNumber(row.count_star),
    totalTimeMs: toNumber(row.sum_timer_wait) / PS_PER_MS,
    avgTimeMs: toNumber(row.avg_timer_wait) / PS_PER_MS,
    maxTimeMs: toNumber(row.max_timer_wait) / PS_PER_MS,
    totalLockTimeMs: toNumber(row.sum_lock_time) / PS_PER_MS,
    rowsExamined: toNumber(row.rows_examined),
    rowsSent: toNumber(row.rows_sent),
    rowsAffected: toNumber(row.rows_affected),
    noIndexUsedCount: toNumber(row.no_index_used),
    noGoodIndexUsedCount: toNumber(row.no_good_index_used),
    errors: toNumber(row.errors),
    firstSeen: toDate(row.first_seen),
    lastSeen: toDate(row.last_seen),
  }));
}

/** Empties the digest table (needs the DROP privilege on it). @internal */
export async function truncateDigests(db: Kysely<CelersDatabase>): Promise<void> {
  await sql`TRUNCATE TABLE ${sql.table(DIGEST_TABLE)}`.execute(db);
}

/** Per-index read/write counts of the `celers_` tables. @internal */
export async function selectIndexUsage(db: Kysely<CelersDatabase>): Promise<IndexUsage[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT OBJECT_NAME AS table_name, INDEX_NAME AS index_name, COUNT_READ AS read_count, COUNT_WRITE AS write_count
    FROM performance_schema.table_io_waits_summary_by_index_usage
    WHERE OBJECT_SCHEMA = DATABASE() AND OBJECT_NAME LIKE ${'celers\\_%'} AND INDEX_NAME IS NOT NULL
    ORDER BY OBJECT_NAME, INDEX_NAME`.execute(db);
  return rows.map((row) => ({
    tableName: String(row.table_name),
    indexName: String(row.index_name),
    reads: toNumber(row.read_count),
    writes: toNumber(row.write_count),
  }));
}

/** Runs a performance_schema read, turning a refused read into `{ available: false }`. @internal */
export async function withPerformanceSchema<T extends object>(
  db: Kysely<CelersDatabase>,
  operation: string,
  read: () => Promise<T>,
): Promise<PerformanceSchemaResult<T>> {
  const status = await performanceSchemaStatus(db);
  if (!status.available) return status;
  try {
    return { available: true, ...(await read()) };
  } catch (error) {
    if (isUnavailableError(error)) throw toCelersError(error, operation);
    return { available: false, reason: `${operation} failed: ${messageOf(error)}` };
  }
}

function messageOf(error: unknown): string {
  const e = error as { sqlMessage?: string; message?: string };
  return e?.sqlMessage ?? e?.message ?? String(error);
}
