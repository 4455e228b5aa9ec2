import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MysqlBroker } from '@celers/broker-mysql';
import { type CeleryTaskHandlers, runCeleryWorker } from '@celers/celery';
import { CelersError } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { type TaskHandlers, Worker } from '@celers/worker';
import type { Command } from 'commander';
import { parseIntegerOption } from '../internal/cli-options.js';
import { commandScope, withCommonOptions } from '../internal/command-runtime.js';
import type { CliIo } from '../output/cli-output.js';

/**
 * `celers worker --app ./tasks.js [--celery]`: runs a worker in the foreground, as `celery -A app worker`
 * does. The module's handlers are its `tasks` export, else its default export (an object), else its
 * function exports by name. SIGTERM/SIGINT stop it gracefully (finish running tasks, return the rest) and
 * the command exits 0.
 */
export function registerWorkerCommand(program: Command, io: CliIo): void {
  withCommonOptions(program.command('worker'), { json: false })
    .description('run a worker for the handlers a module exports (--celery: consume Celery messages)')
    .requiredOption('--app <module>', 'a JS module exporting the task handlers')
    .option('-c, --concurrency <n>', 'handlers run at once', '10')
    .option('--celery', 'consume kombu/Celery messages from the queue and store results in celery_taskmeta')
    .action(async (opts: { app: string; concurrency: string; celery?: boolean }, command: Command) => {
      const { url, queue } = commandScope(command, io).globals;
      const concurrency = parseIntegerOption(opts.concurrency, '--concurrency', 1, 10_000) ?? 10;
      const handlers = await loadHandlers(opts.app, process.cwd());
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        const run: WorkerRun = { url, queue, concurrency, handlers, signal: stop.signal, io };
        await (opts.celery ? runCelery(run) : runCelers(run));
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}

type Handlers = Record<string, (...args: never[]) => unknown>;

/** What either kind of worker runs with, parsed once from the command line. */
interface WorkerRun {
  readonly url: string;
  readonly queue: string;
  readonly concurrency: number;
  readonly handlers: Handlers;
  /** Aborted by SIGTERM/SIGINT: stop gracefully. */
  readonly signal: AbortSignal;
  readonly io: CliIo;
}

async function loadHandlers(path: string, cwd: string): Promise<Handlers> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(cwd, path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CelersError('INVALID_ARGUMENT', `Invalid argument "--app": cannot load ${path}`, {
      argument: '--app',
      cause: error,
    });
  }
  const pick = (value: unknown) =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  const source = pick(mod.tasks) ?? pick(mod.default) ?? mod;
  const handlers = Object.fromEntries(
    Object.entries(source).filter(([, v]) => typeof v === 'function'),
  ) as Handlers;
  if (Object.keys(handlers).length === 0)
    throw CelersError.invalidArgument('--app', `${path} exports no handler functions`);
  return handlers;
}

async function runCelery({ url, queue, concurrency, handlers, signal, io }: WorkerRun): Promise<void> {
  const db = createDatabase({ url, pool: { maxConnections: Math.min(concurrency + 2, 50) } });
  try {
    const worker = runCeleryWorker({
      db,
      queues: [queue],
      concurrency,
      handlers: handlers as unknown as CeleryTaskHandlers,
      signal,
      onEvent: (e) => {
        if (e.type === 'error' || e.type === 'message:quarantined')
          io.stderr.write(`celers worker: ${e.error.message}\n`);
      },
    });
    io.stdout.write(`celers worker: consuming Celery queue ${queue} (concurrency ${concurrency})\n`);
    await worker.done;
  } finally {
    await db.destroy();
  }
}

async function runCelers({ url, queue, concurrency, handlers, signal, io }: WorkerRun): Promise<void> {
  const broker = await MysqlBroker.connect({ url, queue });
  try {
    const worker = new Worker({ broker, handlers: handlers as unknown as TaskHandlers, concurrency });
    await worker.start();
    io.stdout.write(`celers worker: consuming queue ${queue} (concurrency ${concurrency})\n`);
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve));
    await worker.close();
  } finally {
    await broker.close();
  }
}
