/**
 * Stable error codes carried by every {@link CelersError}. Callers branch on `error.code`, never on messages.
 * Append new codes; never rename one (it is part of the public contract).
 */
export const CelersErrorCode = {
  /** An argument failed validation; `error.argument` names it. Nothing was written. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The task id does not exist in this queue. */
  TASK_NOT_FOUND: 'TASK_NOT_FOUND',
  /** The receipt handle no longer owns the task (lease expired and the task was recovered or re-claimed). */
  STALE_RECEIPT: 'STALE_RECEIPT',
  /** The task is not in a state that allows the operation (e.g. acking a pending task). */
  INVALID_STATE: 'INVALID_STATE',
  /** The queue holds as many tasks as the caller's capacity limit allows. */
  QUEUE_FULL: 'QUEUE_FULL',
  /** The queue is in drain mode: it accepts no new tasks. */
  QUEUE_DRAINING: 'QUEUE_DRAINING',
  /** The circuit breaker is open: the call failed fast without touching the database. */
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  /** The payload exceeds the storage column's limit. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A task with this id (or key) already exists. */
  DUPLICATE_TASK: 'DUPLICATE_TASK',
  /** A lifecycle hook refused the operation. */
  HOOK_REJECTED: 'HOOK_REJECTED',
  /** The database could not be reached or dropped the connection. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /**
   * A statement ran past its timeout (`pool.statementTimeoutMs`): the server froze, a partition dropped its
   * answers, or a lock or a long scan held it. Its connection was closed, so the server rolled back any open
   * transaction; whether a single auto-committed write landed is unknown. Counts as unavailability for the
   * circuit breaker.
   */
  DATABASE_TIMEOUT: 'DATABASE_TIMEOUT',
  /** A statement failed for a reason other than availability (the driver error is the `cause`). */
  DATABASE_ERROR: 'DATABASE_ERROR',
  /** The database schema is missing migrations (or is ahead of this code). Run `celers migrate`. */
  MIGRATION_REQUIRED: 'MIGRATION_REQUIRED',
  /** The operation is not supported by this server flavour or configuration. */
  UNSUPPORTED: 'UNSUPPORTED',
  /** A resource (broker, worker) was used after `close()`. */
  CLOSED: 'CLOSED',
  /** A task ran past its timeout, or a wait (`results.wait`) ran out of time. */
  TIMEOUT: 'TIMEOUT',
  /** A waited-for task ended without success (FAILURE or REVOKED, failed, cancelled); `details` has its result. */
  TASK_FAILED: 'TASK_FAILED',
  /**
   * A stored row cannot be decoded (hand-edited, imported by an older version, or written by another tool):
   * e.g. a retry policy that is not a policy. Claims dead-letter such a task with this message instead of
   * failing for every consumer.
   */
  CORRUPT_DATA: 'CORRUPT_DATA',
  /** Anything else: a bug or an unexpected throw, normalized by `coerceError`. */
  INTERNAL: 'INTERNAL',
} as const;

/** One of the {@link CelersErrorCode} values. */
export type CelersErrorCode = (typeof CelersErrorCode)[keyof typeof CelersErrorCode];
