import type { Command } from 'commander';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import { durationOption } from '../internal/duration-option.js';
import type { CliIo } from '../output/cli-output.js';
import { formatTable } from '../output/format-table.js';

/** `celers workers`: heartbeats (status, age, tasks in flight) and task counters of every known worker. */
export function registerWorkersCommand(program: Command, io: CliIo): void {
  withCommonOptions(program.command('workers'))
    .description('workers of the queue: status, last heartbeat, tasks processed')
    .option('--stale-after <duration>', 'heartbeats older than this count as offline (default 60s)')
    .option('--stale-after-ms <ms>', 'the same in milliseconds (alias)')
    .action(async (opts: { staleAfter?: string; staleAfterMs?: string }, command: Command) => {
      const scope = commandScope(command, io);
      const staleAfterMs = durationOption(opts.staleAfter, opts.staleAfterMs, '--stale-after', 1) ?? 60_000;
      const workers = await withBroker(scope, async (broker) => {
        const [beats, stats] = await Promise.all([
          broker.workers.heartbeats({ staleAfterMs }),
          broker.workers.allStatistics(),
        ]);
        const byId = new Map(stats.map((s) => [s.workerId, s]));
        return beats.map((b) => ({ ...b, statistics: byId.get(b.workerId) ?? null }));
      });
      scope.out.result(workers, () =>
        formatTable(workers, [
          { header: 'WORKER', value: (w) => w.workerId, maxWidth: 40 },
          { header: 'STATUS', value: (w) => (w.stale ? `${w.status} (stale)` : w.status) },
          { header: 'IN FLIGHT', value: (w) => w.taskCount },
          { header: 'LAST HEARTBEAT', value: (w) => w.lastHeartbeat },
          { header: 'AGE', value: (w) => `${Math.round(w.ageMs / 1000)}s` },
          { header: 'COMPLETED', value: (w) => w.statistics?.tasksCompleted ?? 0 },
          { header: 'FAILED', value: (w) => w.statistics?.tasksFailed ?? 0 },
        ]),
      );
    });
}
