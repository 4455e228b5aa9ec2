import type { BenchDatabase } from '../env/bench-database.js';
import { CLAIM_STATEMENT } from './claim-explain.js';

/** How many rows a second claimer gets while a first one holds its claim open. */
export interface ClaimLockProbe {
  /** Rows the first transaction claimed (and holds). */
  first: number;
  /** Rows a second transaction then claimed with the statement as celers runs it. */
  secondAsIs: number;
  /** The same with `FORCE INDEX (idx_tasks_dequeue)`. */
  secondWithForceIndex: number;
  /** The plan's access type for the statement as is (`ALL` = full scan + filesort). */
  planType: string;
}

/** The claim statement with an index hint naming celers' dequeue index. */
export const FORCED_CLAIM_STATEMENT = CLAIM_STATEMENT.replace(
  'FROM celers_live_tasks',
  'FROM celers_live_tasks FORCE INDEX (idx_tasks_dequeue)',
);

async function secondClaim(
  bench: BenchDatabase,
  statement: string,
  queue: string,
): Promise<{ first: number; second: number }> {
  const [a, b] = await Promise.all([bench.connect(), bench.connect()]);
  try {
    await a.query('START TRANSACTION');
    const [held] = await a.query(statement, [queue, queue]);
    await b.query('START TRANSACTION');
    const [got] = await b.query(statement, [queue, queue]);
    await b.query('ROLLBACK');
    await a.query('ROLLBACK');
    return { first: (held as unknown[]).length, second: (got as unknown[]).length };
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
}

/**
 * With a first claim transaction open, runs a second claim on the same queue, with the statement celers uses
 * and with an index hint. On a small table the optimizer may pick a full scan + filesort; FOR UPDATE then
 * locks every pending row it read, so the second claimer skips them all and gets nothing although tasks are
 * waiting. The queue must hold more than 100 pending tasks; nothing is changed (both roll back).
 */
export async function probeClaimLocking(bench: BenchDatabase, queue: string): Promise<ClaimLockProbe> {
  const [plan] = await bench.admin.query(`EXPLAIN ${CLAIM_STATEMENT}`, [queue, queue]);
  const asIs = await secondClaim(bench, CLAIM_STATEMENT, queue);
  const forced = await secondClaim(bench, FORCED_CLAIM_STATEMENT, queue);
  return {
    first: asIs.first,
    secondAsIs: asIs.second,
    secondWithForceIndex: forced.second,
    planType: String((plan as Array<{ type: string }>)[0]?.type ?? '?'),
  };
}
