/** How long the process may linger after a command before it is forced to exit. */
export const FORCE_EXIT_AFTER_MS = 5_000;

/**
 * Sets the exit code and arms an unref'd timer that calls `process.exit` if something (a stuck pool, a
 * dangling socket) keeps the event loop alive after the command finished. A clean shutdown never waits for it.
 */
export function exitWhenIdle(code: number, afterMs = FORCE_EXIT_AFTER_MS): void {
  process.exitCode = code;
  setTimeout(() => {
    process.stderr.write(`celers: shutdown took longer than ${afterMs} ms; exiting\n`);
    process.exit(code);
  }, afterMs).unref();
}
