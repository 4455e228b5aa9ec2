import { type CelersDatabase, stateIs } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { toNumber } from '../internal/numbers.js';

/** The three queue gauges of one queue. */
export interface QueueGaugeValues {
  pending: number;
  processing: number;
  dlq: number;
}

/** Pending, processing and DLQ counts of one queue in one statement (three index-served subqueries). @internal */
export async function selectQueueGaugeValues(
  db: Kysely<CelersDatabase>,
  queue: string,
): Promise<QueueGaugeValues> {
  const count = (state: 'pending' | 'processing') =>
    db
      .selectFrom('celers_tasks')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('queue_name', '=', queue)
      .where(stateIs(state));
  const row = await db
    .selectNoFrom((eb) => [
      count('pending').as('pending'),
      count('processing').as('processing'),
      eb
        .selectFrom('celers_dead_letter_queue')
        .select(sql<number>`COUNT(*)`.as('n'))
        .where('queue_name', '=', queue)
        .as('dlq'),
    ])
    .executeTakeFirstOrThrow();
  return { pending: toNumber(row.pending), processing: toNumber(row.processing), dlq: toNumber(row.dlq) };
}
