import { describe, expect, it } from 'vitest';
import { analyzePageFill, analyzeTableBloat } from '../../src/index.js';

// Figures of a real table (MariaDB 10.11, 16 KiB pages) after deleting 9 rows in 10 and ANALYZE: the
// clustered index still holds 837 pages, 86 of them leaf pages with rows.
const afterDelete = {
  pageSizeBytes: 16_384,
  rows: 1_200,
  indexes: [
    { indexName: 'PRIMARY', allocatedPages: 837, leafPages: 86 },
    { indexName: 'idx_q', allocatedPages: 33, leafPages: 1 },
  ],
};

describe('analyzePageFill', () => {
  it('judges fill on the clustered index and counts every index in the allocated pages', () => {
    const fill = analyzePageFill(afterDelete);
    expect(fill).toMatchObject({
      indexes: 2,
      allocatedPages: 870,
      clusteredPages: 837,
      leafPages: 86,
      unusedPages: 751,
    });
    expect(fill.rowsPerLeafPage).toBeCloseTo(1_200 / 86, 10);
    expect(fill.fillFactorPercent).toBeCloseTo((86 / 837) * 100, 10);
    // 751 unused pages less the 2 extents (128 pages) a rebuilt index keeps reserved
    expect(fill.reclaimableMb).toBeCloseTo((623 * 16_384) / 1024 / 1024, 10);
    expect(fill.reclaimablePercent).toBeCloseTo((623 / 870) * 100, 10);
  });

  it('finds nothing to reclaim in a rebuilt table whose spare pages fit in its reserved extents', () => {
    const fill = analyzePageFill({
      pageSizeBytes: 16_384,
      rows: 1_200,
      indexes: [{ indexName: 'PRIMARY', allocatedPages: 161, leafPages: 86 }],
    });
    expect(fill.fillFactorPercent).toBeCloseTo(53.4, 1);
    expect(fill.reclaimableMb).toBe(0);
    expect(fill.reclaimablePercent).toBe(0);
  });

  it('scales the reserved extents with the page size (1 MiB, at least 64 pages)', () => {
    const at = (pageSizeBytes: number) =>
      analyzePageFill({
        pageSizeBytes,
        rows: 0,
        indexes: [{ indexName: 'PRIMARY', allocatedPages: 1_000, leafPages: 0 }],
      });
    expect(at(4_096).reclaimablePercent).toBeCloseTo(((1_000 - 512) / 1_000) * 100, 10); // 256-page extents
    expect(at(65_536).reclaimablePercent).toBeCloseTo(((1_000 - 128) / 1_000) * 100, 10); // 64-page extents
  });

  it('takes InnoDB’s generated clustered index, sums partitions, and gives zeros for no pages', () => {
    const fill = analyzePageFill({
      pageSizeBytes: 16_384,
      rows: 100,
      indexes: [
        { indexName: 'GEN_CLUST_INDEX', allocatedPages: 10, leafPages: 5 },
        { indexName: 'GEN_CLUST_INDEX', allocatedPages: 10, leafPages: 5 },
      ],
    });
    expect(fill).toMatchObject({
      clusteredPages: 20,
      leafPages: 10,
      rowsPerLeafPage: 10,
      fillFactorPercent: 50,
    });
    expect(analyzePageFill({ pageSizeBytes: 16_384, rows: 0, indexes: [] })).toMatchObject({
      allocatedPages: 0,
      rowsPerLeafPage: 0,
      fillFactorPercent: 0,
      reclaimablePercent: 0,
    });
  });

  it.each([
    [{ ...afterDelete, pageSizeBytes: 0 }, 'stats.pageSizeBytes'],
    [{ ...afterDelete, rows: Number.NaN }, 'stats.rows'],
    [{ ...afterDelete, indexes: 'PRIMARY' }, 'stats.indexes'],
    [{ ...afterDelete, indexes: [null] }, 'stats.indexes[0]'],
    [
      { ...afterDelete, indexes: [{ indexName: 7, allocatedPages: 1, leafPages: 1 }] },
      'stats.indexes[0].indexName',
    ],
    [
      { ...afterDelete, indexes: [{ indexName: 'PRIMARY', allocatedPages: 1.5, leafPages: 1 }] },
      'stats.indexes[0].allocatedPages',
    ],
    [
      { ...afterDelete, indexes: [{ indexName: 'PRIMARY', allocatedPages: 1, leafPages: -1 }] },
      'stats.indexes[0].leafPages',
    ],
  ])('rejects %o naming %s', (stats, argument) => {
    expect(() => analyzePageFill(stats as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});

describe('analyzeTableBloat with page statistics', () => {
  const sizes = {
    tableName: 'celers_live_tasks',
    totalSizeMb: 13.1,
    rowCount: 1_200,
    avgRowLengthBytes: 1_100,
  };

  it('reports the pages next to DATA_FREE and advises OPTIMIZE when the pages empty out but DATA_FREE does not', () => {
    const r = analyzeTableBloat({ ...sizes, freeSizeMb: 4, pageStats: afterDelete });
    expect(r.bloatMb).toBe(4); // DATA_FREE, unchanged by the delete
    expect(r.bloatPercent).toBeCloseTo((4 / 17.1) * 100, 10);
    expect(r.pages?.fillFactorPercent).toBeCloseTo(10.27, 2);
    expect(r.recommendation).toBe(
      "Significant bloat (> 50 %): run OPTIMIZE TABLE to reclaim space. 751 of the clustered index's 837 pages hold no rows (fill factor 10 %).",
    );
  });

  it('keeps the DATA_FREE advice when the pages are full, and has no pages without statistics', () => {
    const full = { ...afterDelete, indexes: [{ indexName: 'PRIMARY', allocatedPages: 865, leafPages: 858 }] };
    expect(analyzeTableBloat({ ...sizes, freeSizeMb: 4, pageStats: full }).recommendation).toBe(
      'Low bloat (10–25 %): monitor and optimize if it grows.',
    );
    expect(analyzeTableBloat({ ...sizes, freeSizeMb: 4 }).pages).toBeNull();
  });

  it('names the page statistics field of bad input', () => {
    expect(() => analyzeTableBloat({ ...sizes, pageStats: { ...afterDelete, pageSizeBytes: -1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'input.pageStats.pageSizeBytes' }),
    );
  });
});
