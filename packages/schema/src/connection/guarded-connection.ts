import type { MysqlPoolConnection, MysqlQueryResult } from 'kysely';
import type { PoolConnection } from 'mysql2';
import type { DeadlineWatch } from './deadline-watch.js';

/** Error code of a statement that ran past its timeout (its connection was destroyed). */
export const STATEMENT_TIMEOUT_CODE = 'CELERS_STATEMENT_TIMEOUT';

/** Per-statement time limits, in ms. */
export interface StatementTimeouts {
  /** Every statement but the long-running kinds below. */
  readonly statementTimeoutMs: number;
  /** DDL, OPTIMIZE/ANALYZE TABLE and the migrator's GET_LOCK wait: their time grows with table size. */
  readonly maintenanceStatementTimeoutMs: number;
}

// Whole-table statements whose duration scales with the data, not with one call's rows. Purges and
// retention delete in bounded chunks, so they stay under the ordinary statement timeout.
const LONG_RUNNING_STATEMENT = /^\s*(?:optimize|analyze|alter|create|drop|truncate|select get_lock\()/i;

/** The timeout that applies to `sqlText`. @internal */
export function statementTimeoutFor(sqlText: string, timeouts: StatementTimeouts): number {
  return LONG_RUNNING_STATEMENT.test(sqlText)
    ? timeouts.maintenanceStatementTimeoutMs
    : timeouts.statementTimeoutMs;
}

type QueryCallback = (error: unknown, result: MysqlQueryResult) => void;

/**
 * The connection kysely talks to: every statement gets a timeout, and a connection that timed out or hit a
 * fatal error is destroyed at once, so it is never handed back to the pool with a statement still running
 * (or a protocol left half-read). After that, `rollback` succeeds without I/O (the server rolls back when the
 * connection closes) so the original error reaches the caller, and any other statement fails with it.
 * Timeouts are watched by the pool's shared {@link DeadlineWatch}, not by a timer per statement.
 * @internal
 */
export class GuardedConnection implements MysqlPoolConnection {
  readonly #raw: PoolConnection;
  readonly #timeouts: StatementTimeouts;
  readonly #watch: DeadlineWatch;
  #brokenBy: Error | undefined;

  constructor(raw: PoolConnection, timeouts: StatementTimeouts, watch: DeadlineWatch) {
    this.#raw = raw;
    this.#timeouts = timeouts;
    this.#watch = watch;
  }

  query(sqlText: string, parameters: unknown[]): ReturnType<PoolConnection['query']>;
  query(sqlText: string, parameters: unknown[], callback: QueryCallback): void;
  query(sqlText: string, parameters: unknown[], callback?: QueryCallback) {
    const timeout = statementTimeoutFor(sqlText, this.#timeouts);
    if (!callback) {
      const query = this.#raw.query({ sql: sqlText, timeout }, parameters);
      query.once('error', (error: unknown) => this.#failed(error, timeout));
      return query;
    }
    const broken = this.#brokenBy;
    if (broken) {
      const rollback = /^\s*rollback\s*$/i.test(sqlText);
      process.nextTick(() => (rollback ? callback(null, []) : callback(broken, [])));
      return;
    }
    let settled = false;
    const cancel = this.#watch.watch(timeout, () => {
      settled = true;
      callback(this.#timedOut(timeout), []);
    });
    this.#raw.query(sqlText, parameters, (error: unknown, result: unknown) => {
      if (settled) return; // timed out: the caller already has the error, the connection is gone
      settled = true;
      cancel();
      callback(error ? this.#failed(error, timeout) : null, result as MysqlQueryResult);
    });
  }

  release(): void {
    this.#raw.release();
  }

  /** Destroys the connection when `error` left it unusable; returns the error to report. */
  #failed(error: unknown, timeout: number): unknown {
    const e = error as { code?: unknown; fatal?: unknown };
    if (e?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') return this.#timedOut(timeout, error);
    if (e?.fatal === true) {
      this.#brokenBy = error instanceof Error ? error : new Error(String(error));
      this.#raw.destroy();
    }
    return error;
  }

  /** Marks the connection broken by a statement past its timeout and destroys it; returns the error to report. */
  #timedOut(timeout: number, cause?: unknown): Error {
    this.#brokenBy = Object.assign(
      new Error(`Statement timed out after ${timeout} ms; its connection was closed`),
      { code: STATEMENT_TIMEOUT_CODE, fatal: true, cause },
    );
    this.#raw.destroy();
    return this.#brokenBy;
  }
}
