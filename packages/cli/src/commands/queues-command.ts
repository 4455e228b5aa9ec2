import type { Command } from 'commander';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import type { CliIo } from '../output/cli-output.js';
import { formatTable } from '../output/format-table.js';
import { selectQueueOverview } from '../queries/queue-overview.sql.js';

/** `celers queues`: every queue with tasks, DLQ entries or settings, and its task counts per state. */
export function registerQueuesCommand(program: Command, io: CliIo): void {
  withCommonOptions(program.command('queues'))
    .description('list the queues that have tasks, DLQ entries or settings, with counts per state')
    .action(async (_opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const queues = await withBroker(scope, (broker) => selectQueueOverview(broker.database));
      scope.out.result(queues, () =>
        queues.length === 0
          ? 'no queues yet (enqueue a task first)'
          : formatTable(queues, [
              { header: 'QUEUE', value: (q) => q.queue, maxWidth: 40 },
              { header: 'PENDING', value: (q) => q.pending },
              { header: 'PROCESSING', value: (q) => q.processing },
              { header: 'COMPLETED', value: (q) => q.completed },
              { header: 'FAILED', value: (q) => q.failed },
              { header: 'CANCELLED', value: (q) => q.cancelled },
              { header: 'DEAD', value: (q) => q.deadLettered },
              { header: 'DLQ', value: (q) => q.dlq },
              { header: 'TOTAL', value: (q) => q.total },
            ]),
      );
    });
}
