import { sql } from 'kysely';
import type { Executor } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';

/** Per-queue flags stored in `celers_queue_config` (seen by every broker instance on every host). */
export const QueueConfigKey = {
  Paused: 'paused',
  DrainMode: 'drain_mode',
} as const;
/** One of {@link QueueConfigKey}'s values, or a custom key (rate limits, ...). */
export type QueueConfigKey = (typeof QueueConfigKey)[keyof typeof QueueConfigKey] | (string & {});

/** Reads a config value; `null` when unset. @internal */
export async function getQueueConfig(
  db: Executor,
  queue: string,
  key: QueueConfigKey,
): Promise<string | null> {
  const row = await db
    .selectFrom('celers_queue_config')
    .select('config_value')
    .where('queue_name', '=', queue)
    .where('config_key', '=', key)
    .executeTakeFirst();
  return row?.config_value ?? null;
}

/** Writes a config value (upsert). @internal */
export async function setQueueConfig(
  db: Executor,
  queue: string,
  key: QueueConfigKey,
  value: string,
): Promise<void> {
  // VALUES(col) is accepted by MySQL 8.x (deprecated, still supported in 8.4) and MariaDB; MariaDB rejects
  // MySQL's `AS new` row alias, so this one form serves both.
  await db
    .insertInto('celers_queue_config')
    .values({ queue_name: queue, config_key: key, config_value: value, updated_at: dbNow() })
    .onDuplicateKeyUpdate({ config_value: sql`VALUES(config_value)`, updated_at: sql`VALUES(updated_at)` })
    .execute();
}

/** Reads a boolean flag (`'true'` ⇒ true). @internal */
export async function getQueueFlag(db: Executor, queue: string, key: QueueConfigKey): Promise<boolean> {
  return (await getQueueConfig(db, queue, key)) === 'true';
}

/** SQL condition true while `key` is set to 'true' for `queue` (to fold a flag check into another statement). */
export function queueFlagIsSet(queue: string, key: QueueConfigKey) {
  return sql<boolean>`EXISTS (SELECT 1 FROM celers_queue_config WHERE queue_name = ${queue} AND config_key = ${key} AND config_value = 'true')`;
}

/** Deletes every `celers_queue_config` row of `queue` (flags and custom keys); returns how many. */
export async function deleteQueueConfig(db: Executor, queue: string): Promise<number> {
  const r = await db.deleteFrom('celers_queue_config').where('queue_name', '=', queue).executeTakeFirst();
  return Number(r.numDeletedRows);
}
