import { CelersError } from '@celers/core';

/** Largest value of a MySQL `TEXT` column, in bytes (error messages, tracebacks). */
export const MAX_TEXT_BYTES = 65_535;

/**
 * Asserts a string that fits a `TEXT` column (at most {@link MAX_TEXT_BYTES} UTF-8 bytes), or `null`/`undefined`
 * when `nullable`. Returns the string or `null`.
 * @internal
 */
export function assertText(value: unknown, argument: string, nullable = true): string | null {
  if (value === null || value === undefined) {
    if (nullable) return null;
    throw CelersError.invalidArgument(argument, 'expected a string');
  }
  if (typeof value !== 'string')
    throw CelersError.invalidArgument(argument, `expected a string, got ${typeof value}`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_TEXT_BYTES)
    throw CelersError.invalidArgument(argument, `at most ${MAX_TEXT_BYTES} UTF-8 bytes, got ${bytes}`);
  return value;
}
