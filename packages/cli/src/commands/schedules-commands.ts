import type { RecurringSchedule } from '@celers/broker-mysql';
import { assertName, CelersError } from '@celers/core';
import type { Command } from 'commander';
import { parseIntegerOption, parseJsonOption } from '../internal/cli-options.js';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import type { CliIo } from '../output/cli-output.js';
import { formatTable } from '../output/format-table.js';
import { describeRun, describeSchedule } from '../output/schedule-views.js';

interface AddOptions {
  task: string;
  every?: string;
  cron?: string;
  timezone?: string;
  payload?: string;
  priority?: string;
  disabled?: boolean;
}

const EVERY_UNITS = { s: 'seconds', m: 'minutes', h: 'hours' } as const;

/** Parses `--every 30s | 5m | 2h` or `--cron '<expr>'` (exactly one) into a schedule. */
export function parseScheduleOptions(every: string | undefined, cron: string | undefined): RecurringSchedule {
  if ((every === undefined) === (cron === undefined))
    throw CelersError.invalidArgument('--every', 'give exactly one of --every or --cron');
  if (cron !== undefined) return { kind: 'cron', expression: cron };
  const match = /^(\d+)([smh])$/.exec(every!.trim());
  if (!match)
    throw CelersError.invalidArgument(
      '--every',
      `expected a number and a unit, like 30s, 5m or 2h; got "${every}"`,
    );
  const unit = EVERY_UNITS[match[2] as keyof typeof EVERY_UNITS];
  return { kind: 'every', [unit]: Number(match[1]) } as RecurringSchedule;
}

/** `celers schedules list | add <name> --task <t> (--every 5m | --cron '…') | delete <name|id>`. */
export function registerSchedulesCommands(program: Command, io: CliIo): void {
  const schedules = program.command('schedules').description('recurring (interval and cron) tasks');

  withCommonOptions(schedules.command('list'))
    .description('list recurring tasks with their next run')
    .action(async (_opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const rows = await withBroker(scope, (broker) => broker.schedules.list());
      scope.out.result(rows, () =>
        formatTable(rows, [
          { header: 'ID', value: (r) => r.id },
          { header: 'NAME', value: (r) => r.name, maxWidth: 32 },
          { header: 'TASK', value: (r) => r.taskName, maxWidth: 32 },
          { header: 'SCHEDULE', value: (r) => describeSchedule(r.schedule, r.timezone), maxWidth: 48 },
          { header: 'ENABLED', value: (r) => r.enabled },
          { header: 'NEXT RUN', value: (r) => (r.enabled ? describeRun(r.nextRunAt) : '- (disabled)') },
          { header: 'LAST RUN', value: (r) => describeRun(r.lastRunAt) },
        ]),
      );
    });

  withCommonOptions(schedules.command('add <name>'))
    .description('register (or update) a recurring task')
    .requiredOption('-t, --task <taskName>', 'the task name each run enqueues')
    .option('--every <interval>', 'run every interval: 30s, 5m, 2h')
    .option('--cron <expression>', "run on a cron expression, e.g. '0 9 * * 1-5'")
    .option('--timezone <iana>', 'time zone of cron expressions', 'UTC')
    .option('--payload <json>', 'payload of every enqueued task', '{}')
    .option('--priority <n>', 'priority of the enqueued tasks')
    .option('--disabled', 'store it disabled')
    .action(async (name: string, opts: AddOptions, command: Command) => {
      const scope = commandScope(command, io);
      const schedule = parseScheduleOptions(opts.every, opts.cron);
      const payload = parseJsonOption(opts.payload ?? '{}', '--payload');
      const priority = parseIntegerOption(opts.priority, '--priority', -2_147_483_648, 2_147_483_647);
      const id = await withBroker(scope, (broker) =>
        broker.schedules.register({
          name,
          taskName: opts.task,
          payload,
          schedule,
          timezone: opts.timezone ?? 'UTC',
          ...(priority === undefined ? {} : { priority }),
          enabled: opts.disabled !== true,
        }),
      );
      scope.out.result({ id, name }, () => `registered schedule "${name}" (${id})`);
    });

  withCommonOptions(schedules.command('delete <nameOrId>'))
    .description('delete a recurring task by name or id')
    .action(async (nameOrId: string, _opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const key = assertName(nameOrId, 'nameOrId');
      const deleted = await withBroker(scope, async (broker) => {
        const match = (await broker.schedules.list()).find((s) => s.name === key || s.id === key);
        if (!match)
          throw new CelersError(
            'TASK_NOT_FOUND',
            `no schedule named "${key}" in queue "${scope.globals.queue}"`,
          );
        await broker.schedules.delete(match.id);
        return match;
      });
      scope.out.result(
        { deleted: deleted.id, name: deleted.name },
        () => `deleted schedule "${deleted.name}"`,
      );
    });
}
