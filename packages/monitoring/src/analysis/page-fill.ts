import { CelersError } from '@celers/core';
import { assertCount, assertNonNegative, assertObject, assertPositive } from '../internal/validate-input.js';

/** InnoDB's page statistics of one index tree (`mysql.innodb_index_stats`). */
export interface IndexPageStats {
  /** The index; `PRIMARY` is the clustered index, whose leaf pages hold the rows. */
  indexName: string;
  /** Pages the index's segments hold (`size`): in use, or reserved and free. */
  allocatedPages: number;
  /** Leaf pages in use (`n_leaf_pages`). */
  leafPages: number;
}

/**
 * InnoDB's persistent page statistics of one table, as of the last ANALYZE TABLE or automatic
 * recalculation: `mysql.innodb_index_stats` per index, `mysql.innodb_table_stats` for the rows.
 */
export interface TablePageStats {
  /** `innodb_page_size` (16384 by default). */
  pageSizeBytes: number;
  /** InnoDB's row estimate (`n_rows`). */
  rows: number;
  /** One entry per index tree (per index and partition for a partitioned table). */
  indexes: readonly IndexPageStats[];
}

/** What the page statistics say about one table's fill. */
export interface PageFill {
  pageSizeBytes: number;
  rows: number;
  /** Index trees counted. */
  indexes: number;
  /** Pages held by all index trees of the table. */
  allocatedPages: number;
  /** Pages held by the clustered index (`PRIMARY`), whose leaf pages hold the rows. */
  clusteredPages: number;
  /** Leaf pages in use in the clustered index. */
  leafPages: number;
  /** `rows / leafPages` (0 without leaf pages): falls when deletes leave sparse pages. */
  rowsPerLeafPage: number;
  /**
   * Estimated fill factor of the clustered index: `leafPages / clusteredPages × 100`, the share of its pages
   * that hold rows. An estimate: non-leaf pages count as empty, and leaf pages are themselves between half
   * full (InnoDB merges emptier ones) and about 15/16 full.
   */
  fillFactorPercent: number;
  /** `clusteredPages − leafPages`: clustered-index pages held but holding no rows (mostly freed by deletes). */
  unusedPages: number;
  /**
   * What a rebuild (OPTIMIZE TABLE) would give back from the clustered index, MB: its unused pages beyond the
   * two extents (one per segment, leaf and non-leaf) a freshly built index keeps reserved anyway.
   */
  reclaimableMb: number;
  /** Reclaimable pages as a share of all the table's allocated pages. */
  reclaimablePercent: number;
}

const MB = 1024 * 1024;
/** InnoDB's extent: 1 MiB, and never fewer than 64 pages (32 KiB and 64 KiB pages). */
const EXTENT_BYTES = MB;
const MIN_EXTENT_PAGES = 64;
/** Each index tree has a leaf and a non-leaf segment; each keeps up to about one partly used extent. */
const SEGMENTS_PER_INDEX = 2;
/** The clustered index's name: the primary key, or InnoDB's own when the table has none. */
const CLUSTERED_INDEX_NAMES = new Set(['PRIMARY', 'GEN_CLUST_INDEX']);

/**
 * Fill factor and reclaimable pages of a table from its InnoDB page statistics. A mass delete leaves the
 * allocated pages in place (DATA_FREE often does not move) while the leaf pages fall: the fill factor drops
 * and the unused pages show what OPTIMIZE TABLE would give back. Fill is judged on the clustered index,
 * which holds the rows and most pages: MariaDB 10.11 was seen reporting `n_leaf_pages = 1` for secondary
 * indexes of thousands of entries, so their leaf counts are not trusted. Bad input is `INVALID_ARGUMENT`
 * naming the field under `argument`.
 *
 * @example
 * ```ts
 * analyzePageFill({ pageSizeBytes: 16_384, rows: 1_200, indexes: [{ indexName: 'PRIMARY', allocatedPages: 837, leafPages: 86 }] });
 * // { fillFactorPercent: 10.3, rowsPerLeafPage: 13.95, unusedPages: 751, reclaimableMb: 9.73, ... }
 * ```
 */
export function analyzePageFill(stats: TablePageStats, argument = 'stats'): PageFill {
  const given = assertObject(stats, argument);
  const pageSizeBytes = assertPositive(given.pageSizeBytes, `${argument}.pageSizeBytes`);
  const rows = assertNonNegative(given.rows, `${argument}.rows`);
  if (!Array.isArray(given.indexes))
    throw CelersError.invalidArgument(`${argument}.indexes`, 'expected an array');
  const indexes = given.indexes as unknown[];
  const slackPages = SEGMENTS_PER_INDEX * Math.max(MIN_EXTENT_PAGES, EXTENT_BYTES / pageSizeBytes);
  let allocatedPages = 0;
  let clusteredPages = 0;
  let leafPages = 0;
  let reclaimablePages = 0;
  for (const [i, entry] of indexes.entries()) {
    const index = assertObject(entry, `${argument}.indexes[${i}]`);
    if (typeof index.indexName !== 'string')
      throw CelersError.invalidArgument(`${argument}.indexes[${i}].indexName`, 'expected a string');
    const allocated = assertCount(index.allocatedPages, `${argument}.indexes[${i}].allocatedPages`);
    const leaf = assertCount(index.leafPages, `${argument}.indexes[${i}].leafPages`);
    allocatedPages += allocated;
    if (!CLUSTERED_INDEX_NAMES.has(index.indexName)) continue;
    clusteredPages += allocated;
    leafPages += leaf;
    reclaimablePages += Math.max(0, allocated - leaf - slackPages);
  }
  return {
    pageSizeBytes,
    rows,
    indexes: indexes.length,
    allocatedPages,
    clusteredPages,
    leafPages,
    rowsPerLeafPage: leafPages > 0 ? rows / leafPages : 0,
    fillFactorPercent: clusteredPages > 0 ? Math.min(100, (leafPages / clusteredPages) * 100) : 0,
    unusedPages: Math.max(0, clusteredPages - leafPages),
    reclaimableMb: (reclaimablePages * pageSizeBytes) / MB,
    reclaimablePercent: allocatedPages > 0 ? (reclaimablePages / allocatedPages) * 100 : 0,
  };
}
