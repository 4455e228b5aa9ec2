import { CelersError, hasLoneSurrogate } from '@celers/core';

/** Largest value of a MySQL `TEXT` column, in bytes (error messages, tracebacks). */
export const MAX_TEXT_BYTES = 65_535;

/**
 * Asserts a string that fits a `TEXT` column (at most {@link MAX_TEXT_BYTES} UTF-8 bytes, no lone surrogates), or `null`/`undefined`
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
  // utf8mb4 cannot hold a lone surrogate: the server would store U+FFFD instead of what was given.
  if (hasLoneSurrogate(value))
    throw CelersError.invalidArgument(argument, 'must not contain lone UTF-16 surrogates');
  return value;
}

/**
 * Cuts `value` to at most `maxBytes` UTF-8 bytes on a character boundary (for free-form error text that is
 * stored rather than rejected: a worker's error message must never make its reject fail).
 * @internal
 */
export function truncateUtf8(value: string, maxBytes = MAX_TEXT_BYTES): string {
  if (value.length * 3 <= maxBytes || Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  const bytes = Buffer.from(value, 'utf8');
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
