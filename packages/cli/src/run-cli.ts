import { isCelersError } from '@celers/core';
import { toCelersError } from '@celers/schema';
import { CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, formatCliError } from './internal/cli-error.js';
import { exitWhenIdle } from './internal/force-exit.js';
import { type CliIo, processIo } from './output/cli-output.js';
import { createProgram } from './program.js';

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Streams and environment. @defaultValue the process's own */
  io?: CliIo;
  /** Set `process.exitCode` and force-exit if shutdown hangs (the `celers` binary does). @defaultValue false */
  exit?: boolean;
}

/**
 * Runs the `celers` command line with `argv` (without `node` and the script path) and resolves to the exit
 * code. Errors print as one line, `celers: <CODE>: <message>`, on stderr: never a stack trace.
 *
 * @example
 * ```ts
 * const code = await runCli(['status', '--json', '--url', 'mysql://root@127.0.0.1:3306/app']);
 * ```
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const program = createProgram(io, (message) => io.stderr.write(`celers: INVALID_ARGUMENT: ${message}\n`));
  let code = 0;
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    code = exitCodeFor(error, io);
  }
  if (options.exit) exitWhenIdle(code);
  return code;
}

function exitCodeFor(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Help and version "errors" are successful exits; the parser already printed its message.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  const mapped = isCelersError(error) ? error : toCelersError(error, 'celers');
  io.stderr.write(`${formatCliError(mapped)}\n`);
  return EXIT_FAILURE;
}
