import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { MysqlBroker } from '@celers/broker-mysql';
import { CelersError } from '@celers/core';
import type { Command } from 'commander';
import { parseStateOption } from '../internal/cli-options.js';
import { commandScope, withBroker, withCommonOptions } from '../internal/command-runtime.js';
import type { CliIo } from '../output/cli-output.js';
import { type ProgressIndicator, withProgress } from '../output/progress-indicator.js';

interface ExportOptions {
  out?: string;
  state?: string;
  dlq?: boolean;
  ndjson?: boolean;
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Streams every task (keyset pages, so any size fits in memory) to `out`: a JSON array that `celers import`
 * reads back, or NDJSON lines with `ndjson`. Returns how many tasks were written.
 */
async function exportTasks(
  broker: MysqlBroker,
  out: Writable,
  opts: ExportOptions,
  progress: ProgressIndicator,
): Promise<number> {
  const state = parseStateOption(opts.state);
  progress.setTotal(state ? await broker.tasks.countByState(state) : (await broker.tasks.statistics()).total);
  let count = 0;
  if (!opts.ndjson) await write(out, '[');
  for await (const line of broker.transfer.exportTasksNdjson(state ? { state } : {})) {
    const record = line.trimEnd();
    if (opts.ndjson) await write(out, `${record}\n`);
    else await write(out, `${count === 0 ? '\n' : ',\n'}${record}`);
    progress.update(++count);
  }
  if (!opts.ndjson) await write(out, '\n]\n');
  return count;
}

/** Reads an export (a JSON document, a JSON array, or NDJSON lines) from a file or `-` for stdin. */
async function readExport(io: CliIo, file: string): Promise<string> {
  let text: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw CelersError.invalidArgument('file', `cannot read ${file} (${error.code ?? error.message})`);
    });
  }
  const trimmed = text.trim();
  // NDJSON: several lines each holding one object; wrap them into the array form importTasks accepts.
  if (trimmed.startsWith('{') && trimmed.includes('\n') && !trimmed.startsWith('{"format"')) {
    return `[${trimmed
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .join(',')}]`;
  }
  return text;
}

/** `celers export [--out file] [--state s] [--ndjson] [--dlq]` and `celers import <file|-> [--skip-existing]`. */
export function registerTransferCommands(program: Command, io: CliIo): void {
  withCommonOptions(program.command('export'))
    .description('export tasks (or the DLQ) as JSON for backup or migration')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .option('-s, --state <state>', 'only tasks in this state')
    .option('--ndjson', 'one JSON task per line instead of one array')
    .option('--dlq', 'export the dead letter queue instead of tasks')
    .action(async (opts: ExportOptions, command: Command) => {
      const scope = commandScope(command, io);
      if (opts.dlq && (opts.state || opts.ndjson))
        throw CelersError.invalidArgument('--dlq', 'cannot be combined with --state or --ndjson');
      parseStateOption(opts.state);
      const out: Writable = opts.out ? createWriteStream(opts.out) : (io.stdout as Writable);
      const count = await withBroker(scope, (broker) =>
        withProgress(opts.dlq ? 'exporting DLQ' : 'exporting tasks', io.stderr, async (progress) => {
          if (!opts.dlq) return exportTasks(broker, out, opts, progress);
          const doc = await broker.transfer.exportDlq();
          await write(out, `${doc}\n`);
          return (JSON.parse(doc) as { count: number }).count;
        }),
      );
      if (opts.out) {
        out.end();
        await finished(out);
      }
      scope.out.note(
        `exported ${count} ${opts.dlq ? 'DLQ entr(ies)' : 'task(s)'}${opts.out ? ` to ${opts.out}` : ''}`,
      );
    });

  withCommonOptions(program.command('import <file>'))
    .description('import tasks exported by `celers export` into the queue (one transaction; `-` reads stdin)')
    .option('--skip-existing', 'skip tasks whose id already exists instead of failing')
    .action(async (file: string, opts: { skipExisting?: boolean }, command: Command) => {
      const scope = commandScope(command, io);
      const json = await readExport(io, file);
      const imported = await withBroker(scope, (broker) =>
        withProgress('importing tasks', io.stderr, () =>
          broker.transfer.importTasks(json, { skipExisting: opts.skipExisting === true }),
        ),
      );
      scope.out.result({ imported }, () => `imported ${imported} task(s)`);
    });
}
