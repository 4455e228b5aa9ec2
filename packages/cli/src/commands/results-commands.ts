import { assertTaskId, CelersError } from '@celers/core';
import type { Command } from 'commander';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import type { CliIo } from '../output/cli-output.js';
import { formatDetails } from '../output/format-table.js';

/** `celers results show <taskId>`: the stored Celery-style result of a task. */
export function registerResultsCommands(program: Command, io: CliIo): void {
  const results = program.command('results').description('stored task results');

  withCommonOptions(results.command('show <taskId>'))
    .description('show the stored result of a task (TASK_NOT_FOUND when none is stored)')
    .action(async (taskId: string, _opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const id = assertTaskId(taskId, 'taskId');
      const result = await withBroker(scope, (broker) => broker.results.get(id));
      if (!result)
        throw new CelersError(
          'TASK_NOT_FOUND',
          `no result stored for task ${id} in queue "${scope.globals.queue}"`,
        );
      scope.out.result(result, () => formatDetails(Object.entries(result)));
    });
}
