import { CelersError } from '@celers/core';

/** Driver settings a `mysql://` URL may carry in its query string (everything else is refused). */
export interface UrlConnectionOptions {
  /** TLS: `?ssl=true` (verify the server), `?ssl=false`, or a JSON object of Node TLS options. */
  ssl?: Record<string, unknown>;
  /** A `utf8mb4` collation, e.g. `?charset=utf8mb4_0900_ai_ci`. @defaultValue utf8mb4_unicode_ci */
  charset?: string;
  /** A Unix socket to connect through instead of TCP. */
  socketPath?: string;
}

/** A validated URL: the address without its query string, and the options the query string carried. */
export interface ResolvedDatabaseUrl {
  /** `mysql://user:password@host:port/database`, no query string. */
  readonly uri: string;
  readonly options: Readonly<UrlConnectionOptions>;
}

type OptionParser = (value: string, fail: (message: string) => never) => unknown;

// The query options celers passes on, each parsed here so mysql2 never sees a value it would throw a
// TypeError on (`?ssl=bogus`). mysql2 accepts ~50 options in a URL; most would change what celers relies on
// (result types, time zone, statement batching), so the list is short and deliberate.
const ACCEPTED_OPTIONS: Record<keyof UrlConnectionOptions, OptionParser> = {
  ssl: (value, fail) => {
    if (value === 'true') return {};
    if (value === 'false') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      fail('option "ssl" must be true, false or a JSON object of TLS options, e.g. {"ca":"..."}');
    return parsed;
  },
  charset: (value, fail) => {
    // Client-side escaping is only safe in a charset where a backslash or quote byte is never part of a
    // multi-byte character (GBK, SJIS and Big5 are not), and the columns are utf8mb4.
    if (!/^utf8mb4(_[a-z0-9]+)*$/i.test(value))
      fail(`option "charset" must be a utf8mb4 collation (got "${value}")`);
    return value;
  },
  socketPath: (value, fail) => {
    if (!value.startsWith('/')) fail('option "socketPath" must be an absolute path');
    return value;
  },
};

// Options people reach for, with the reason they are refused and what to use instead.
const REFUSED_OPTIONS: Record<string, string> = {
  multipleStatements:
    'it lets one string run several statements, which turns any injection into arbitrary SQL',
  flags: 'client flags can enable multiple statements; celers sets its own',
  connectTimeout: 'use options.pool.connectTimeoutMs',
  connectionLimit: 'use options.pool.maxConnections',
  idleTimeout: 'use options.pool.idleTimeoutMs',
  timezone: 'celers runs every session in UTC',
  dateStrings: 'celers maps DATETIME columns to Date itself',
};

/**
 * Validates a `mysql://` (or `mariadb://`) URL and its query options. Refuses `multipleStatements` and any
 * option not in the accepted list (`ssl`, `charset`, `socketPath`) with `INVALID_ARGUMENT` naming `argument`.
 */
export function resolveDatabaseUrl(value: unknown, argument = 'url'): ResolvedDatabaseUrl {
  const fail = (message: string): never => {
    throw CelersError.invalidArgument(argument, message);
  };
  if (typeof value !== 'string' || value.length === 0) fail('expected a mysql:// URL');
  let parsed: URL;
  try {
    parsed = new URL(value as string);
  } catch {
    return fail('not a valid URL (expected mysql://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:')
    fail(`unsupported protocol "${parsed.protocol}" (use mysql://)`);
  if (parsed.pathname.length <= 1) fail('the URL must name a database');
  const options: Record<string, unknown> = {};
  for (const [key, raw] of parsed.searchParams) {
    const parse = Object.hasOwn(ACCEPTED_OPTIONS, key)
      ? ACCEPTED_OPTIONS[key as keyof UrlConnectionOptions]
      : undefined;
    if (!parse) {
      const reason = Object.hasOwn(REFUSED_OPTIONS, key) ? REFUSED_OPTIONS[key] : undefined;
      fail(
        reason
          ? `URL option "${key}" is not allowed: ${reason}`
          : `unknown URL option "${key}" (accepted: ${Object.keys(ACCEPTED_OPTIONS).join(', ')})`,
      );
    }
    if (Object.hasOwn(options, key)) fail(`URL option "${key}" is given twice`);
    const result = parse?.(raw, fail);
    if (result !== undefined) options[key] = result;
  }
  parsed.search = '';
  parsed.hash = '';
  // mysql2 reads only mysql://; mariadb:// is accepted as a synonym.
  const uri = parsed.toString().replace(/^mariadb:/, 'mysql:');
  return Object.freeze({ uri, options: Object.freeze(options) as UrlConnectionOptions });
}

/** Validates a `mysql://` URL (see {@link resolveDatabaseUrl}) and returns it unchanged. */
export function parseDatabaseUrl(value: unknown, argument = 'url'): string {
  resolveDatabaseUrl(value, argument);
  return (value as string).replace(/^mariadb:/, 'mysql:');
}
