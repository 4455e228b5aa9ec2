import { CelersError } from './celers-error.js';
import type { CelersErrorCode } from './error-codes.js';

/** Turns anything thrown into an `Error`: a CelersError is kept, an Error is kept, anything else is wrapped. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error || CelersError.isInstance(value)) return value as Error;
  const text = typeof value === 'string' ? value : safeStringify(value);
  return new CelersError('INTERNAL', `Non-error thrown: ${text}`, { cause: value });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Turns anything thrown into a `CelersError`: a CelersError is kept; anything else (a TypeError from a bug, a
 * RangeError from a too-deep value, a non-error throw) becomes `code` (default `INTERNAL`) with the original
 * as `cause`, so callers only ever branch on `error.code`.
 */
export function asCelersError(value: unknown, code: CelersErrorCode = 'INTERNAL'): CelersError {
  if (CelersError.isInstance(value)) return value;
  const message =
    value instanceof Error ? `${value.name}: ${value.message}` : `Non-error thrown: ${safeStringify(value)}`;
  return new CelersError(code, message, { cause: value });
}
