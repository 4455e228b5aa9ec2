import { createTask } from '@celers/core';
import type { Command } from 'commander';
import { parseIntegerOption, parseJsonOption } from '../internal/cli-options.js';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import { durationOption } from '../internal/duration-option.js';
import type { CliIo } from '../output/cli-output.js';

interface EnqueueOptions {
  json?: string;
  priority?: string;
  delay?: string;
  delayMs?: string;
  maxRetries?: string;
}

/**
 * `celers enqueue <name> --json '{…}' [--priority n] [--delay 5m] [--max-retries n]`: prints the new
 * task id (here `--json` is the payload, so the output is always the bare id).
 */
export function registerEnqueueCommand(program: Command, io: CliIo): void {
  withCommonOptions(program.command('enqueue <name>'), { json: false })
    .description('enqueue one task with a JSON payload; prints its id')
    .option('--json <payload>', 'the task payload as JSON', '{}')
    .option('--priority <n>', 'higher runs first')
    .option('--delay <duration>', 'run no earlier than this long from now (30s, 5m, 1h30m)')
    .option('--delay-ms <ms>', 'the same in milliseconds (alias)')
    .option('--max-retries <n>', 'retries before the task goes to the DLQ')
    .action(async (name: string, opts: EnqueueOptions, command: Command) => {
      const scope = commandScope(command, io);
      const payload = parseJsonOption(opts.json ?? '{}', '--json');
      const priority = parseIntegerOption(opts.priority, '--priority', -2_147_483_648, 2_147_483_647);
      const delayMs = durationOption(opts.delay, opts.delayMs, '--delay');
      const maxRetries = parseIntegerOption(opts.maxRetries, '--max-retries', 0, 1_000);
      // The CLI enqueues arbitrary names, so the typed TaskRegistry cannot apply here.
      const task = createTask(name, payload as never, {
        ...(priority === undefined ? {} : { priority }),
        ...(maxRetries === undefined ? {} : { maxRetries }),
      });
      const id = await withBroker(scope, (broker) =>
        delayMs === undefined ? broker.enqueue(task) : broker.enqueueAfter(task, delayMs),
      );
      scope.out.result(id, () => id);
    });
}
