import { CelersError } from '@celers/core';
import { STATEMENT_TIMEOUT_CODE } from './guarded-connection.js';

/** MySQL/MariaDB error numbers celers reacts to, in one table. */
export const MYSQL_ERRNO = {
  DUPLICATE_ENTRY: 1062,
  LOCK_WAIT_TIMEOUT: 1205,
  DEADLOCK: 1213,
  NO_SUCH_TABLE: 1146,
  BAD_FIELD: 1054,
  ACCESS_DENIED: 1045,
  UNKNOWN_DATABASE: 1049,
  TOO_MANY_CONNECTIONS: 1040,
  SERVER_SHUTDOWN: 1053,
  QUERY_INTERRUPTED: 1317,
  READ_ONLY: 1290,
  CONNECTION_KILLED: 1927,
} as const;

/** Errors worth retrying: the statement (or transaction) was rolled back and can run again. */
const RETRYABLE_LOCK_ERRNOS = new Set<number>([MYSQL_ERRNO.DEADLOCK, MYSQL_ERRNO.LOCK_WAIT_TIMEOUT]);

/** Errors meaning the server is unreachable or refused us: these count for the circuit breaker. */
const UNAVAILABLE_ERRNOS = new Set<number>([
  MYSQL_ERRNO.TOO_MANY_CONNECTIONS,
  MYSQL_ERRNO.SERVER_SHUTDOWN,
  MYSQL_ERRNO.CONNECTION_KILLED,
  MYSQL_ERRNO.READ_ONLY,
]);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'POOL_CLOSED',
  'CELERS_ACQUIRE_TIMEOUT',
]);
/** Statement timeouts: ours (the connection was destroyed) and mysql2's own, should one reach us. */
const TIMEOUT_CODES = new Set([STATEMENT_TIMEOUT_CODE, 'PROTOCOL_SEQUENCE_TIMEOUT']);

interface DriverError {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  message?: string;
}

function asDriverError(error: unknown): DriverError {
  return typeof error === 'object' && error !== null ? (error as DriverError) : {};
}

/**
 * True for deadlock (1213) and lock wait timeout (1205), which are safe to retry for repeatable work: the driver
 * error itself, or the `DATABASE_ERROR` CelersError a broker operation wrapped it in (its `cause`).
 */
export function isRetryableLockError(error: unknown): boolean {
  const driverError = CelersError.isInstance(error) ? error.cause : error;
  const e = asDriverError(driverError);
  return e.errno !== undefined && RETRYABLE_LOCK_ERRNOS.has(e.errno);
}

/** True for a duplicate-key error (1062). */
export function isDuplicateKeyError(error: unknown): boolean {
  return asDriverError(error).errno === MYSQL_ERRNO.DUPLICATE_ENTRY;
}

/** True for a statement that ran past its timeout (`DATABASE_TIMEOUT`, or the driver error behind it). */
export function isTimeoutError(error: unknown): boolean {
  if (CelersError.isInstance(error)) return error.code === 'DATABASE_TIMEOUT';
  const code = asDriverError(error).code;
  return code !== undefined && TIMEOUT_CODES.has(code);
}

/**
 * True when the error means the database is unreachable (connection refused, lost, pool exhausted, a
 * statement timed out, ...): what the circuit breaker counts.
 */
export function isUnavailableError(error: unknown): boolean {
  if (CelersError.isInstance(error))
    return error.code === 'DATABASE_UNAVAILABLE' || error.code === 'DATABASE_TIMEOUT';
  const e = asDriverError(error);
  return (
    (e.errno !== undefined && UNAVAILABLE_ERRNOS.has(e.errno)) ||
    (e.code !== undefined && (UNAVAILABLE_CODES.has(e.code) || TIMEOUT_CODES.has(e.code)))
  );
}

/**
 * Maps a driver error to a CelersError (the driver error becomes `cause`): statement timeout →
 * `DATABASE_TIMEOUT`, unreachable server → `DATABASE_UNAVAILABLE`, missing table → `MIGRATION_REQUIRED`, anything else → `DATABASE_ERROR`.
 * A CelersError passes through unchanged.
 */
export function toCelersError(error: unknown, operation: string): CelersError {
  if (CelersError.isInstance(error)) return error;
  const e = asDriverError(error);
  const detail = e.sqlMessage ?? e.message ?? String(error);
  if (isTimeoutError(error)) {
    return new CelersError('DATABASE_TIMEOUT', `${operation}: ${detail}`, { cause: error });
  }
  if (isUnavailableError(error)) {
    return new CelersError(
      'DATABASE_UNAVAILABLE',
      `${operation}: database unavailable (${e.code ?? e.errno}: ${detail})`,
      {
        cause: error,
      },
    );
  }
  if (e.errno === MYSQL_ERRNO.NO_SUCH_TABLE || e.errno === MYSQL_ERRNO.BAD_FIELD) {
    return new CelersError(
      'MIGRATION_REQUIRED',
      `${operation}: ${detail}. Run \`celers migrate\` or call migrate(db).`,
      {
        cause: error,
      },
    );
  }
  return new CelersError('DATABASE_ERROR', `${operation}: ${detail}`, { cause: error });
}
