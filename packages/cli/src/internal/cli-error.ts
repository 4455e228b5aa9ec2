import { CelersError, coerceError } from '@celers/core';

/** Exit code for a failed command (bad input, unreachable server, unknown id, ...). */
export const EXIT_FAILURE = 1;
/** Exit code for a usage error caught by the argument parser (unknown option, missing argument). */
export const EXIT_USAGE = 2;

/**
 * The single stderr line printed for an error: `celers: <code>: <message>`. Never a stack trace; the message
 * is collapsed to one line so scripts can `grep` it.
 */
export function formatCliError(error: unknown): string {
  const e = coerceError(error);
  const code = CelersError.isInstance(e) ? e.code : 'INTERNAL';
  const message = e.message.replace(/\s*\n\s*/g, ' ').trim();
  return `celers: ${code}: ${message}`;
}
