import { CelersError } from '@celers/core';
import { CELERS_TABLES } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';

// OPTIMIZE/ANALYZE act on whole tables, shared by every queue: they are the one kind of maintenance that is not
// queue-scoped. Table names come from the constant CELERS_TABLES list, never from input, so sql.raw is safe.

/** What the server said about one table after OPTIMIZE or ANALYZE TABLE. */
export interface TableMaintenanceOutcome {
  table: string;
  operation: 'optimize' | 'analyze';
  /** `Msg_type` of the server's final row for the table, e.g. `status`. */
  msgType: string;
  /** `Msg_text` of that row, e.g. `OK` or `Table is already up to date`. */
  msgText: string;
  /** Earlier rows' texts, e.g. InnoDB's "Table does not support optimize, doing recreate + analyze instead". */
  notes: string[];
}

interface ResultRow {
  Table: string;
  Msg_type: string;
  Msg_text: string;
}

async function runOnEveryTable(
  ctx: BrokerContext,
  operation: string,
  statement: 'OPTIMIZE TABLE' | 'ANALYZE TABLE',
): Promise<TableMaintenanceOutcome[]> {
  const op = statement === 'OPTIMIZE TABLE' ? 'optimize' : 'analyze';
  return ctx.run(operation, async () => {
    const outcomes: TableMaintenanceOutcome[] = [];
    for (const table of CELERS_TABLES) {
      const { rows } = await sql.raw<ResultRow>(`${statement} ${table}`).execute(ctx.db);
      outcomes.push(toOutcome(operation, table, op, rows));
    }
    return outcomes;
  });
}

/** One outcome from the server's rows; an `Error` row (e.g. a missing table) fails with DATABASE_ERROR. */
function toOutcome(
  operation: string,
  table: string,
  op: TableMaintenanceOutcome['operation'],
  rows: readonly ResultRow[],
): TableMaintenanceOutcome {
  const failed = rows.find((r) => String(r.Msg_type).toLowerCase() === 'error');
  if (failed || rows.length === 0) {
    const detail = failed ? failed.Msg_text : 'the server returned no result row';
    throw new CelersError('DATABASE_ERROR', `${operation}: ${table}: ${detail}`);
  }
  const last = rows[rows.length - 1] as ResultRow;
  return {
    table,
    operation: op,
    msgType: String(last.Msg_type),
    msgText: String(last.Msg_text),
    notes: rows.slice(0, -1).map((r) => String(r.Msg_text)),
  };
}

/** `OPTIMIZE TABLE` on every celers table (InnoDB rebuilds it, reclaiming space); one outcome per table. @internal */
export function optimizeTables(ctx: BrokerContext): Promise<TableMaintenanceOutcome[]> {
  return runOnEveryTable(ctx, 'maintenance.optimizeTables', 'OPTIMIZE TABLE');
}

/** `ANALYZE TABLE` on every celers table (fresh index statistics for the optimizer); one outcome per table. @internal */
export function analyzeTables(ctx: BrokerContext): Promise<TableMaintenanceOutcome[]> {
  return runOnEveryTable(ctx, 'maintenance.analyzeTables', 'ANALYZE TABLE');
}

/** Both, as the seed's `vacuum_analyze`: the optimize outcomes, then the analyze ones. @internal */
export async function vacuumAnalyze(ctx: BrokerContext): Promise<TableMaintenanceOutcome[]> {
  const optimized = await optimizeTables(ctx);
  return [...optimized, ...(await analyzeTables(ctx))];
}
