import type { MysqlBroker } from '@celers/broker-mysql';

/** A queue's task counts by state, read from the table (states with no task are absent). */
export async function countsByState(
  db: MysqlBroker['database'],
  queue: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('celers_tasks')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('queue_name', '=', queue)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
