import { assertTaskId, CelersError } from '@celers/core';
import type { Command } from 'commander';
import { parseIntegerOption } from '../internal/cli-options.js';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import { confirmDestructive } from '../internal/confirm-prompt.js';
import { warnIfUnknownQueue } from '../internal/unknown-queue.js';
import type { CliIo } from '../output/cli-output.js';
import { formatTable, type TableColumn } from '../output/format-table.js';
import { withProgress } from '../output/progress-indicator.js';

interface DlqRowView {
  id: string;
  taskId: string;
  taskName: string;
  retryCount: number;
  failedAt: Date;
  errorMessage: string | null;
}

const DLQ_COLUMNS: readonly TableColumn<DlqRowView>[] = [
  { header: 'DLQ ID', value: (e) => e.id },
  { header: 'TASK ID', value: (e) => e.taskId },
  { header: 'NAME', value: (e) => e.taskName, maxWidth: 32 },
  { header: 'RETRIES', value: (e) => e.retryCount },
  { header: 'FAILED', value: (e) => e.failedAt },
  { header: 'ERROR', value: (e) => e.errorMessage, maxWidth: 50 },
];

function assertIdsOrAll(ids: readonly string[], all: boolean | undefined): string[] {
  if (all && ids.length > 0) throw CelersError.invalidArgument('--all', 'give DLQ ids or --all, not both');
  if (!all && ids.length === 0)
    throw CelersError.invalidArgument('dlqIds', 'give at least one DLQ id, or --all');
  return ids.map((id, i) => assertTaskId(id, `dlqIds[${i}]`));
}

/** `celers dlq list | requeue <id…> | purge <id…>|--all | replay`. */
export function registerDlqCommands(program: Command, io: CliIo): void {
  const dlq = program.command('dlq').description('dead letter queue: inspect, requeue, purge, replay');

  withCommonOptions(dlq.command('list'))
    .description('list dead-lettered tasks, most recent first')
    .option('-l, --limit <n>', 'rows to show', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .action(async (opts: { limit?: string; offset?: string }, command: Command) => {
      const scope = commandScope(command, io);
      const limit = parseIntegerOption(opts.limit, '--limit', 1, 10_000) ?? 50;
      const offset = parseIntegerOption(opts.offset, '--offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
      const rows = await withBroker(scope, async (broker) => {
        const listed = await broker.dlq.list({ limit, offset });
        if (listed.length === 0) await warnIfUnknownQueue(scope, broker);
        return listed;
      });
      scope.out.result(rows, () => formatTable(rows, DLQ_COLUMNS));
    });

  withCommonOptions(dlq.command('requeue <dlqIds...>'))
    .description('requeue DLQ entries as fresh pending tasks (prints the new task ids)')
    .action(async (dlqIds: string[], _opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const ids = assertIdsOrAll(dlqIds, false);
      const requeued = await withBroker(scope, (broker) =>
        withProgress('requeueing DLQ entries', io.stderr, async (progress) => {
          progress.setTotal(ids.length);
          const out: Array<{ dlqId: string; taskId: string }> = [];
          for (const dlqId of ids) {
            out.push({ dlqId, taskId: await broker.dlq.requeue(dlqId) });
            progress.update(out.length);
          }
          return out;
        }),
      );
      scope.out.result(requeued, () =>
        requeued.map((r) => `requeued ${r.dlqId} as task ${r.taskId}`).join('\n'),
      );
    });

  withCommonOptions(dlq.command('purge [dlqIds...]'))
    .description('delete DLQ entries (asks for confirmation unless --yes)')
    .option('--all', 'delete every entry of the queue')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (dlqIds: string[], opts: { all?: boolean; yes?: boolean }, command: Command) => {
      const scope = commandScope(command, io);
      const ids = assertIdsOrAll(dlqIds, opts.all);
      const what = opts.all
        ? `purge every DLQ entry of queue "${scope.globals.queue}"`
        : `purge ${ids.length} DLQ entr(ies)`;
      if (!(await confirmDestructive(io, what, opts.yes === true))) {
        scope.out.note('aborted');
        return;
      }
      const purged = await withBroker(scope, (broker) =>
        withProgress('purging DLQ', io.stderr, async (progress) => {
          if (opts.all) return broker.dlq.purgeAll();
          progress.setTotal(ids.length);
          let n = 0;
          for (const [i, id] of ids.entries()) {
            if (await broker.dlq.purge(id)) n++;
            progress.update(i + 1);
          }
          return n;
        }),
      );
      scope.out.result({ purged }, () => `purged ${purged} DLQ entr(ies)`);
    });

  withCommonOptions(dlq.command('replay'))
    .description('requeue a batch of DLQ entries matching a task-name glob (disaster recovery)')
    .option('--task-name <glob>', "only task names matching this glob ('*' and '?')")
    .option('--min-retries <n>', 'only entries that used at least this many retries')
    .option('-l, --limit <n>', 'most entries to requeue', '100')
    .action(async (opts: { taskName?: string; minRetries?: string; limit?: string }, command: Command) => {
      const scope = commandScope(command, io);
      const limit = parseIntegerOption(opts.limit, '--limit', 1, 10_000) ?? 100;
      const minRetries = parseIntegerOption(opts.minRetries, '--min-retries', 0, 1_000);
      const replayed = await withBroker(scope, (broker) =>
        withProgress('replaying DLQ', io.stderr, () =>
          broker.maintenance.replayDlqBatch({
            limit,
            ...(opts.taskName === undefined ? {} : { taskNamePattern: opts.taskName }),
            ...(minRetries === undefined ? {} : { minRetries }),
          }),
        ),
      );
      scope.out.result({ replayed }, () => `requeued ${replayed} DLQ entr(ies)`);
    });
}
