import { assertQueueName } from '@celers/core';
import { type CelersDatabase, toCelersError } from '@celers/schema';
import type { Kysely } from 'kysely';
import { getQueueFlag, QueueConfigKey } from '../queue/queue-config.sql.js';
import type { QueueStatistics } from './statistics-types.js';
import { readQueueStatistics } from './task-statistics.sql.js';

/** What {@link readQueueState} returns: a queue's counts and control flags. */
export interface QueueStateReading {
  /** As `broker.tasks.statistics()`. */
  stats: QueueStatistics;
  /** As `broker.isPaused()`. */
  paused: boolean;
  /** As `broker.isDrainMode()`. */
  draining: boolean;
}

/**
 * A queue's counts and pause/drain flags over any Kysely made by `createDatabase`, a read replica's included
 * (where `MysqlBroker.connect` refuses to open): the statements of `broker.tasks.statistics()`,
 * `broker.isPaused()` and `broker.isDrainMode()`, reads only. Driver errors are mapped as the broker maps them
 * (`DATABASE_UNAVAILABLE`, ...); a bad queue name is `INVALID_ARGUMENT` (argument `queue`).
 *
 * @example
 * ```ts
 * const replica = createDatabase(process.env.CELERS_REPLICA_URL!);
 * const { stats, paused } = await readQueueState(replica, 'emails');
 * ```
 */
export async function readQueueState(db: Kysely<CelersDatabase>, queue: string): Promise<QueueStateReading> {
  const name = assertQueueName(queue, 'queue');
  try {
    const [stats, paused, draining] = await Promise.all([
      readQueueStatistics(db, name),
      getQueueFlag(db, name, QueueConfigKey.Paused),
      getQueueFlag(db, name, QueueConfigKey.DrainMode),
    ]);
    return { stats, paused, draining };
  } catch (error) {
    throw toCelersError(error, 'readQueueState');
  }
}
