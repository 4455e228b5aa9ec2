/**
 * Where the {@link Maintainer} writes one line per action. `console` fits, as do pino and winston loggers
 * (their `info(obj, msg)` order differs: wrap them in a small adapter if you want structured fields first).
 */
export interface MaintainerLogger {
  /** Optional: per-tick skips ("another host ran it") go here, so they do not flood `info`. */
  debug?(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
