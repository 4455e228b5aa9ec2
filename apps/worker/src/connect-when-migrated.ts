import { setTimeout as delay } from 'node:timers/promises';
import { MysqlBroker, type MysqlBrokerOptions } from '@celers/broker-mysql';
import { isCelersError } from '@celers/core';

/**
 * Connects, waiting while the schema is not migrated yet or the server is still starting (the producer or
 * the compose `migrate` service does the migration), up to `timeoutMs`.
 */
export async function connectWhenMigrated(
  options: MysqlBrokerOptions,
  timeoutMs = 120_000,
): Promise<MysqlBroker> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await MysqlBroker.connect(options);
    } catch (error) {
      const retryable =
        isCelersError(error, 'MIGRATION_REQUIRED') || isCelersError(error, 'DATABASE_UNAVAILABLE');
      if (!retryable || Date.now() + wait > deadline) throw error;
      console.log(`[worker] waiting for the database (${(error as Error).message.split('.')[0]})`);
      await delay(wait);
    }
  }
}
