import type { Command } from 'commander';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import { warnIfUnknownQueue } from '../internal/unknown-queue.js';
import type { CliIo } from '../output/cli-output.js';
import { formatDetails } from '../output/format-table.js';

/** `celers status`: task counts by state, DLQ size, scheduled tasks, active workers, pause/drain flags. */
export function registerStatusCommand(program: Command, io: CliIo): void {
  withCommonOptions(program.command('status'))
    .description('queue statistics: counts by state, DLQ size, active workers, pause and drain flags')
    .action(async (_opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const status = await withBroker(scope, async (broker) => {
        const [tasks, paused, draining, workers] = await Promise.all([
          broker.tasks.statistics(),
          broker.isPaused(),
          broker.isDrainMode(),
          broker.workers.listActive(),
          warnIfUnknownQueue(scope, broker),
        ]);
        return { queue: broker.queueName, paused, draining, tasks, activeWorkers: workers };
      });
      scope.out.result(status, () =>
        formatDetails([
          ['queue', status.queue],
          ['paused', status.paused],
          ['draining', status.draining],
          ['pending', status.tasks.pending],
          ['  scheduled', status.tasks.scheduled],
          ['processing', status.tasks.processing],
          ['completed', status.tasks.completed],
          ['failed', status.tasks.failed],
          ['cancelled', status.tasks.cancelled],
          ['dead-lettered', status.tasks.deadLettered],
          ['dlq entries', status.tasks.dlq],
          ['total', status.tasks.total],
          ['active workers', status.activeWorkers.length ? status.activeWorkers.join(', ') : 'none'],
        ]),
      );
    });
}
