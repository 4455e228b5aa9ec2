import { assertName } from '@celers/core';
import { nearestRankPercentile } from '../internal/nearest-rank.js';
import { assertCount, assertObject, assertSamples } from '../internal/validate-input.js';

/** Inputs of {@link analyzeQueryPattern}. */
export interface QueryPatternInput {
  /** `SELECT`, `INSERT`, `UPDATE`, `DELETE`, or a digest label. */
  queryType: string;
  /** Executions in the period (may exceed the samples given). */
  executionCount: number;
  /** Sampled execution times (ms). */
  executionTimesMs: readonly number[];
  /** Rows examined per sampled execution. */
  rowsExamined: readonly number[];
  /** Rows returned per sampled execution. */
  rowsReturned: readonly number[];
}

/** The seed's `QueryPatternAnalysis`. */
export interface QueryPatternAnalysis {
  queryType: string;
  executionCount: number;
  avgExecutionTimeMs: number;
  /** Nearest-rank P95 of the samples. */
  p95ExecutionTimeMs: number;
  avgRowsExamined: number;
  avgRowsReturned: number;
  /** `avgRowsReturned / avgRowsExamined` (1 when nothing was examined). */
  selectivity: number;
  /** The first rule that fires, in the seed's order: poor selectivity, slow, high variance, frequent and slow. */
  recommendation: string;
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Flags poor selectivity (< 1 % of > 10 000 examined rows returned), slow queries (avg > 1 s), high variance
 * (P95 > 5 × avg) and frequently executed slow queries (> 1000 runs averaging > 100 ms).
 *
 * @example
 * ```ts
 * analyzeQueryPattern({ queryType: 'SELECT', executionCount: 5, executionTimesMs: [10, 15, 12, 20, 11],
 *   rowsExamined: [1000, 1200, 1100, 1500, 1000], rowsReturned: [10, 12, 11, 15, 10] }).recommendation;
 * // 'Query performance acceptable.'
 * ```
 */
export function analyzeQueryPattern(input: QueryPatternInput): QueryPatternAnalysis {
  const given = assertObject(input, 'input');
  const queryType = assertName(given.queryType, 'input.queryType');
  const executionCount = assertCount(given.executionCount, 'input.executionCount');
  const times = assertSamples(given.executionTimesMs, 'input.executionTimesMs');
  const examined = assertSamples(given.rowsExamined, 'input.rowsExamined');
  const returned = assertSamples(given.rowsReturned, 'input.rowsReturned');

  const avgExecutionTimeMs = mean(times);
  const p95ExecutionTimeMs =
    nearestRankPercentile(
      [...times].sort((a, b) => a - b),
      95,
    ) ?? 0;
  const avgRowsExamined = mean(examined);
  const avgRowsReturned = mean(returned);
  const selectivity = avgRowsExamined > 0 ? avgRowsReturned / avgRowsExamined : 1;

  let recommendation = 'Query performance acceptable.';
  if (selectivity < 0.01 && avgRowsExamined > 10_000) {
    recommendation = 'Poor selectivity: the query examines many rows but returns few. Add or fix an index.';
  } else if (avgExecutionTimeMs > 1000) {
    recommendation = 'Slow query (> 1 s average). Review its plan (DatabaseDiagnostics.explainQuery).';
  } else if (p95ExecutionTimeMs > avgExecutionTimeMs * 5) {
    recommendation =
      'High variance: P95 is over 5× the average. Investigate outliers (lock waits, cold cache).';
  } else if (executionCount > 1000 && avgExecutionTimeMs > 100) {
    recommendation = 'Frequently executed slow query: a prime candidate for optimization or batching.';
  }
  return {
    queryType,
    executionCount,
    avgExecutionTimeMs,
    p95ExecutionTimeMs,
    avgRowsExamined,
    avgRowsReturned,
    selectivity,
    recommendation,
  };
}
