import { assertName } from '@celers/core';
import { assertCount, assertObject } from '../internal/validate-input.js';

/** Inputs of {@link analyzeIndexEffectiveness}. */
export interface IndexEffectivenessInput {
  indexName: string;
  tableName: string;
  /** Reads that used the index. */
  indexScans: number;
  /** Full table scans of the same table (reads that could have used an index). */
  fullTableScans: number;
}

/** The seed's `IndexEffectiveness`. */
export interface IndexEffectiveness {
  indexName: string;
  tableName: string;
  indexScans: number;
  /** Full scans that might have used the index. */
  potentialUsage: number;
  /** `indexScans / (indexScans + fullTableScans) × 100`, 0 with no reads at all. */
  score: number;
  /** No index reads recorded. */
  unused: boolean;
  recommendation: string;
}

/**
 * Scores how much of a table's read traffic an index serves (0–100).
 *
 * @example
 * ```ts
 * analyzeIndexEffectiveness({ indexName: 'idx_tasks_dequeue', tableName: 'celers_tasks', indexScans: 10_000, fullTableScans: 100 }).score;
 * // 99.0099…
 * ```
 */
export function analyzeIndexEffectiveness(input: IndexEffectivenessInput): IndexEffectiveness {
  const given = assertObject(input, 'input');
  const indexName = assertName(given.indexName, 'input.indexName');
  const tableName = assertName(given.tableName, 'input.tableName');
  const indexScans = assertCount(given.indexScans, 'input.indexScans');
  const fullTableScans = assertCount(given.fullTableScans, 'input.fullTableScans');
  const total = indexScans + fullTableScans;
  const score = total > 0 ? (indexScans / total) * 100 : 0;
  let recommendation: string;
  if (score > 90) recommendation = 'Index is highly effective and well used.';
  else if (score > 70)
    recommendation = 'Index is moderately effective; review the queries that still scan the table.';
  else if (score > 50)
    recommendation = 'Index has low effectiveness; review its columns against the query patterns.';
  else if (indexScans === 0 && fullTableScans > 1000)
    recommendation = 'Index is unused despite many table scans: drop or redesign it.';
  else recommendation = 'Index effectiveness is very low; check whether it is needed.';
  return {
    indexName,
    tableName,
    indexScans,
    potentialUsage: fullTableScans,
    score,
    unused: indexScans === 0,
    recommendation,
  };
}
