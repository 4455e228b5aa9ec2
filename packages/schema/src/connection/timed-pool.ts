import type { MysqlPool, MysqlPoolConnection } from 'kysely';
import type { PoolConnection } from 'mysql2';
import { DeadlineWatch } from './deadline-watch.js';
import type { ConnectionSource } from './failover-pool.js';
import { GuardedConnection } from './guarded-connection.js';
import type { ResolvedPoolConfig } from './pool-config.js';

// mysql2's pool has neither an acquire timeout, a maximum connection lifetime (both in the seed's
// PoolConfig) nor a statement timeout that closes the connection. This adapter adds them in front of the pool
// kysely talks to, watching both timeouts on one shared timer (deadline-watch.ts).

/** Error code of a connection acquire that timed out. */
export const ACQUIRE_TIMEOUT_CODE = 'CELERS_ACQUIRE_TIMEOUT';

/** The kysely pool interface backed by a mysql2 pool (or one per host), with acquire timeout, max lifetime and statement timeouts. */
export class TimedPool implements MysqlPool {
  readonly #pool: ConnectionSource;
  readonly #config: ResolvedPoolConfig;
  readonly #bornAt = new WeakMap<object, number>();
  // One wrapper per raw connection: kysely runs onCreateConnection for every connection object it has not seen.
  readonly #guarded = new WeakMap<PoolConnection, GuardedConnection>();
  // Acquire and statement deadlines, all on one timer (a timer each cost ~25 µs per query).
  readonly #watch: DeadlineWatch;

  constructor(pool: ConnectionSource, config: ResolvedPoolConfig) {
    this.#pool = pool;
    this.#config = config;
    this.#watch = new DeadlineWatch(
      DeadlineWatch.tickFor(Math.min(config.acquireTimeoutMs, config.statementTimeoutMs)),
    );
    pool.on('connection', (connection) => this.#bornAt.set(connection, Date.now()));
  }

  getConnection(callback: (error: unknown, connection: MysqlPoolConnection) => void): void {
    this.#acquire(Date.now() + this.#config.acquireTimeoutMs, callback);
  }

  /** Takes a connection from the pool, failing with {@link ACQUIRE_TIMEOUT_CODE} once `deadline` passed. */
  #acquire(deadline: number, callback: (error: unknown, connection: MysqlPoolConnection) => void): void {
    let settled = false;
    const waitMs = Math.max(0, deadline - Date.now());
    const cancel = this.#watch.watch(waitMs, () => {
      settled = true;
      const error = Object.assign(
        new Error(`Timed out after ${this.#config.acquireTimeoutMs} ms waiting for a database connection`),
        { code: ACQUIRE_TIMEOUT_CODE },
      );
      callback(error, undefined as unknown as MysqlPoolConnection);
    });
    this.#pool.getConnection((error, connection: PoolConnection) => {
      if (settled) {
        if (!error) connection.release(); // the caller gave up; hand it back
        return;
      }
      settled = true;
      cancel();
      if (error) {
        callback(error, undefined as unknown as MysqlPoolConnection);
        return;
      }
      const born = this.#bornAt.get(connection) ?? Date.now();
      if (Date.now() - born > this.#config.maxLifetimeMs) {
        // Too old: close it and try again within the same acquire deadline.
        connection.destroy();
        this.#acquire(deadline, callback);
        return;
      }
      callback(null, this.#guard(connection));
    });
  }

  #guard(connection: PoolConnection): MysqlPoolConnection {
    let guarded = this.#guarded.get(connection);
    if (!guarded) {
      guarded = new GuardedConnection(connection, this.#config, this.#watch);
      this.#guarded.set(connection, guarded);
    }
    return guarded;
  }

  end(callback: (error: unknown) => void): void {
    this.#pool.end(callback);
  }
}
