import type { CelersDatabase } from '@celers/schema';
import type { Kysely } from 'kysely';

/**
 * What the {@link Maintainer} needs from a broker: a `MysqlBroker` satisfies it. Written as an interface so
 * the maintainer depends on the facets' public methods only.
 */
export interface MaintenanceTarget {
  /** The queue whose tasks the jobs maintain. */
  readonly queueName: string;
  /** The database holding `celers_locks` (the leases). */
  readonly database: Kysely<CelersDatabase>;
  /** Returns tasks with expired leases or stale workers to pending. */
  recoverTimedOutTasks(): Promise<number>;
  readonly maintenance: {
    /** Deletes finished tasks that finished more than `olderThanMs` ago. */
    archiveCompleted(options: { olderThanMs: number }): Promise<number>;
    /** Deletes DLQ entries older than `olderThanMs`. */
    applyDlqRetention(options: { olderThanMs: number }): Promise<number>;
    /** Raises the priority of pending tasks older than `ageThresholdMs` by `priorityBoost`. */
    applyPriorityAging(options: { ageThresholdMs: number; priorityBoost: number }): Promise<number>;
    /** `ANALYZE TABLE` on every celers table; one outcome per table. */
    analyzeTables(): Promise<readonly unknown[]>;
    /** `OPTIMIZE TABLE` on every celers table; one outcome per table. */
    optimizeTables(): Promise<readonly unknown[]>;
  };
  readonly results: {
    /** Deletes finished results older than `olderThanMs`. */
    archive(options: { olderThanMs: number }): Promise<number>;
  };
  readonly idempotency: {
    /** Deletes expired idempotency keys. */
    cleanupExpired(): Promise<number>;
  };
  readonly workers: {
    /** Lists worker heartbeats, marking workers whose heartbeat is older than `staleAfterMs` offline. */
    heartbeats(options?: { staleAfterMs?: number }): Promise<ReadonlyArray<{ readonly stale: boolean }>>;
  };
}
