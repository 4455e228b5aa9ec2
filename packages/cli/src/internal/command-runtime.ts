import { MysqlBroker } from '@celers/broker-mysql';
import { createDatabase, type PoolConfig } from '@celers/schema';
import type { Command } from 'commander';
import { type CliIo, CliOutput } from '../output/cli-output.js';
import {
  DATABASE_URL_ENV,
  DEFAULT_CLI_QUEUE,
  type GlobalOptions,
  type ResolvedGlobalOptions,
  resolveGlobalOptions,
} from './cli-options.js';

/** A small pool: a CLI run issues a handful of statements, and must fail fast when the server is down. */
export const CLI_POOL: PoolConfig = Object.freeze({
  maxConnections: 2,
  connectTimeoutMs: 5_000,
  acquireTimeoutMs: 10_000,
});

/** What a command action gets: validated global options, the output writer and the streams. */
export interface CommandScope {
  readonly globals: ResolvedGlobalOptions;
  readonly out: CliOutput;
  readonly io: CliIo;
}

/**
 * Adds the options every command takes: `--url`, `--queue` and (unless the command uses `--json` for
 * something else, as `enqueue` does for its payload) `--json`.
 */
export function withCommonOptions(command: Command, options: { json?: boolean } = {}): Command {
  command
    .option('--url <url>', `database URL (default: $${DATABASE_URL_ENV})`)
    .option('-q, --queue <name>', 'queue name', DEFAULT_CLI_QUEUE);
  if (options.json !== false) command.option('--json', 'print the result as one line of JSON');
  return command;
}

/** Validates the common options of `command` and returns what its action needs. */
export function commandScope(command: Command, io: CliIo): CommandScope {
  const globals = resolveGlobalOptions(command.opts<GlobalOptions>(), io.env);
  return { globals, out: new CliOutput(io, globals.json), io };
}

/**
 * Connects a broker for the command's queue (no auto-migration: an unmigrated database gives
 * `MIGRATION_REQUIRED`), runs `fn`, and closes the broker whatever happens.
 */
export async function withBroker<T>(
  scope: CommandScope,
  fn: (broker: MysqlBroker) => Promise<T>,
): Promise<T> {
  const broker = await MysqlBroker.connect({
    url: scope.globals.url,
    queue: scope.globals.queue,
    pool: CLI_POOL,
    circuitBreaker: false,
  });
  try {
    return await fn(broker);
  } finally {
    await broker.close();
  }
}

/** Opens a bare database handle (for `migrate`/`verify`, which must work on an unmigrated database). */
export async function withDatabase<T>(
  scope: CommandScope,
  fn: (db: ReturnType<typeof createDatabase>) => Promise<T>,
): Promise<T> {
  const db = createDatabase({ url: scope.globals.url, pool: CLI_POOL });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
