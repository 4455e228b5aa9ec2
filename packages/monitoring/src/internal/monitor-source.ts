import { assertQueueName, CelersError } from '@celers/core';
import type { CelersDatabase } from '@celers/schema';
import type { Kysely } from 'kysely';

/** What a broker exposes that the monitors read (a `MysqlBroker` satisfies it). */
export interface MonitoredBroker {
  /** The broker's Kysely instance. */
  readonly database: Kysely<CelersDatabase>;
  /** The broker's queue. */
  readonly queueName: string;
}

/** A database and queue to read, e.g. a Kysely over a read replica's URL. */
export interface MonitorDatabaseSource {
  /** A Kysely over the celers tables (from `createDatabase`). */
  database: Kysely<CelersDatabase>;
  /** The queue to report on. */
  queue: string;
}

/** Either a broker or an explicit `{ database, queue }`. */
export type MonitorSource = MonitoredBroker | MonitorDatabaseSource;

/** The resolved database and queue. @internal */
export interface ResolvedSource {
  readonly db: Kysely<CelersDatabase>;
  readonly queue: string;
}

/** Validates a monitor source and returns its database and queue. @internal */
export function resolveSource(source: unknown, argument = 'source'): ResolvedSource {
  if (typeof source !== 'object' || source === null) {
    throw CelersError.invalidArgument(argument, 'expected a MysqlBroker or { database, queue }');
  }
  const candidate = source as Partial<MonitoredBroker & MonitorDatabaseSource>;
  const db = candidate.database;
  if (
    typeof db !== 'object' ||
    db === null ||
    typeof (db as { selectFrom?: unknown }).selectFrom !== 'function'
  ) {
    throw CelersError.invalidArgument(`${argument}.database`, 'expected a Kysely instance');
  }
  const queue =
    typeof candidate.queueName === 'string'
      ? assertQueueName(candidate.queueName, `${argument}.queueName`)
      : assertQueueName(candidate.queue, `${argument}.queue`);
  return Object.freeze({ db, queue });
}
