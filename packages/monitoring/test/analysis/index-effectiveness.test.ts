import { describe, expect, it } from 'vitest';
import { analyzeIndexEffectiveness } from '../../src/index.js';

const named = { indexName: 'idx_tasks_dequeue', tableName: 'celers_tasks' };

describe('analyzeIndexEffectiveness', () => {
  it.each([
    [10_000, 100, /highly effective/],
    [90, 10, /moderately effective/], // exactly 90 is not "highly"
    [71, 29, /moderately effective/],
    [70, 30, /low effectiveness/],
    [51, 49, /low effectiveness/],
    [50, 50, /very low/],
    [0, 1001, /unused despite many table scans/],
    [0, 1000, /very low/],
    [0, 0, /very low/],
  ])('%i index scans vs %i full scans', (indexScans, fullTableScans, expected) => {
    const r = analyzeIndexEffectiveness({ ...named, indexScans, fullTableScans });
    expect(r.recommendation).toMatch(expected);
    expect(r.score).toBeCloseTo(
      indexScans + fullTableScans > 0 ? (indexScans / (indexScans + fullTableScans)) * 100 : 0,
      10,
    );
    expect(r.potentialUsage).toBe(fullTableScans);
    expect(r.unused).toBe(indexScans === 0);
  });

  it.each([
    [{ ...named, indexName: '', indexScans: 0, fullTableScans: 0 }, 'input.indexName'],
    [{ ...named, indexScans: -1, fullTableScans: 0 }, 'input.indexScans'],
    [{ ...named, indexScans: 0, fullTableScans: Number.POSITIVE_INFINITY }, 'input.fullTableScans'],
  ])('rejects %o', (input, argument) => {
    expect(() => analyzeIndexEffectiveness(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
