import type { Connection } from 'mysql2/promise';

/**
 * The statement celers' claim runs (packages/broker-mysql/src/queue/claim.sql.ts, `lockDueTasks`), written
 * out so its plan can be shown next to the figures. Kept in step with that file by hand.
 */
export const CLAIM_STATEMENT = `SELECT *, UTC_TIMESTAMP(6) AS db_now FROM celers_live_tasks
WHERE queue_name = ? AND state = 'pending' AND scheduled_at <= UTC_TIMESTAMP(6)
  AND NOT EXISTS (SELECT 1 FROM celers_queue_config WHERE queue_name = ? AND config_key = 'paused' AND config_value = 'true')
ORDER BY priority DESC, scheduled_at ASC, id ASC LIMIT 50 FOR UPDATE SKIP LOCKED`;

/** Runs EXPLAIN on the claim statement for `queue` and renders the plan as a markdown table. */
export async function explainClaim(conn: Connection, queue: string): Promise<string> {
  const [rows] = await conn.query(`EXPLAIN ${CLAIM_STATEMENT}`, [queue, queue]);
  const plan = rows as Array<Record<string, unknown>>;
  if (plan.length === 0) return '(no plan)';
  const columns = ['id', 'select_type', 'table', 'type', 'key', 'key_len', 'rows', 'Extra'];
  const header = `| ${columns.join(' | ')} |\n| ${columns.map(() => '---').join(' | ')} |`;
  const body = plan.map((r) => `| ${columns.map((c) => String(r[c] ?? '')).join(' | ')} |`).join('\n');
  return `${header}\n${body}`;
}
