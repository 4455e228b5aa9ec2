import type { MysqlBroker } from '@celers/broker-mysql';
import { assertName, CelersError } from '@celers/core';
import type { Command } from 'commander';
import { parseStateOption } from '../internal/cli-options.js';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import { confirmDestructive } from '../internal/confirm-prompt.js';
import { durationOption, formatDuration } from '../internal/duration-option.js';
import type { CliIo } from '../output/cli-output.js';
import { withProgress } from '../output/progress-indicator.js';

interface PurgeOptions {
  state?: string;
  taskName?: string;
  olderThan?: string;
  olderThanMs?: string;
  all?: boolean;
  yes?: boolean;
}

interface PurgePlan {
  describe: string;
  run: (broker: MysqlBroker) => Promise<number>;
  /** How many tasks it will delete, when one cheap count tells. */
  total?: (broker: MysqlBroker) => Promise<number>;
}

/** Turns the flags into one purge operation; exactly one selector (`--state`, `--task-name`, `--all`). */
function planPurge(opts: PurgeOptions, queue: string): PurgePlan {
  const state = parseStateOption(opts.state);
  const olderThanMs = durationOption(opts.olderThan, opts.olderThanMs, '--older-than');
  const taskName = opts.taskName === undefined ? undefined : assertName(opts.taskName, '--task-name');
  const selectors = [
    state !== undefined || olderThanMs !== undefined,
    taskName !== undefined,
    opts.all === true,
  ];
  if (selectors.filter(Boolean).length !== 1) {
    throw CelersError.invalidArgument(
      '--state',
      'give exactly one of --state (with optional --older-than), --task-name or --all',
    );
  }
  if (opts.all)
    return { describe: `delete EVERY task of queue "${queue}"`, run: (b) => b.maintenance.purgeAllTasks() };
  if (taskName !== undefined) {
    return {
      describe: `delete every "${taskName}" task of queue "${queue}"`,
      run: (b) => b.maintenance.purgeByTaskName(taskName),
    };
  }
  if (olderThanMs !== undefined) {
    const what = state ? `${state} tasks` : 'tasks';
    return {
      describe: `delete ${what} of queue "${queue}" created more than ${formatDuration(olderThanMs)} ago`,
      run: (b) => b.maintenance.deleteByCriteria({ ...(state ? { state } : {}), olderThanMs }),
    };
  }
  const s = state!;
  return {
    describe: `delete every ${s} task of queue "${queue}"`,
    run: (b) => b.maintenance.purgeByState(s),
    total: (b) => b.tasks.countByState(s),
  };
}

/**
 * `celers purge --state <s> [--older-than 7d] | --task-name <n> | --all [--yes]`: asks for confirmation on a
 * terminal, refuses without one unless `--yes`.
 */
export function registerPurgeCommand(program: Command, io: CliIo): void {
  withCommonOptions(program.command('purge'))
    .description('delete tasks by state, age or name (asks for confirmation unless --yes)')
    .option('-s, --state <state>', 'only tasks in this state')
    .option('--older-than <duration>', 'only tasks created more than this long ago (7d, 90m, 1h30m)')
    .option('--older-than-ms <ms>', 'the same in milliseconds (alias)')
    .option('--task-name <name>', 'every task with this name')
    .option('--all', 'every task of the queue')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (opts: PurgeOptions, command: Command) => {
      const scope = commandScope(command, io);
      const plan = planPurge(opts, scope.globals.queue);
      if (!(await confirmDestructive(io, plan.describe, opts.yes === true))) {
        scope.out.note('aborted');
        return;
      }
      const deleted = await withBroker(scope, (broker) =>
        withProgress('purging', io.stderr, async (progress) => {
          if (plan.total) progress.setTotal(await plan.total(broker));
          return plan.run(broker);
        }),
      );
      scope.out.result({ deleted }, () => `deleted ${deleted} task(s)`);
    });
}
