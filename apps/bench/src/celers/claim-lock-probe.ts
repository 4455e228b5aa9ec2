import type { MysqlBroker } from '@celers/broker-mysql';
import type { BenchDatabase } from '../env/bench-database.js';
import { type ClaimStatement, claimStatement } from './claim-explain.js';

/** How many rows a second claimer gets while a first one holds its claim open. */
export interface ClaimLockProbe {
  /** Rows the first transaction claimed (and holds). */
  first: number;
  /** Rows a second transaction then claimed with the statement as celers runs it (with its index hint). */
  secondAsIs: number;
  /** The same with the `FORCE INDEX (…)` hint taken out. */
  secondWithoutHint: number;
  /** The plan's access type without the hint (`ALL` = full scan + filesort). */
  planTypeWithoutHint: string;
}

/** The claim statement with its index hint taken out: what the optimizer picks on its own. */
function withoutIndexHint(claim: ClaimStatement): ClaimStatement {
  return { ...claim, sql: claim.sql.replace(/\s+FORCE INDEX \([a-z_]+\)/i, '') };
}

async function secondClaim(
  bench: BenchDatabase,
  statement: ClaimStatement,
): Promise<{ first: number; second: number }> {
  const [a, b] = await Promise.all([bench.connect(), bench.connect()]);
  try {
    await a.query('START TRANSACTION');
    const [held] = await a.query(statement.sql, statement.parameters);
    await b.query('START TRANSACTION');
    const [got] = await b.query(statement.sql, statement.parameters);
    await b.query('ROLLBACK');
    await a.query('ROLLBACK');
    return { first: (held as unknown[]).length, second: (got as unknown[]).length };
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
}

/**
 * With a first claim transaction open, runs a second claim on the same queue, with the statement celers uses
 * and with its index hint taken out. On a small table the optimizer may pick a full scan + filesort; FOR UPDATE then
 * locks every pending row it read, so the second claimer skips them all and gets nothing although tasks are
 * waiting. The queue must hold more than 100 pending tasks; nothing is changed (both roll back).
 */
export async function probeClaimLocking(
  bench: BenchDatabase,
  broker: MysqlBroker,
  queue: string,
): Promise<ClaimLockProbe> {
  const claim = claimStatement(broker, queue);
  const unhinted = withoutIndexHint(claim);
  const [plan] = await bench.admin.query(`EXPLAIN ${unhinted.sql}`, unhinted.parameters);
  const asIs = await secondClaim(bench, claim);
  const bare = await secondClaim(bench, unhinted);
  return {
    first: asIs.first,
    secondAsIs: asIs.second,
    secondWithoutHint: bare.second,
    planTypeWithoutHint: String((plan as Array<{ type: string }>)[0]?.type ?? '?'),
  };
}
