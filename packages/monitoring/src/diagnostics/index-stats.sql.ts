import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNumber } from '../internal/numbers.js';

/** One index of a celers table (the seed's `IndexStats`). */
export interface IndexStats {
  tableName: string;
  indexName: string;
  /** Columns in index order. */
  columns: string[];
  unique: boolean;
  /** Estimated distinct values of the whole key (from the last column's `CARDINALITY`). */
  cardinality: number;
  /** Index type, e.g. `BTREE`. */
  indexType: string;
}

/** Reads `information_schema.STATISTICS` for the `celers_` tables, one entry per index. @internal */
export async function selectIndexStats(db: Kysely<CelersDatabase>): Promise<IndexStats[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name,
           GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',') AS columns_csv,
           MIN(NON_UNIQUE) AS non_unique, MAX(CARDINALITY) AS cardinality, MIN(INDEX_TYPE) AS index_type
    FROM information_schema.STATISTICS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE ${'celers\\_%'}
    GROUP BY TABLE_NAME, INDEX_NAME
    ORDER BY TABLE_NAME, INDEX_NAME`.execute(db);
  return rows.map((row) => ({
    tableName: String(row.table_name),
    indexName: String(row.index_name),
    columns: String(row.columns_csv ?? '')
      .split(',')
      .filter((c) => c.length > 0),
    unique: toNumber(row.non_unique) === 0,
    cardinality: toNumber(row.cardinality),
    indexType: String(row.index_type ?? ''),
  }));
}
