import { CELERS_TABLES } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';

// OPTIMIZE/ANALYZE act on whole tables, shared by every queue: they are the one kind of maintenance that is not
// queue-scoped. Table names come from the constant CELERS_TABLES list, never from input, so sql.raw is safe.

async function runOnEveryTable(
  ctx: BrokerContext,
  operation: string,
  statement: 'OPTIMIZE TABLE' | 'ANALYZE TABLE',
): Promise<number> {
  return ctx.run(operation, async () => {
    for (const table of CELERS_TABLES) await sql.raw(`${statement} ${table}`).execute(ctx.db);
    return CELERS_TABLES.length;
  });
}

/** `OPTIMIZE TABLE` on every celers table (InnoDB rebuilds it, reclaiming space); returns tables processed. @internal */
export function optimizeTables(ctx: BrokerContext): Promise<number> {
  return runOnEveryTable(ctx, 'maintenance.optimizeTables', 'OPTIMIZE TABLE');
}

/** `ANALYZE TABLE` on every celers table (fresh index statistics for the optimizer); returns tables processed. @internal */
export function analyzeTables(ctx: BrokerContext): Promise<number> {
  return runOnEveryTable(ctx, 'maintenance.analyzeTables', 'ANALYZE TABLE');
}

/** Both, as the seed's `vacuum_analyze`; returns the number of tables processed. @internal */
export async function vacuumAnalyze(ctx: BrokerContext): Promise<number> {
  await optimizeTables(ctx);
  return analyzeTables(ctx);
}
