import type { CelersErrorCode } from './error-codes.js';

const marker = Symbol.for('celers.error');

/** Options for {@link CelersError}. */
export interface CelersErrorOptions {
  /** The underlying error (a driver error, a hook's throw, ...). */
  cause?: unknown;
  /** For `INVALID_ARGUMENT`: the name of the offending argument, e.g. `"taskId"` or `"options.limit"`. */
  argument?: string;
  /** Extra structured facts (ids, limits) for logs. */
  details?: Record<string, unknown>;
}

/**
 * The one error class celers throws. Branch on {@link CelersError.code}.
 *
 * @example
 * ```ts
 * try { await broker.ack(taskId, receiptHandle); }
 * catch (e) { if (CelersError.isInstance(e) && e.code === 'STALE_RECEIPT') console.warn('lease lost'); }
 * ```
 */
export class CelersError extends Error {
  readonly [marker] = true;
  override readonly name = 'CelersError';
  readonly code: CelersErrorCode;
  readonly argument: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: CelersErrorCode, message: string, options: CelersErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.argument = options.argument;
    this.details = options.details;
  }

  /** True for any CelersError, even one created by a second installed copy of `@celers/core`. */
  static isInstance(value: unknown): value is CelersError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** Shorthand for an `INVALID_ARGUMENT` error naming `argument`. */
  static invalidArgument(argument: string, message: string, details?: Record<string, unknown>): CelersError {
    return new CelersError('INVALID_ARGUMENT', `Invalid argument "${argument}": ${message}`, {
      argument,
      details,
    });
  }
}

/** True when `value` is a CelersError with the given code. */
export function isCelersError(value: unknown, code?: CelersErrorCode): value is CelersError {
  return CelersError.isInstance(value) && (code === undefined || value.code === code);
}
