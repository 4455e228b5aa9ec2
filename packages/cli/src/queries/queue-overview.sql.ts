// What `celers queues` and the unknown-queue warning read: every queue that has tasks, DLQ entries or
// settings, with its task counts per state. Read-only GROUP BYs over indexes that start with `queue_name`.
import type { MysqlBroker } from '@celers/broker-mysql';
import { publicTaskState } from '@celers/schema';

/** The broker's kysely handle on the celers tables. */
type CelersDb = MysqlBroker['database'];

/** Most queues `celers queues` lists (a guard against a table full of one-off queues). */
export const MAX_LISTED_QUEUES = 500;

/** One queue: its task counts per state (states without tasks are 0) and its DLQ size. */
export interface QueueOverview {
  queue: string;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  deadLettered: number;
  dlq: number;
  total: number;
}

const STATE_FIELDS = {
  pending: 'pending',
  processing: 'processing',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  dead_lettered: 'deadLettered',
} as const;

/** Every known queue with its counts, sorted by name. */
export async function selectQueueOverview(db: CelersDb): Promise<QueueOverview[]> {
  const [states, dlq, configured] = await Promise.all([
    db
      .selectFrom('celers_tasks')
      .select(['queue_name', 'state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(['queue_name', 'state'])
      .execute(),
    db
      .selectFrom('celers_dead_letter_queue')
      .select(['queue_name', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('queue_name')
      .execute(),
    db.selectFrom('celers_queue_config').select('queue_name').distinct().execute(),
  ]);
  const byName = new Map<string, QueueOverview>();
  const entry = (queue: string): QueueOverview => {
    let found = byName.get(queue);
    if (!found) {
      found = {
        queue,
        pending: 0,
        processing: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
        deadLettered: 0,
        dlq: 0,
        total: 0,
      };
      byName.set(queue, found);
    }
    return found;
  };
  for (const row of states) {
    const queue = entry(row.queue_name);
    const field = STATE_FIELDS[publicTaskState(row.state) as keyof typeof STATE_FIELDS];
    const n = Number(row.n);
    if (field) queue[field] += n;
    queue.total += n;
  }
  for (const row of dlq) entry(row.queue_name).dlq = Number(row.n);
  for (const row of configured) entry(row.queue_name);
  return [...byName.values()]
    .sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0))
    .slice(0, MAX_LISTED_QUEUES);
}

/** True when `queue` has a task, a DLQ entry or a setting. Three indexed existence checks. */
export async function queueExists(db: CelersDb, queue: string): Promise<boolean> {
  const found = await Promise.all(
    (['celers_tasks', 'celers_dead_letter_queue', 'celers_queue_config'] as const).map((table) =>
      db.selectFrom(table).select('queue_name').where('queue_name', '=', queue).limit(1).executeTakeFirst(),
    ),
  );
  return found.some((row) => row !== undefined);
}
