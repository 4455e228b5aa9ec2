import { assertName } from '@celers/core';
import { assertNonNegative, assertObject } from '../internal/validate-input.js';
import { analyzePageFill, type PageFill, type TablePageStats } from './page-fill.js';

/** Inputs of {@link analyzeTableBloat}. */
export interface TableBloatInput {
  tableName: string;
  /** Data + index size on disk (MB). */
  totalSizeMb: number;
  /** Rows in the table. */
  rowCount: number;
  /** Average row length (bytes). */
  avgRowLengthBytes: number;
  /** Actual data size (MB) when known (information_schema DATA_LENGTH); else 70 % of the total. */
  dataSizeMb?: number;
  /** Actual index size (MB) when known (INDEX_LENGTH); else 30 % of the total. */
  indexSizeMb?: number;
  /**
   * Allocated but unused space (MB) the server reports (information_schema `DATA_FREE`). When given, bloat
   * is this measured free space; without it, bloat is estimated from the row count (the seed's formula).
   */
  freeSizeMb?: number;
  /**
   * InnoDB's page statistics of the table (`mysql.innodb_index_stats`/`innodb_table_stats`). When given, the
   * result's `pages` holds the fill factor, and pages held empty count towards the recommendation.
   */
  pageStats?: TablePageStats;
}

/** The seed's `TableBloatAnalysis`. */
export interface TableBloatAnalysis {
  tableName: string;
  totalSizeMb: number;
  dataSizeMb: number;
  indexSizeMb: number;
  /** `rows × avgRowLength × 1.3` (30 % InnoDB page and index overhead), MB. */
  expectedSizeMb: number;
  /** The measured free space when `freeSizeMb` was given, else `max(0, total − expected)`, MB. */
  bloatMb: number;
  /**
   * Measured: `free / (total + free) × 100`, the share of the table's file OPTIMIZE could give back.
   * Estimated: `bloat / expected × 100` (0 for an empty table).
   */
  bloatPercent: number;
  /** `measured` when computed from `freeSizeMb`, `estimated` from the row count. */
  basis: 'measured' | 'estimated';
  /**
   * Page statistics next to the free space: allocated and leaf pages, rows per leaf page, estimated fill
   * factor and what a rebuild would reclaim; `null` without `pageStats`.
   */
  pages: PageFill | null;
  /**
   * OPTIMIZE TABLE advice on the larger of `bloatPercent` and `pages.reclaimablePercent`: > 50 %
   * significant, > 25 % moderate, > 10 % low.
   */
  recommendation: string;
}

const MB = 1024 * 1024;

/**
 * Reclaimable space of a table: the server's measured free space when `freeSizeMb` is given (what
 * `DatabaseDiagnostics.tableBloat` does), else an estimate from the size the table should have for its rows;
 * with `pageStats`, also the fill factor of its pages (see `analyzePageFill`).
 *
 * @example
 * ```ts
 * analyzeTableBloat({ tableName: 'celers_tasks', totalSizeMb: 26, rowCount: 10_240, avgRowLengthBytes: 1024 }).bloatPercent;
 * // 100 (expected 13 MB)
 * ```
 */
export function analyzeTableBloat(input: TableBloatInput): TableBloatAnalysis {
  const given = assertObject(input, 'input');
  const tableName = assertName(given.tableName, 'input.tableName');
  const totalSizeMb = assertNonNegative(given.totalSizeMb, 'input.totalSizeMb');
  const rowCount = assertNonNegative(given.rowCount, 'input.rowCount');
  const avgRowLengthBytes = assertNonNegative(given.avgRowLengthBytes, 'input.avgRowLengthBytes');
  const dataSizeMb =
    given.dataSizeMb === undefined
      ? totalSizeMb * 0.7
      : assertNonNegative(given.dataSizeMb, 'input.dataSizeMb');
  const indexSizeMb =
    given.indexSizeMb === undefined
      ? totalSizeMb * 0.3
      : assertNonNegative(given.indexSizeMb, 'input.indexSizeMb');
  const expectedSizeMb = ((rowCount * avgRowLengthBytes) / MB) * 1.3;
  const freeSizeMb =
    given.freeSizeMb === undefined ? undefined : assertNonNegative(given.freeSizeMb, 'input.freeSizeMb');
  let bloatMb: number;
  let bloatPercent: number;
  if (freeSizeMb === undefined) {
    bloatMb = Math.max(0, totalSizeMb - expectedSizeMb);
    bloatPercent = expectedSizeMb > 0 ? (bloatMb / expectedSizeMb) * 100 : 0;
  } else {
    bloatMb = freeSizeMb;
    bloatPercent = totalSizeMb + freeSizeMb > 0 ? (freeSizeMb / (totalSizeMb + freeSizeMb)) * 100 : 0;
  }
  const pages =
    given.pageStats === undefined
      ? null
      : analyzePageFill(given.pageStats as TablePageStats, 'input.pageStats');
  // Free extents (DATA_FREE) and pages the indexes hold empty are different space: a mass delete often
  // leaves DATA_FREE unchanged while most allocated pages empty out.
  const severity = Math.max(bloatPercent, pages?.reclaimablePercent ?? 0);
  let recommendation = 'Table bloat is within the acceptable range.';
  if (severity > 50) recommendation = 'Significant bloat (> 50 %): run OPTIMIZE TABLE to reclaim space.';
  else if (severity > 25)
    recommendation = 'Moderate bloat (25–50 %): run OPTIMIZE TABLE in a maintenance window.';
  else if (severity > 10) recommendation = 'Low bloat (10–25 %): monitor and optimize if it grows.';
  if (pages && pages.reclaimablePercent > bloatPercent && severity > 10)
    recommendation += ` ${pages.unusedPages} of the clustered index's ${pages.clusteredPages} pages hold no rows (fill factor ${pages.fillFactorPercent.toFixed(0)} %).`;
  return {
    tableName,
    totalSizeMb,
    dataSizeMb,
    indexSizeMb,
    expectedSizeMb,
    bloatMb,
    bloatPercent,
    basis: freeSizeMb === undefined ? 'estimated' : 'measured',
    pages,
    recommendation,
  };
}
