import { MysqlBroker, type MysqlBrokerOptions } from '@celers/broker-mysql';

/** What every example gets: where the database is and which queue is its own. */
export interface ExampleContext {
  /** `CELERS_DATABASE_URL`. */
  readonly url: string;
  /** A queue only this example uses (`example_<name>`), emptied before and after the run. */
  readonly queue: string;
}

/** One runnable example. */
export type Example = (ctx: ExampleContext) => Promise<void>;

/** Tables scoped by `queue_name`: cleaning them all removes every trace of an example's queue. */
const QUEUE_TABLES = [
  'celers_live_tasks',
  'celers_finished_tasks',
  'celers_dead_letter_queue',
  'celers_task_results',
  'celers_task_history',
  'celers_task_idempotency',
  'celers_queue_config',
  'celers_worker_heartbeat',
  'celers_task_groups',
  'celers_recurring_tasks',
] as const;

/** Prints a section heading. */
export function section(title: string): void {
  console.log(`\n── ${title}`);
}

/** Prints an indented line of detail. */
export function info(text: string): void {
  console.log(`   ${text}`);
}

/**
 * Prints `✓ claim` when `condition` holds and throws otherwise: an example only claims what it observed, so
 * a behaviour change makes it (and the examples test) fail instead of printing a false line.
 */
export function check(condition: boolean, claim: string): void {
  if (!condition) throw new Error(`✗ ${claim}`);
  console.log(`✓ ${claim}`);
}

/**
 * Deletes every row of `queue` from every celers table, in one transaction that runs again on a lock conflict
 * (examples run side by side in the tests, and their queues share the tables' indexes).
 */
export async function cleanQueue(broker: MysqlBroker, queue = broker.queueName): Promise<void> {
  await broker.transaction(
    async (trx) => {
      for (const table of QUEUE_TABLES) await trx.deleteFrom(table).where('queue_name', '=', queue).execute();
    },
    { lockRetries: 3 },
  );
}

/**
 * Connects a broker on the example's queue (migrating if needed), starts from an empty queue, runs `fn`, then
 * cleans up and closes, whatever happens.
 */
export async function withBroker<T>(
  ctx: ExampleContext,
  fn: (broker: MysqlBroker) => Promise<T>,
  options: Omit<MysqlBrokerOptions, 'url' | 'database' | 'queue'> = {},
): Promise<T> {
  const broker = await MysqlBroker.connect({ url: ctx.url, queue: ctx.queue, migrate: true, ...options });
  try {
    await cleanQueue(broker);
    return await fn(broker);
  } finally {
    await cleanQueue(broker).catch(() => undefined);
    await broker.close();
  }
}
