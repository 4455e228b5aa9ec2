import { describe, expect, it } from 'vitest';
import { analyzeTableBloat } from '../../src/index.js';

// 10 240 rows × 1024 bytes = 10 MB of rows → 13 MB expected with 30 % overhead.
const rows = { tableName: 'celers_tasks', rowCount: 10_240, avgRowLengthBytes: 1024 };

describe('analyzeTableBloat', () => {
  it.each([
    [13, 0, /acceptable/],
    [14.29, 9.92, /acceptable/],
    [14.31, 10.08, /Low bloat/],
    [16.25, 25, /Low bloat/],
    [16.3, 25.38, /Moderate bloat/],
    [19.5, 50, /Moderate bloat/],
    [19.6, 50.77, /Significant bloat/],
    [10, 0, /acceptable/],
  ])('%d MB on disk → %d %% bloat', (totalSizeMb, percent, expected) => {
    const r = analyzeTableBloat({ ...rows, totalSizeMb });
    expect(r.expectedSizeMb).toBeCloseTo(13, 10);
    expect(r.bloatPercent).toBeCloseTo(percent, 1);
    expect(r.recommendation).toMatch(expected);
  });

  it('splits sizes 70/30 unless actual sizes are given', () => {
    expect(analyzeTableBloat({ ...rows, totalSizeMb: 10 })).toMatchObject({ dataSizeMb: 7, indexSizeMb: 3 });
    expect(analyzeTableBloat({ ...rows, totalSizeMb: 10, dataSizeMb: 4, indexSizeMb: 6 })).toMatchObject({
      dataSizeMb: 4,
      indexSizeMb: 6,
    });
  });

  it('reports no bloat for an empty table', () => {
    expect(
      analyzeTableBloat({ tableName: 't', totalSizeMb: 0.05, rowCount: 0, avgRowLengthBytes: 0 }),
    ).toMatchObject({
      bloatPercent: 0,
      bloatMb: 0.05,
    });
  });

  it.each([
    [{ ...rows, totalSizeMb: -1 }, 'input.totalSizeMb'],
    [{ ...rows, totalSizeMb: 1, rowCount: Number.NaN }, 'input.rowCount'],
    [{ ...rows, totalSizeMb: 1, dataSizeMb: -2 }, 'input.dataSizeMb'],
    [{ ...rows, totalSizeMb: 1, tableName: '' }, 'input.tableName'],
  ])('rejects %o', (input, argument) => {
    expect(() => analyzeTableBloat(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
