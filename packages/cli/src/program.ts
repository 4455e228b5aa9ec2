import { Command } from 'commander';
import { registerDlqCommands } from './commands/dlq-commands.js';
import { registerEnqueueCommand } from './commands/enqueue-command.js';
import { registerMigrateCommands } from './commands/migrate-commands.js';
import { registerPurgeCommand } from './commands/purge-command.js';
import { registerQueueControlCommands } from './commands/queue-control-commands.js';
import { registerQueuesCommand } from './commands/queues-command.js';
import { registerResultsCommands } from './commands/results-commands.js';
import { registerSchedulesCommands } from './commands/schedules-commands.js';
import { registerStatusCommand } from './commands/status-command.js';
import { registerTasksCommands } from './commands/tasks-commands.js';
import { registerTransferCommands } from './commands/transfer-commands.js';
import { registerWorkerCommand } from './commands/worker-command.js';
import { registerWorkersCommand } from './commands/workers-command.js';
import type { CliIo } from './output/cli-output.js';

/** The CLI's version, printed by `celers --version`. */
export const CLI_VERSION = '0.1.0';

/**
 * Builds the `celers` command tree. Parsing is strict (unknown options and extra arguments are errors), and
 * the parser's own errors are routed through `onUsageError` so they print as one `celers:` line.
 */
export function createProgram(io: CliIo, onUsageError: (message: string) => void): Command {
  const program = new Command('celers')
    .description('celers: operate a MySQL-backed task queue')
    .version(CLI_VERSION)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text) => onUsageError(text.replace(/^error: /, '').trim()),
    })
    .exitOverride();
  registerMigrateCommands(program, io);
  registerStatusCommand(program, io);
  registerQueuesCommand(program, io);
  registerTasksCommands(program, io);
  registerDlqCommands(program, io);
  registerResultsCommands(program, io);
  registerPurgeCommand(program, io);
  registerQueueControlCommands(program, io);
  registerWorkersCommand(program, io);
  registerSchedulesCommands(program, io);
  registerTransferCommands(program, io);
  registerEnqueueCommand(program, io);
  registerWorkerCommand(program, io);
  // exitOverride and output settings are inherited only by commands created after them: apply to all.
  for (const command of allCommands(program)) {
    command.exitOverride().configureOutput(program.configureOutput()).allowExcessArguments(false);
  }
  return program;
}

function* allCommands(command: Command): Generator<Command> {
  for (const sub of command.commands) {
    yield sub;
    yield* allCommands(sub);
  }
}
