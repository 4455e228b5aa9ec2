import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import type { IndexPageStats, TablePageStats } from '../analysis/page-fill.js';
import { toNumber } from '../internal/numbers.js';

/**
 * Errors that mean "these statistics are not readable by this user" (no SELECT on `mysql.*`, or the table is
 * missing): tableBloat then reports without page statistics instead of failing.
 */
const NOT_READABLE_ERRNOS = new Set([1044, 1142, 1143, 1146]);

/**
 * Reads InnoDB's persistent statistics of the `celers_` tables of the current database, by table name: per
 * index tree `size` (allocated pages) and `n_leaf_pages` from `mysql.innodb_index_stats`, and `n_rows` from
 * `mysql.innodb_table_stats` summed over partitions (stored as `name#p#part` on MySQL, `name#P#part` on
 * MariaDB). Both tables have these columns on MySQL 8 and MariaDB 10.x. The figures are as of the last
 * ANALYZE TABLE (or InnoDB's automatic recalculation after 10 % of the rows changed). Empty when the current
 * user may not read them.
 * @internal
 */
export async function selectPageStats(db: Kysely<CelersDatabase>): Promise<Map<string, TablePageStats>> {
  let indexRows: Record<string, unknown>[];
  let tableRows: Record<string, unknown>[];
  try {
    ({ rows: indexRows } = await sql<Record<string, unknown>>`
      SELECT SUBSTRING_INDEX(table_name, '#', 1) AS table_name, index_name,
             SUM(CASE WHEN stat_name = 'size' THEN stat_value ELSE 0 END) AS allocated_pages,
             SUM(CASE WHEN stat_name = 'n_leaf_pages' THEN stat_value ELSE 0 END) AS leaf_pages,
             @@innodb_page_size AS page_size
      FROM mysql.innodb_index_stats
      WHERE database_name = DATABASE() AND table_name LIKE ${'celers\\_%'}
        AND stat_name IN ('size', 'n_leaf_pages')
      GROUP BY table_name, index_name
      ORDER BY table_name, index_name`.execute(db));
    ({ rows: tableRows } = await sql<Record<string, unknown>>`
      SELECT SUBSTRING_INDEX(table_name, '#', 1) AS table_name, SUM(n_rows) AS n_rows
      FROM mysql.innodb_table_stats
      WHERE database_name = DATABASE() AND table_name LIKE ${'celers\\_%'}
      GROUP BY SUBSTRING_INDEX(table_name, '#', 1)`.execute(db));
  } catch (error) {
    if (NOT_READABLE_ERRNOS.has((error as { errno?: number }).errno ?? 0)) return new Map();
    throw error;
  }
  const rowsOf = new Map(tableRows.map((r) => [String(r.table_name), toNumber(r.n_rows)]));
  const out = new Map<string, TablePageStats & { indexes: IndexPageStats[] }>();
  for (const r of indexRows) {
    const tableName = String(r.table_name);
    let stats = out.get(tableName);
    if (!stats) {
      stats = { pageSizeBytes: toNumber(r.page_size), rows: rowsOf.get(tableName) ?? 0, indexes: [] };
      out.set(tableName, stats);
    }
    stats.indexes.push({
      indexName: String(r.index_name),
      allocatedPages: toNumber(r.allocated_pages),
      leafPages: toNumber(r.leaf_pages),
    });
  }
  return out;
}
