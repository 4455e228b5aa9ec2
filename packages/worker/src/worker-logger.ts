/** Structured fields attached to a log line (task id, worker id, counts, ...). */
export type LogFields = Record<string, unknown>;

/**
 * The logger a worker writes to, and hands to handlers as `ctx.log` (bound to the task's id and name).
 * Shaped like pino/bunyan's leveled methods so either can be passed through a one-line adapter.
 *
 * @example
 * ```ts
 * const logger: WorkerLogger = {
 *   debug: () => {},
 *   info: (msg, fields) => console.log(msg, fields),
 *   warn: (msg, fields) => console.warn(msg, fields),
 *   error: (msg, fields) => console.error(msg, fields),
 * };
 * ```
 */
export interface WorkerLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Writes warnings and errors to the console and drops debug/info: quiet by default, loud when it matters. */
export const consoleWarnLogger: WorkerLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, fields?: LogFields) => console.warn(`[celers-worker] ${message}`, fields ?? ''),
  error: (message: string, fields?: LogFields) => console.error(`[celers-worker] ${message}`, fields ?? ''),
});

/** Discards everything (for tests and embedders that log through events instead). */
export const silentLogger: WorkerLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

/** A logger that adds `bound` fields to every line (how `ctx.log` carries the task id). @internal */
export function bindLogger(logger: WorkerLogger, bound: LogFields): WorkerLogger {
  return {
    debug: (message, fields) => logger.debug(message, { ...bound, ...fields }),
    info: (message, fields) => logger.info(message, { ...bound, ...fields }),
    warn: (message, fields) => logger.warn(message, { ...bound, ...fields }),
    error: (message, fields) => logger.error(message, { ...bound, ...fields }),
  };
}
