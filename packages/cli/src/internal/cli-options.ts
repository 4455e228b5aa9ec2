import {
  assertInteger,
  assertOneOf,
  assertQueueName,
  CelersError,
  TASK_STATES,
  type TaskState,
} from '@celers/core';
import { parseDatabaseUrl } from '@celers/schema';

/** Environment variable read when `--url` is not given. */
export const DATABASE_URL_ENV = 'CELERS_DATABASE_URL';
/** Queue used when `--queue` is not given. */
export const DEFAULT_CLI_QUEUE = 'default';

/** Options every command accepts (set on the root program). */
export interface GlobalOptions {
  url?: string;
  queue?: string;
  json?: boolean;
}

/** {@link GlobalOptions} after validation. */
export interface ResolvedGlobalOptions {
  readonly url: string;
  readonly queue: string;
  readonly json: boolean;
}

/**
 * Validates the connection options: `--url`, else `CELERS_DATABASE_URL`, else `INVALID_ARGUMENT` naming
 * `--url`. The URL is only parsed here, never connected to.
 */
export function resolveGlobalOptions(
  options: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedGlobalOptions {
  const raw = options.url ?? env[DATABASE_URL_ENV];
  if (raw === undefined || raw === '') {
    throw CelersError.invalidArgument(
      '--url',
      `give --url mysql://user:pass@host:3306/db or set ${DATABASE_URL_ENV}`,
    );
  }
  return Object.freeze({
    url: parseDatabaseUrl(raw, '--url'),
    queue: assertQueueName(options.queue ?? DEFAULT_CLI_QUEUE, '--queue'),
    json: options.json === true,
  });
}

/** Parses an integer option (`--limit 20`), `INVALID_ARGUMENT` naming the flag on anything else. */
export function parseIntegerOption(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim()))
    throw CelersError.invalidArgument(flag, `expected an integer, got "${value}"`);
  return assertInteger(Number(value), flag, min, max);
}

/** Parses a `--state` option into a task state. */
export function parseStateOption(value: string | undefined, flag = '--state'): TaskState | undefined {
  return value === undefined ? undefined : assertOneOf(value, TASK_STATES, flag);
}

/** Parses a JSON option (`--json-payload '{…}'`), `INVALID_ARGUMENT` naming the flag when it is not JSON. */
export function parseJsonOption(value: string, flag: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw CelersError.invalidArgument(flag, `not valid JSON (${(error as Error).message})`);
  }
}
