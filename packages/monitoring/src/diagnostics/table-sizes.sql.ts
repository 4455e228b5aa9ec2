import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNumber } from '../internal/numbers.js';

/** Size of one celers table (the seed's `TableSizeInfo`). */
export interface TableSize {
  tableName: string;
  /** InnoDB's row estimate (`TABLE_ROWS`; approximate, refreshed by ANALYZE TABLE). */
  rows: number;
  dataBytes: number;
  indexBytes: number;
  /** Allocated but unused bytes (`DATA_FREE`), what OPTIMIZE TABLE could reclaim. */
  freeBytes: number;
  avgRowLengthBytes: number;
}

/**
 * Reads `information_schema.TABLES` for the `celers_` tables of the current database, largest first. MySQL 8
 * caches these figures for `information_schema_stats_expiry` seconds (default 86400); run
 * `broker.maintenance` ANALYZE for fresh ones.
 * @internal
 */
export async function selectTableSizes(db: Kysely<CelersDatabase>): Promise<TableSize[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT TABLE_NAME AS table_name, TABLE_ROWS AS table_rows, DATA_LENGTH AS data_length,
           INDEX_LENGTH AS index_length, DATA_FREE AS data_free, AVG_ROW_LENGTH AS avg_row_length
    FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE ${'celers\\_%'} AND TABLE_TYPE = 'BASE TABLE'
    ORDER BY DATA_LENGTH + INDEX_LENGTH DESC, TABLE_NAME`.execute(db);
  return rows.map((row) => ({
    tableName: String(row.table_name),
    rows: toNumber(row.table_rows),
    dataBytes: toNumber(row.data_length),
    indexBytes: toNumber(row.index_length),
    freeBytes: toNumber(row.data_free),
    avgRowLengthBytes: toNumber(row.avg_row_length),
  }));
}
