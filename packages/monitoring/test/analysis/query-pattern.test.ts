import { describe, expect, it } from 'vitest';
import { analyzeQueryPattern } from '../../src/index.js';

const sample = (times: number[], examined: number, returned: number, executionCount = times.length) => ({
  queryType: 'SELECT',
  executionCount,
  executionTimesMs: times,
  rowsExamined: times.map(() => examined),
  rowsReturned: times.map(() => returned),
});

describe('analyzeQueryPattern', () => {
  it('reports averages, P95 and selectivity', () => {
    const a = analyzeQueryPattern({
      queryType: 'SELECT',
      executionCount: 5,
      executionTimesMs: [10, 15, 12, 20, 11],
      rowsExamined: [1000, 1200, 1100, 1500, 1000],
      rowsReturned: [10, 12, 11, 15, 10],
    });
    expect(a).toMatchObject({
      avgExecutionTimeMs: 13.6,
      p95ExecutionTimeMs: 20,
      avgRowsExamined: 1160,
      avgRowsReturned: 11.6,
    });
    expect(a.selectivity).toBeCloseTo(0.01, 12);
    expect(a.recommendation).toBe('Query performance acceptable.');
  });

  it.each([
    ['poor selectivity', sample([5], 10_001, 100), /Poor selectivity/],
    ['exactly 10 000 examined is not flagged', sample([5], 10_000, 1), /acceptable/],
    ['slow above 1 s', sample([1000.5], 10, 10), /Slow query/],
    ['1 s average is not slow', sample([1000], 10, 10), /acceptable/],
    ['high variance', sample([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 200], 1, 1), /High variance/],
    [
      'an outlier below the P95 rank is not flagged',
      sample([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 5], 1, 1),
      /acceptable/,
    ],
    ['frequent and slow', sample([150], 1, 1, 1001), /Frequently executed/],
    ['1000 runs is not frequent', sample([150], 1, 1, 1000), /acceptable/],
  ])('%s', (_name, input, expected) => {
    expect(analyzeQueryPattern(input).recommendation).toMatch(expected);
  });

  it('handles empty samples', () => {
    expect(analyzeQueryPattern(sample([], 0, 0, 0))).toMatchObject({
      avgExecutionTimeMs: 0,
      p95ExecutionTimeMs: 0,
      selectivity: 1,
    });
  });

  it.each([
    [{ ...sample([1], 1, 1), queryType: '' }, 'input.queryType'],
    [{ ...sample([1], 1, 1), executionCount: -1 }, 'input.executionCount'],
    [{ ...sample([1], 1, 1), executionTimesMs: [Number.NaN] }, 'input.executionTimesMs[0]'],
    [{ ...sample([1], 1, 1), rowsExamined: [-3] }, 'input.rowsExamined[0]'],
  ])('rejects %o', (input, argument) => {
    expect(() => analyzeQueryPattern(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
