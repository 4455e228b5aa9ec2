import { compileClaimStatement, type MysqlBroker } from '@celers/broker-mysql';
import type { Connection } from 'mysql2/promise';

/** A statement with its parameters, ready for `conn.query`. */
export interface ClaimStatement {
  sql: string;
  parameters: unknown[];
}

/** The claim statement celers runs for `queue` (a 50-row claim), compiled by the library itself. */
export function claimStatement(broker: MysqlBroker, queue: string): ClaimStatement {
  const compiled = compileClaimStatement(broker.database, queue, 50);
  return { sql: compiled.sql, parameters: [...compiled.parameters] };
}

/** Runs EXPLAIN on celers' claim statement for `queue` and renders the plan as a markdown table. */
export async function explainClaim(conn: Connection, broker: MysqlBroker, queue: string): Promise<string> {
  const claim = claimStatement(broker, queue);
  const [rows] = await conn.query(`EXPLAIN ${claim.sql}`, claim.parameters);
  const plan = rows as Array<Record<string, unknown>>;
  if (plan.length === 0) return '(no plan)';
  const columns = ['id', 'select_type', 'table', 'type', 'key', 'key_len', 'rows', 'Extra'];
  const header = `| ${columns.join(' | ')} |\n| ${columns.map(() => '---').join(' | ')} |`;
  const body = plan.map((r) => `| ${columns.map((c) => String(r[c] ?? '')).join(' | ')} |`).join('\n');
  return `${header}\n${body}`;
}
