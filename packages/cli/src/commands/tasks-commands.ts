import { assertTaskId, CelersError } from '@celers/core';
import type { Command } from 'commander';
import { parseIntegerOption, parseStateOption } from '../internal/cli-options.js';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import { warnIfUnknownQueue } from '../internal/unknown-queue.js';
import type { CliIo } from '../output/cli-output.js';
import { formatDetails, formatTable } from '../output/format-table.js';
import { TASK_COLUMNS } from '../output/task-views.js';
import { selectTaskPayload } from '../queries/task-payload.sql.js';

interface ListOptions {
  state?: string;
  limit?: string;
  offset?: string;
}

/** `celers tasks list | show <id> | cancel <id…>`. */
export function registerTasksCommands(program: Command, io: CliIo): void {
  const tasks = program.command('tasks').description('inspect and cancel tasks');

  withCommonOptions(tasks.command('list'))
    .description('list tasks, newest first')
    .option(
      '-s, --state <state>',
      'only tasks in this state (pending, processing, completed, failed, cancelled)',
    )
    .option('-l, --limit <n>', 'rows to show', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .action(async (opts: ListOptions, command: Command) => {
      const scope = commandScope(command, io);
      const state = parseStateOption(opts.state);
      const limit = parseIntegerOption(opts.limit, '--limit', 1, 10_000);
      const offset = parseIntegerOption(opts.offset, '--offset', 0, Number.MAX_SAFE_INTEGER);
      const rows = await withBroker(scope, async (broker) => {
        const listed = await broker.tasks.list({
          ...(state ? { state } : {}),
          ...(limit ? { limit } : {}),
          ...(offset ? { offset } : {}),
        });
        if (listed.length === 0) await warnIfUnknownQueue(scope, broker);
        return listed;
      });
      scope.out.result(rows, () => formatTable(rows, TASK_COLUMNS));
    });

  withCommonOptions(tasks.command('show <taskId>'))
    .description('show one task (TASK_NOT_FOUND when it is not in the queue)')
    .action(async (taskId: string, _opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const id = assertTaskId(taskId, 'taskId');
      const shown = await withBroker(scope, async (broker) => {
        const [info, stored] = await Promise.all([broker.tasks.get(id), selectTaskPayload(broker, id)]);
        return info && stored ? { ...info, payload: printablePayload(stored.payload) } : null;
      });
      if (!shown)
        throw new CelersError(
          'TASK_NOT_FOUND',
          `task ${id} does not exist in queue "${scope.globals.queue}"`,
        );
      scope.out.result(shown, () => {
        const { payload, ...rest } = shown;
        return `${formatDetails(Object.entries(rest))}\npayload:\n${JSON.stringify(payload, null, 2)}`;
      });
    });

  withCommonOptions(tasks.command('cancel <taskIds...>'))
    .description('cancel pending or processing tasks')
    .action(async (taskIds: string[], _opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const ids = taskIds.map((t, i) => assertTaskId(t, `taskIds[${i}]`));
      const outcome = await withBroker(scope, async (broker) => {
        const cancelled: string[] = [];
        for (const id of ids) {
          if (await broker.cancel(id)) {
            cancelled.push(id);
            continue;
          }
          const info = await broker.tasks.get(id);
          if (!info)
            throw new CelersError(
              'TASK_NOT_FOUND',
              `task ${id} does not exist in queue "${scope.globals.queue}"`,
            );
          throw new CelersError(
            'INVALID_STATE',
            `task ${id} is ${info.state} and can no longer be cancelled`,
          );
        }
        return cancelled;
      });
      scope.out.result({ cancelled: outcome }, () => outcome.map((id) => `cancelled ${id}`).join('\n'));
    });
}

/** A payload as JSON can show it: raw bytes become their size and base64. */
function printablePayload(payload: unknown): unknown {
  if (!(payload instanceof Uint8Array)) return payload;
  return { bytes: payload.byteLength, base64: Buffer.from(payload).toString('base64') };
}
